package io.github.hopmixer.cli;

import io.github.hopmixer.testing.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fault campaign: bad flags, bad data files, bad images, bad outputs and unexpected failures, each run
 * through the real command line. Every case must exit non-zero with exactly one line on standard error (predict:
 * one per bad file and a count) that names the flag as typed or the file, show no stack trace, and leave every
 * file as it was. The table of cases and the messages they gave is written to target/input-campaign.md.
 */
class InputCampaignTest {

    @TempDir
    static Path root;
    static Path work, logs;
    static CliFixture.Trained fx;
    static final List<String> table = new ArrayList<>();

    /** One bad input: what it tries, the text the error line must hold, the exit code, the stderr line count, the arguments. */
    record Case(String what, String names, int exit, int lines, Path output, String... args) {}

    static Case c(String what, String names, String... args) {
        return new Case(what, names, 2, 1, null, args);
    }

    @BeforeAll
    static void setUp() throws IOException {
        work = Files.createDirectories(root.resolve("work"));
        logs = root.resolve("logs");
        ErrorLog.useDirectory(logs);
        fx = CliFixture.train(work);
        makeBadFiles();
    }

    @AfterAll
    static void tearDown() throws IOException {
        ErrorLog.useDirectory(null);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "input-campaign.md"), table);
    }

    static Path w(String name) {
        return work.resolve(name);
    }

    static byte[] idx(int magic, int[] dims, int payload, int value) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        while (b.hasRemaining()) b.put((byte) value);
        return b.array();
    }

    static void idxPair(String dir, byte[] images, byte[] labels) {
        CliFixture.write(w(dir).resolve("t10k-images-idx3-ubyte"), images);
        CliFixture.write(w(dir).resolve("t10k-labels-idx1-ubyte"), labels);
    }

    static void makeBadFiles() throws IOException {
        Random r = new Random(7);
        byte[] labels3 = idx(0x801, new int[] {3}, 3, 1), images3 = idx(0x803, new int[] {3, 4, 4}, 48, 9);
        idxPair("idx-magic", idx(0x801, new int[] {3, 4, 4}, 48, 9), labels3);
        idxPair("idx-truncated", idx(0x803, new int[] {3, 4, 4}, 20, 9), labels3);
        idxPair("idx-label-range", images3, idx(0x801, new int[] {3}, 3, 12));
        idxPair("idx-count", images3, idx(0x801, new int[] {2}, 2, 1));
        CliFixture.write(w("idx-gzip").resolve("t10k-images-idx3-ubyte.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});
        CliFixture.write(w("idx-gzip").resolve("t10k-labels-idx1-ubyte"), labels3);

        Path cifar = w("cifar-short").resolve("cifar-10-batches-bin");
        CliFixture.write(cifar.resolve("batches.meta.txt"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n".getBytes());
        CliFixture.write(cifar.resolve("test_batch.bin"), new byte[3073 * 2 - 5]);
        Path label = w("cifar-label").resolve("cifar-10-batches-bin");
        Files.createDirectories(label);
        Files.copy(cifar.resolve("batches.meta.txt"), label.resolve("batches.meta.txt"));
        byte[] rec = new byte[3073 * 2];
        rec[3073] = 10;
        CliFixture.write(label.resolve("test_batch.bin"), rec);
        CliFixture.write(w("cifar-nometa").resolve("cifar-10-batches-bin").resolve("test_batch.bin"), new byte[3073]);

        // ImageFolder trees: good train/ beside a broken test/.
        for (String t : List.of("empty-class", "bad-jpeg", "huge-png", "sizes", "no-test", "foreign-class")) {
            for (String cls : List.of("a", "b")) CliFixture.png(w(t).resolve("train").resolve(cls).resolve("0.png"), 8, 8, r);
            if (!t.equals("no-test")) CliFixture.png(w(t).resolve("test").resolve("a").resolve("0.png"), 8, 8, r);
        }
        Files.createDirectories(w("empty-class").resolve("test/b"));
        CliFixture.write(w("bad-jpeg").resolve("test/b/broken.jpg"), "not a jpeg at all".getBytes());
        CliFixture.write(w("huge-png").resolve("test/b/huge.png"), CliFixture.pngHeader(20000, 20000));
        CliFixture.png(w("sizes").resolve("test/b/wide.png"), 9, 8, r);
        CliFixture.png(w("foreign-class").resolve("test/c/0.png"), 8, 8, r);

        // Prediction inputs: two good images beside an undecodable one and a decompression bomb's header.
        CliFixture.png(w("mixed").resolve("1.png"), 8, 8, r);
        CliFixture.png(w("mixed").resolve("2.png"), 12, 12, r);
        CliFixture.write(w("mixed").resolve("3-broken.png"), "garbage".getBytes());
        CliFixture.write(w("mixed").resolve("4-huge.png"), CliFixture.pngHeader(20000, 20000));
        CliFixture.write(w("allbad").resolve("x.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 0, 0});
        Files.createDirectories(w("noimages"));
        Files.writeString(w("noimages").resolve("notes.txt"), "no images here");
        Files.createDirectories(w("outdir"));
        Files.writeString(w("a-file"), "in the way");
        Files.writeString(w("existing.csv"), "an earlier result that a failed predict must keep\n");
    }

    static List<Case> cases() {
        String ck = fx.run().toString(), img = fx.data().resolve("test/a/0.png").toString();
        String[] predict = {"predict", "--checkpoint", ck};
        List<Case> k = new ArrayList<>(List.of(
                // The top-level handler: parse errors and unexpected failures.
                c("unknown subcommand", "'nosuch'", "nosuch"),
                c("unknown option", "--nosuch", cat(predict, "--nosuch", img)),
                c("option typo gets a suggestion", "--threads", "bench", "--thread", "2"),
                c("not a number", "--batch-size", cat(predict, "--batch-size", "abc", img)),
                c("missing required option", "--checkpoint", "predict", img),
                new Case("unexpected NullPointerException", "internal error: null pointer", 1, 1, null, "boom-npe"),
                new Case("unexpected StackOverflowError", "internal error: stack overflow", 1, 1, null, "boom-stack"),
                new Case("a bug wrapped as a user error (a loader thread's failure)", "internal error: illegal state", 1, 1, null, "boom-wrapped"),
                new Case("exception without a message (was 'hopmixer: null')", "internal error: illegal argument", 1, 1, null, "boom-blank"),
                // predict's flags and files.
                c("predict --threads 0", "--threads 0", cat(predict, "--threads", "0", img)),
                c("predict --threads 100000", "--threads 100000", cat(predict, "--threads", "100000", img)),
                c("predict --device nosuch", "--device nosuch", cat(predict, "--device", "nosuch", img)),
                c("predict --top-k 0", "--top-k 0", cat(predict, "--top-k", "0", img)),
                c("predict --top-k above the class count", "--top-k 5", cat(predict, "--top-k", "5", img)),
                c("predict --batch-size -3", "--batch-size -3", cat(predict, "--batch-size", "-3", img)),
                c("predict --format xml", "--format xml", cat(predict, "--format", "xml", img)),
                c("predict: missing checkpoint", w("nothing").toString(), "predict", "--checkpoint", w("nothing").toString(), img),
                c("predict: missing image file", w("missing.png").toString(), cat(predict, w("missing.png").toString())),
                c("predict: folder without images", w("noimages").toString(), cat(predict, w("noimages").toString())),
                c("predict -o is a folder", "-o " + w("outdir"), cat(predict, "-o", w("outdir").toString(), img)),
                c("predict -o below a file", "-o " + w("a-file/p.csv"), cat(predict, "-o", w("a-file/p.csv").toString(), img)),
                new Case("predict: undecodable and oversized files among good ones", "3-broken.png", 3, 3, w("out/mixed.csv"),
                        cat(predict, "-o", w("out/mixed.csv").toString(), w("mixed").toString())),
                new Case("predict: every file undecodable (earlier -o file kept)", "x.jpg", 2, 2, null,
                        cat(predict, "-o", w("existing.csv").toString(), w("allbad").toString())),
                // bench's flags: refused before anything is timed or written.
                c("bench --threads 0", "--threads 0", "bench", "--threads", "0"),
                c("bench --batch-size 0", "--batch-size 0", "bench", "--batch-size", "0"),
                c("bench --runs 0", "--runs 0", "bench", "--runs", "0"),
                c("bench --warmup -1", "--warmup -1", "bench", "--warmup", "-1"),
                c("bench --memory abc", "--memory", "bench", "--memory", "abc"),
                c("bench --memory 0", "--memory 0", "bench", "--memory", "0"),
                c("bench --models nosuch", "--models nosuch", "bench", "--models", "nosuch"),
                c("bench --devices nosuch", "--devices nosuch", "bench", "--devices", "nosuch"),
                c("bench --save with --results", "--save", "bench", "--save", "--results", w("r").toString()),
                c("bench --results is a file", "--results " + w("a-file"), "bench", "--results", w("a-file").toString()),
                // models and devices.
                c("models --num-classes 0", "--num-classes 0", "models", "--num-classes", "0"),
                c("models --num-classes abc", "--num-classes", "models", "--num-classes", "abc"),
                c("models --filter matching nothing", "--filter zzz", "models", "--filter", "zzz"),
                c("devices with an extra argument", "'extra'", "devices", "extra"),
                // Data files, read by eval (nothing is written) and train.
                c("eval --dataset nosuch", "--dataset nosuch", "eval", "--checkpoint", fx.run().toString(), "--dataset", "nosuch"),
                c("eval --dataset folder without --data-dir", "--data-dir", "eval", "--checkpoint", fx.run().toString(), "--dataset", "folder"),
                c("IDX: wrong magic", "t10k-images-idx3-ubyte", eval("fashion-mnist", "idx-magic")),
                c("IDX: truncated", "t10k-images-idx3-ubyte", eval("fashion-mnist", "idx-truncated")),
                c("IDX: label out of range", "t10k-labels-idx1-ubyte", eval("fashion-mnist", "idx-label-range")),
                c("IDX: image and label counts differ", "t10k-labels-idx1-ubyte", eval("fashion-mnist", "idx-count")),
                c("IDX: corrupt gzip", "t10k-images-idx3-ubyte.gz", eval("fashion-mnist", "idx-gzip")),
                c("IDX: missing folder", w("no-such-dir").toString(), eval("mnist", "no-such-dir")),
                c("CIFAR: truncated record", "test_batch.bin", eval("cifar10", "cifar-short")),
                c("CIFAR: label out of range", "test_batch.bin", eval("cifar10", "cifar-label")),
                c("CIFAR: class names file missing", "batches.meta.txt", eval("cifar10", "cifar-nometa")),
                c("folder: empty class folder", w("empty-class/test/b").toString(), eval("folder", "empty-class")),
                c("folder: undecodable JPEG", "broken.jpg", eval("folder", "bad-jpeg")),
                c("folder: PNG header claims 20000×20000", "huge.png", eval("folder", "huge-png")),
                c("folder: images of different sizes", "wide.png", eval("folder", "sizes")),
                c("folder: no test/ or val/", w("no-test").toString(), eval("folder", "no-test")),
                c("folder: test class missing from train/", "test/c", eval("folder", "foreign-class")),
                // Augmentation settings (data/AugmentConfig, RandAugmentSpec) name the train flags.
                c("train --mixup-prob 2", "--mixup-prob", train("--mixup", "0.8", "--mixup-prob", "2")),
                c("train --crop-pad -1", "--crop-pad", train("--crop-pad", "-1")),
                c("train --hflip 1.5", "--hflip", train("--hflip", "1.5")),
                c("train --reprob NaN", "--reprob", train("--reprob", "NaN")),
                c("train --mixup -1", "--mixup", train("--mixup", "-1")),
                c("train --aa rand-q9", "--aa", train("--aa", "rand-q9")),
                c("train --aa auto-m9", "--aa", train("--aa", "auto-m9"))));
        return k;
    }

    static String[] eval(String dataset, String dir) {
        return new String[] {"eval", "--checkpoint", fx.run().toString(), "--dataset", dataset, "--data-dir", w(dir).toString()};
    }

    static String[] train(String... extra) {
        return cat(new String[] {"train", "--model", "paramixer_nano", "--dataset", "folder", "--data-dir", fx.data().toString(),
                "--img-size", "8", "--epochs", "1", "--threads", "1", "--no-progress", "--output", w("train-out").toString()}, extra);
    }

    static String[] cat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @TestFactory
    List<DynamicTest> campaign() {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 50, cases.size() + " cases");
        table.add("| # | case | exit | message |");
        table.add("|---|---|---|---|");
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            int n = i + 1;
            tests.add(DynamicTest.dynamicTest(n + ": " + c.what(), () -> check(n, c)));
        }
        return tests;
    }

    static void check(int n, Case c) throws IOException {
        Map<String, String> before = CliFixture.snapshot(work, Path.of("results"));
        CommandLine cl = Main.commandLine();
        cl.addSubcommand("boom-npe", new NullPointer());
        cl.addSubcommand("boom-stack", new Overflow());
        cl.addSubcommand("boom-blank", new Blank());
        cl.addSubcommand("boom-wrapped", new Wrapped());
        CliRun.Result r = CliRun.run(cl, c.args());
        List<String> lines = r.errLines();
        table.add("| " + n + " | " + c.what() + " | " + r.code() + " | " + String.join(" ⏎ ", lines).replace(root.toString(), "…")
                .replace("|", "\\|") + " |");
        assertEquals(c.exit(), r.code(), "exit code; stderr: " + r.err());
        assertEquals(c.lines(), lines.size(), "stderr lines: " + r.err());
        for (String line : lines) assertTrue(line.startsWith("hopmixer: "), line);
        assertTrue(lines.getFirst().contains(c.names()), "the error should name " + c.names() + ": " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception") || r.err().contains("Error:"), "no stack trace: " + r.err());

        Map<String, String> after = CliFixture.snapshot(work, Path.of("results"));
        if (c.output() != null) {
            // The partial predict wrote its output (the good files' rows) and nothing else.
            List<String> rows = Files.readAllLines(c.output());
            assertEquals(3, rows.size(), "header and the two good images: " + rows);
            after.keySet().removeIf(p -> p.equals(c.output().toString()) || p.equals(c.output().getParent().toString()));
        }
        assertEquals(before, after, "files under the work folder or results/ changed");
        if (c.exit() == 1) {
            Matcher m = Pattern.compile("the full trace is in (\\S+\\.log)$").matcher(lines.getFirst());
            assertTrue(m.find(), lines.getFirst());
            Path log = Path.of(m.group(1));
            assertEquals(logs, log.getParent());
            String trace = Files.readString(log);
            assertTrue(trace.contains("\tat ") && trace.contains(c.args()[0]), trace);
        }
    }

    @Command(name = "boom-npe")
    static final class NullPointer implements Callable<Integer> {
        String missing;

        @Override
        public Integer call() {
            return missing.length();
        }
    }

    @Command(name = "boom-stack")
    static final class Overflow implements Callable<Integer> {
        @Override
        public Integer call() {
            return deeper(0);
        }

        static int deeper(int n) {
            return deeper(n + 1) + 1;
        }
    }

    @Command(name = "boom-blank")
    static final class Blank implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalArgumentException();
        }
    }

    @Command(name = "boom-wrapped")
    static final class Wrapped implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("making evaluation batch 3 failed", new NullPointerException("images is null"));
        }
    }
}
