package io.github.hopmixer.train;

import io.github.hopmixer.cli.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * End-to-end runs of {@code hopmixer train} on a small ImageFolder the test writes: the loss falls, and a run
 * killed with SIGKILL resumes from its last checkpoint with exactly the losses of an uninterrupted run.
 */
class TrainingRunTest {
    @TempDir
    static Path tmp;
    static Path data;

    /** Two classes told apart by where a bright bar is: learnable in a few steps, not at chance by accident. */
    @BeforeAll
    static void writeData() throws IOException {
        data = io.github.hopmixer.testing.BarImages.write(tmp.resolve("bars"), 64, 24);
    }

    static List<String> args(Path out, int epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--model", "paramixer_nano", "--dataset", "folder",
                "--data-dir", data.toString(), "--img-size", "8", "--epochs", Integer.toString(epochs), "--batch-size", "16",
                "--lr", "3e-3", "--crop-pad", "0", "--hflip", "0", "--drop-path", "0.1", "--threads", "2",
                "--no-progress", "--output", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void lossFallsAndCheckpointLoadsIntoEval() throws IOException {
        Path out = tmp.resolve("run-falls");
        int code = Main.commandLine().execute(args(out, 4).toArray(String[]::new));
        assertEquals(0, code);
        List<Double> losses = stepLosses(out);
        assertEquals(32, losses.size(), "4 epochs × 8 batches");
        double first = (losses.get(0) + losses.get(1)) / 2, last = (losses.get(30) + losses.get(31)) / 2;
        assertTrue(last < 0.6 * first, "loss should fall: first " + first + ", last " + last);
        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals(MetricsCsv.HEADER, summary.get(0));
        assertEquals(5, summary.size());
        double top1 = Double.parseDouble(summary.get(4).split(",")[3]);
        assertTrue(top1 > 90, "two bar classes should be separable, top-1 " + top1);
        Path ck = Checkpoint.latest(out);
        assertTrue(Files.exists(ck.resolve(Checkpoint.MODEL_FILE)));
        assertEquals(0, Main.commandLine().execute("eval", "--checkpoint", out.toString(), "--dataset", "folder",
                "--data-dir", data.toString(), "--threads", "1"));

        // predict: files and a folder in, class names and logits out.
        Path json = tmp.resolve("pred.json"), csv = tmp.resolve("pred.csv");
        Path top = data.resolve("test/top");
        assertEquals(0, Main.commandLine().execute("predict", "--checkpoint", out.toString(), "--format", "json", "-o",
                json.toString(), top.toString(), data.resolve("test/bottom/0.png").toString()));
        var rows = com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        assertEquals(25, rows.size());
        long right = 0;
        for (var r : rows) {
            var o = r.getAsJsonObject();
            String file = o.get("file").getAsString(), cls = o.get("class").getAsString();
            assertEquals(java.util.Set.of("bottom", "top"), o.getAsJsonObject("logits").keySet());
            if (file.contains(cls)) right++;
        }
        assertTrue(right >= 23, right + " of 25 predictions right");
        assertEquals(0, Main.commandLine().execute("predict", "--checkpoint", out.toString(), "-o", csv.toString(), top.toString()));
        List<String> lines = Files.readAllLines(csv);
        assertEquals("file,class,probability,logit_bottom,logit_top", lines.get(0));
        assertEquals(25, lines.size());
    }

    @Test
    void badInputsAreOneLineErrors() {
        var err = new java.io.StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new java.io.PrintWriter(err));
        assertEquals(2, cl.execute("train", "--model", "nosuchmixer_nano", "--dataset", "folder", "--data-dir", data.toString()));
        assertTrue(err.toString().contains("unknown model 'nosuchmixer_nano'"), err.toString());
        assertEquals(2, cl.execute("train", "--dataset", "cifar10", "--data-dir", tmp.resolve("missing").toString()));
        assertEquals(2, cl.execute("eval", "--checkpoint", tmp.resolve("nothing-here").toString()));
        if (io.github.hopmixer.device.Devices.list().stream().noneMatch(d -> d.id().startsWith("tornado"))) {
            // Without TornadoVM on this JVM (the default build), asking for it is a clear error.
            assertEquals(2, cl.execute("train", "--device", "tornado", "--dataset", "folder", "--data-dir", data.toString(), "--img-size", "8"));
            assertTrue(err.toString().contains("TornadoVM"), err.toString());
        }
        assertFalse(err.toString().contains("\tat "), "no stack traces: " + err);
    }

    @Test
    void killedRunResumesWithIdenticalLosses() throws Exception {
        int epochs = 12;
        Path whole = tmp.resolve("run-whole"), killed = tmp.resolve("run-killed");
        assertEquals(0, Main.commandLine().execute(args(whole, epochs).toArray(String[]::new)));

        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args(killed, epochs, "--checkpoint-every", "3"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile()).start();
        // Kill hard (SIGKILL, no shutdown hooks) as soon as a mid-epoch checkpoint exists.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!hasCheckpointAtLeast(killed, 20) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(p.isAlive(), "the run finished before it could be killed; see " + tmp.resolve("killed.log"));
        p.destroyForcibly().waitFor();
        long killedAt = stepLosses(killed).size();
        assertTrue(killedAt < epochs * 8L, "killed before the end");

        assertEquals(0, Main.commandLine().execute(args(killed, epochs, "--resume", killed.toString()).toArray(String[]::new)));
        List<String> a = Files.readAllLines(whole.resolve("steps.csv")), b = Files.readAllLines(killed.resolve("steps.csv"));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), "steps.csv line " + i + ": a resumed run repeats the uninterrupted run's losses exactly");
        assertEquals(Files.readAllLines(whole.resolve("summary.csv")).stream().map(TrainingRunTest::withoutTimes).toList(),
                Files.readAllLines(killed.resolve("summary.csv")).stream().map(TrainingRunTest::withoutTimes).toList());
    }

    static boolean hasCheckpointAtLeast(Path run, long step) throws IOException {
        Path root = run.resolve("checkpoints");
        if (!Files.isDirectory(root)) return false;
        try (Stream<Path> s = Files.list(root)) {
            return s.map(q -> q.getFileName().toString()).filter(n -> n.startsWith("step-"))
                    .anyMatch(n -> Long.parseLong(n.substring(5)) >= step && Long.parseLong(n.substring(5)) % 8 != 0);
        }
    }

    static String withoutTimes(String line) {
        String[] f = line.split(",");
        return String.join(",", java.util.Arrays.copyOf(f, 6));
    }

    static List<Double> stepLosses(Path run) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("steps.csv"))) {
            if (!line.startsWith("step")) out.add(Double.parseDouble(line.split(",")[3]));
        }
        return out;
    }
}
