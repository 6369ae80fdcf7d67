package io.github.hopmixer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code hopmixer}: train, evaluate and run the Hopfield-derived MLP-Mixers on the JVM or a TornadoVM device. */
@Command(name = "hopmixer", mixinStandardHelpOptions = true, version = "hopmixer 0.1.0",
        description = "Hierarchical-associative-memory MLP-Mixers (Karakida, Ota, Taki 2024) on any device.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, ModelsCommand.class,
                DevicesCommand.class, BenchCommand.class, EnergyCommand.class, SymmetryCommand.class,
                SweepCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // A failure on another thread (a loader, a device worker) is one line and a log file too, never a trace.
        Thread.setDefaultUncaughtExceptionHandler((t, e) ->
                ErrorHandler.failed(e, new java.io.PrintWriter(System.err, true), java.util.List.of(args)));
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: every error is one line on standard error, see {@link ErrorHandler}. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main()) {
            // A command's run directory (train's ErrorLog.useDirectory) holds for that command and its error only:
            // tests and other callers run many commands in one JVM.
            @Override
            public int execute(String... args) {
                java.nio.file.Path before = ErrorLog.chosenDirectory();
                try {
                    return super.execute(args);
                } finally {
                    ErrorLog.useDirectory(before);
                }
            }
        };
        ErrorHandler.install(cl);
        cl.registerConverter(java.nio.file.Path.class, Main::path);
        return cl;
    }

    /** Every path flag and argument: an empty one would silently mean the current folder (train --output ""). */
    static java.nio.file.Path path(String s) {
        if (s.isEmpty()) throw new CommandLine.TypeConversionException("an empty path; give a file or folder name (. for this folder)");
        try {
            return java.nio.file.Path.of(s);
        } catch (java.nio.file.InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + s + "' is not a valid path (" + e.getReason() + ")");
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
