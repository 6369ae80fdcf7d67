package io.github.hopmixer.train;

import io.github.hopmixer.testing.CliRun;
import io.github.hopmixer.cli.Main;
import io.github.hopmixer.testing.CliRun.Result;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Faults from outside: a run killed with SIGKILL at random moments (mid-step, mid-checkpoint, mid-resume) leaves
 * only checkpoints that load, and resumed to the end it matches the uninterrupted run exactly; a full disk ends a
 * run with one line and no partial checkpoint.
 */
class RunFaultTest {
    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void writeData() throws IOException {
        data = RunFixture.writeBars(tmp.resolve("bars"), 16); // 4 steps an epoch
    }

    static List<String> args(Path run, String... extra) {
        List<String> a = new ArrayList<>(List.of("--checkpoint-every", "6", "--output", run.toString()));
        if (!List.of(extra).contains("--epochs")) a.addAll(List.of("--epochs", "4"));
        a.addAll(List.of(extra));
        return RunFixture.train(data, a.toArray(String[]::new));
    }

    @Test
    void killedAtRandomMomentsEveryCheckpointLoadsAndTheResumedRunMatches() throws Exception {
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        Result w = CliRun.run(args(whole));
        assertEquals(0, w.code(), w.err());
        long seed = System.nanoTime();
        System.out.println("kill moments from seed " + seed);
        Random r = new Random(seed);
        long done = 0;
        for (int kill = 0; kill < 3; kill++) {
            // The first start trains afresh; later ones resume (once with the flags repeated, as a sweep does).
            List<String> cmd = kill == 0 ? args(killed) : kill == 1 ? args(killed, "--resume", killed.toString())
                    : List.of("train", "--resume", killed.toString(), "--threads", "1", "--no-progress");
            long target = done + 1 + r.nextInt(2);
            Process p = RunFixture.childJvm(Main.class, cmd).redirectOutput(tmp.resolve("child-" + kill + ".log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (p.isAlive() && stepsDone(killed) < target && System.nanoTime() < deadline) Thread.sleep(2);
            Thread.sleep(r.nextInt(40));
            assertTrue(p.isAlive(), "the run ended before kill " + kill + "; see " + tmp.resolve("child-" + kill + ".log"));
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            done = Math.max(done, stepsDone(killed));
            for (Path ck : checkpoints(killed)) {
                Checkpoint.Loaded l = Checkpoint.load(ck);
                assertEquals(CheckpointFiles.step(ck), l.position().step(), ck + " holds its own step");
            }
        }
        assertTrue(done < 16, "killed before the end: " + done + " steps");
        Result rest = CliRun.run("train", "--resume", killed.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, rest.code(), rest.err());
        assertEquals(RunFixture.steps(whole), RunFixture.steps(killed), "a resumed run repeats the uninterrupted run's steps exactly");
        assertEquals(RunFixture.summary(whole), RunFixture.summary(killed));
        try (Stream<Path> s = Files.list(killed.resolve("checkpoints"))) {
            assertTrue(s.allMatch(p -> p.getFileName().toString().startsWith("step-")), "no temporary or half-deleted checkpoint left");
        }
    }

    /** As root, a 20 MB tmpfs holds one checkpoint (12.8 MB) but not two; elsewhere skipped with the reason. */
    @Test
    void aFullDiskEndsTheRunWithOneLineAndNoPartialCheckpoint() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("small-disk"));
        String why = mountTmpfs(mount, "20m");
        Assumptions.assumeTrue(why == null, () -> "disk-full test skipped: cannot mount a tmpfs here (" + why + ")");
        try {
            Path run = mount.resolve("run");
            Result r = CliRun.run(args(run, "--epochs", "2"));
            System.out.println("disk full: " + r.err().strip());
            assertEquals(2, r.code(), r.out());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().contains("No space left on device"), r.err());
            List<Path> left = checkpoints(run);
            assertFalse(left.isEmpty(), "the first checkpoint fitted");
            for (Path ck : left) Checkpoint.load(ck);
            try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
                assertEquals(left.size(), s.count(), "nothing but complete checkpoints: no temporary directory left");
            }
            for (String line : Files.readAllLines(run.resolve("steps.csv"))) assertEquals(5, line.split(",").length, line);
        } finally {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Null when mounted, else why not. */
    private static String mountTmpfs(Path dir, String size) {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor() == 0 ? null : "mount exited " + p.exitValue() + ": " + out;
        } catch (IOException | InterruptedException e) {
            return e.toString();
        }
    }

    private static long stepsDone(Path run) throws IOException {
        Path f = run.resolve("steps.csv");
        if (!Files.exists(f)) return 0;
        try {
            return Files.readAllLines(f).stream().filter(l -> !l.startsWith("step") && l.split(",").length == 5).count();
        } catch (java.nio.charset.MalformedInputException e) {
            return 0; // a line being written; ask again
        }
    }

    private static List<Path> checkpoints(Path run) throws IOException {
        Path root = run.resolve("checkpoints");
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
        }
    }
}
