package io.github.hopmixer.testing;

import io.github.hopmixer.cli.Main;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs {@code hopmixer ARGS} in this JVM, as the tests of every command do: its exit code, its standard output (what it
 * prints to {@code System.out} and to picocli's writer, in one stream) and its standard error.
 */
public final class CliRun {
    private CliRun() {}

    /** What a command gave: exit code, standard output and standard error. */
    public record Result(int code, String out, String err) {
        /** The error output's non-empty lines. */
        public List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    public static Result run(String... args) {
        return run(Main.commandLine(), args);
    }

    public static Result run(List<String> args) {
        return run(args.toArray(String[]::new));
    }

    /** With a command line the test built (its own commands or settings); System.out is swapped, so one run at a time. */
    public static synchronized Result run(CommandLine cl, String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try (PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            PrintWriter pw = new PrintWriter(capture, true);
            cl.setOut(pw);
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            pw.flush(); // a command's last print() without a newline is still in the writer's buffer
            capture.flush();
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(old);
        }
    }
}
