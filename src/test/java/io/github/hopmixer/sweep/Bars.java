package io.github.hopmixer.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A tiny ImageFolder the sweep tests write: 8×8 PNGs of two classes told apart by where a bright bar is. */
final class Bars {
    private Bars() {}

    static Path write(Path root, int perClassTrain, int perClassTest) throws IOException {
        return io.github.hopmixer.testing.BarImages.write(root, perClassTrain, perClassTest);
    }

    /** A command's stdout and exit code, run in this JVM. */
    record Run(int code, String out, String err) {}

    static Run hopmixer(String... args) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.StringWriter();
        java.io.PrintStream old = System.out;
        try (var ps = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8)) {
            System.setOut(ps);
            var cl = io.github.hopmixer.cli.Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(old);
        }
    }
}
