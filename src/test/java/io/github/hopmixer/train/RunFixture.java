package io.github.hopmixer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Tiny runs for the run-directory tests: bar images the test writes, 2 steps an epoch (commands run through {@code testing.CliRun}). */
final class RunFixture {
    private RunFixture() {}

    /** Two classes told apart by where a bright bar is, in ImageFolder layout: {@code n} train and 8 test images a class. */
    static Path writeBars(Path root, int n) throws IOException {
        return io.github.hopmixer.testing.BarImages.write(root, n, 8);
    }

    /** {@code train} on the bars with 2 batches of 8 an epoch; a flag in {@code extra} replaces the default one. */
    static List<String> train(Path data, String... extra) {
        List<String> base = List.of("--model", "paramixer_nano", "--dataset", "folder", "--data-dir", data.toString(),
                "--img-size", "8", "--batch-size", "8", "--lr", "3e-3", "--hflip", "0", "--drop-path", "0.1", "--threads", "1");
        List<String> given = List.of(extra).stream().map(f -> f.equals("-b") ? "--batch-size" : f.split("=")[0]).toList();
        List<String> a = new ArrayList<>(List.of("train", "--no-progress"));
        for (int i = 0; i < base.size(); i += 2) {
            if (!given.contains(base.get(i))) a.addAll(base.subList(i, i + 2));
        }
        a.addAll(List.of(extra));
        return a;
    }

    /**
     * Every file under {@code dir} (the lock file aside): small files by a digest of their bytes, large ones (the
     * checkpoint tensors) by size and modification time, which any write changes. Equal snapshots, untouched files.
     */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(dir)) return out;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String rel = dir.relativize(p).toString();
                if (rel.equals(RunLock.FILE)) continue;
                out.put(rel, Files.isDirectory(p) ? "dir" : Files.size(p) > 1 << 20
                        ? Files.size(p) + " bytes, modified " + Files.getLastModifiedTime(p).toInstant()
                        : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /** Copies a run directory (to damage the copy). */
    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
        return to;
    }

    static String steps(Path run) throws IOException {
        return Files.readString(run.resolve("steps.csv"));
    }

    /** summary.csv without the time-dependent columns (images/s, seconds). */
    static List<String> summary(Path run) throws IOException {
        return Files.readAllLines(run.resolve("summary.csv")).stream()
                .map(l -> String.join(",", java.util.Arrays.copyOf(l.split(","), 6))).toList();
    }

    /** A child JVM running {@code main} of {@code cls} with the test class path. */
    static ProcessBuilder childJvm(Class<?> cls, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), cls.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    }
}
