package io.github.hopmixer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code hopmixer}: train, evaluate and run the Hopfield-derived MLP-Mixers on the JVM or a TornadoVM device. */
@Command(name = "hopmixer", mixinStandardHelpOptions = true, version = "hopmixer 0.1.0",
        description = "Hierarchical-associative-memory MLP-Mixers (Karakida, Ota, Taki 2024) on any device.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, ModelsCommand.class,
                DevicesCommand.class, BenchCommand.class, SweepCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: user errors print one clear line, not a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof java.io.UncheckedIOException || e instanceof io.github.hopmixer.data.DataFormatException) {
                cmd.getErr().println("hopmixer: " + e.getMessage());
                if (System.getenv("HOPMIXER_DEBUG") != null) e.printStackTrace(cmd.getErr());
                return 2;
            }
            throw e;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
