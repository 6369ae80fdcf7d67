package io.github.hopmixer.tornado;

import io.github.hopmixer.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code hopmixer train --device tornado} on the tests' bar images (written by the test, resized to 32 px: the nano
 * model's own shapes) follows the JVM device's run for the same seed:
 * every step's loss within a relative 1e-4 (measured on PoCL: 5e-7 over 32 steps — float rounding in a different
 * order; a wrong kernel moves the loss by far more), and the same evaluation metrics to 1e-4.
 */
class TornadoTrainingTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path tmp;

    static String[] args(String device, Path data, Path out) {
        return new String[] {"train", "--device", device, "--dataset", "folder", "--data-dir", data.toString(), "--img-size", "32",
                "--model", "paramixer_nano", "--epochs", "2", "--batch-size", "32", "--drop-path", "0.1", "--seed", "7", "--threads", "2",
                "--no-progress", "--output", out.toString()};
    }

    static List<String[]> rows(Path csv) throws IOException {
        return Files.readAllLines(csv).stream().skip(1).filter(l -> !l.isBlank()).map(l -> l.split(",")).toList();
    }

    @Test
    void stepLossesTrackTheJvmRun() throws IOException {
        TornadoDeviceTest.requireTornado();
        Path data = io.github.hopmixer.testing.BarImages.write(tmp.resolve("bars"), 256, 128);
        Path jvm = tmp.resolve("jvm"), tornado = tmp.resolve("tornado");
        assertEquals(0, Main.commandLine().execute(args("jvm", data, jvm)));
        assertEquals(0, Main.commandLine().execute(args("tornado", data, tornado)));
        List<String[]> a = rows(jvm.resolve("steps.csv")), b = rows(tornado.resolve("steps.csv"));
        assertEquals(32, a.size(), "2 epochs × 16 batches");
        assertEquals(a.size(), b.size());
        double worst = 0;
        for (int s = 0; s < a.size(); s++) {
            double x = Double.parseDouble(a.get(s)[3]), y = Double.parseDouble(b.get(s)[3]);
            double rel = Math.abs(x - y) / Math.abs(x);
            worst = Math.max(worst, rel);
            assertTrue(rel <= TOLERANCE, "step " + (s + 1) + ": JVM loss " + x + ", TornadoVM " + y);
        }
        System.out.printf("TornadoVM vs JVM over %d steps: largest relative loss difference %.2g%n", a.size(), worst);
        List<String[]> sa = rows(jvm.resolve("summary.csv")), sb = rows(tornado.resolve("summary.csv"));
        assertEquals(sa.size(), sb.size());
        for (int e = 0; e < sa.size(); e++) {
            for (int col = 1; col <= 4; col++) {
                double x = Double.parseDouble(sa.get(e)[col]), y = Double.parseDouble(sb.get(e)[col]);
                assertEquals(x, y, TOLERANCE * Math.max(1, Math.abs(x)), "epoch " + e + " column " + col);
            }
        }
    }
}
