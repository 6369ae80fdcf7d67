package io.github.hopmixer.sweep;

import io.github.hopmixer.testing.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A 2-cell local sweep on a tiny ImageFolder, end to end: one cell's training process is killed (the sweep
 * reports it, goes on with the other cell and exits non-zero), then the sweep itself is stopped mid-cell; run
 * again, it resumes both from their checkpoints and finishes; a third run skips everything.
 */
class LocalSweepTest {
    @TempDir
    Path tmp;

    @Test
    void killedSweepGoesOnWhereItStopped() throws Exception {
        Path data = Bars.write(tmp.resolve("bars"), 32, 12), sweep = tmp.resolve("sweep");
        String[] grid = {"sweep", sweep.toString(), "--models", "paramixer_nano", "--seeds", "1,2", "--datasets", "bars=folder:" + data,
                "--train-args", "--epochs 4 --batch-size 16 --img-size 8 --lr 3e-3 --hflip 0 --checkpoint-every 2", "--threads", "1"};
        CliRun.Result dry = CliRun.run(append(grid, "--dry-run"));
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("bars/paramixer_nano/seed1") && dry.out().contains("2 cells (4 epochs each): 2 not started"), dry.out());
        assertFalse(Files.exists(sweep), "a dry run writes nothing");
        Sweep s = Sweep.create(sweep, new Grid(List.of("paramixer_nano"), List.of(), List.of(1L, 2L), List.of(DatasetSpec.parse("bars=folder:" + data)),
                Grid.tokenize(grid[grid.length - 3])), 4, false);
        Path c0 = s.cellDir(s.cells().get(0)), c1 = s.cellDir(s.cells().get(1));

        // The sweep as its own process, so that it can be stopped like a user would.
        List<String> cmd = JavaCommand.hopmixer(null, List.of(grid));
        Path log = tmp.resolve("sweep1.log");
        long cell1Pid;
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // 1. Kill cell 0's training process (SIGKILL) once it has a checkpoint: the sweep reports it and goes on.
            waitFor(() -> hasCheckpoint(c0) && Files.exists(c0.resolve(Sweep.PID_FILE)), p, log);
            long trainPid = Long.parseLong(Files.readString(c0.resolve(Sweep.PID_FILE)).strip().split(" ")[0]);
            ProcessHandle.of(trainPid).orElseThrow().destroyForcibly();
            // 2. Stop the sweep (SIGTERM, as Ctrl-C or a scheduler would) while cell 1 trains.
            waitFor(() -> hasCheckpoint(c1) && Files.exists(c1.resolve(Sweep.PID_FILE)), p, log);
            cell1Pid = Long.parseLong(Files.readString(c1.resolve(Sweep.PID_FILE)).strip().split(" ")[0]);
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the sweep stops on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        String first = Files.readString(log);
        assertTrue(first.contains("bars/paramixer_nano/seed1: FAILED") && first.contains(c0.resolve("train.log").toString()),
                "a failed cell is one line naming it and its log:\n" + first);
        assertTrue(first.contains("bars/paramixer_nano/seed2: starting"), "the sweep went on with the next cell:\n" + first);
        assertFalse(ProcessHandle.of(cell1Pid).map(ProcessHandle::isAlive).orElse(false), "the stopped sweep stopped its cell too");
        assertFalse(Files.exists(c1.resolve(Sweep.PID_FILE)), "and removed the cell's pid file");
        assertTrue(SummaryCsv.read(c1.resolve("summary.csv")).size() < 4, "cell 1 was stopped before its end");
        assertEquals(Sweep.State.STARTED, s.status(s.cells().get(0)).state());
        assertEquals(Sweep.State.STARTED, s.status(s.cells().get(1)).state());

        // 3. Run again (no grid flags: the folder's grid), both cells at once: each resumes from its checkpoint and finishes.
        CliRun.Result again = CliRun.run("sweep", sweep.toString(), "--parallel", "2", "--threads", "2");
        assertTrue(again.out().contains("2 at a time, 1 threads each"), again.out());
        assertEquals(0, again.code(), again.out() + again.err());
        assertEquals(2, again.out().lines().filter(l -> l.contains(": resuming at ")).count(), again.out());
        assertTrue(again.out().contains("2 trained now, 0 already done, 0 failed"), again.out());
        for (Path c : List.of(c0, c1)) {
            var rows = SummaryCsv.read(c.resolve("summary.csv"));
            assertEquals(4, rows.size());
            assertTrue(rows.getLast().top1() > 80, "the bars are learnt after a resume: " + rows.getLast());
            assertTrue(Files.readString(c.resolve("train.log")).contains("resumed from"), "train.log keeps both attempts");
        }
        // 4. A third run trains nothing.
        CliRun.Result third = CliRun.run("sweep", sweep.toString());
        assertEquals(0, third.code());
        assertEquals(2, third.out().lines().filter(l -> l.endsWith("done, skipped")).count(), third.out());

        // A different grid into the same folder is refused, naming the folder.
        CliRun.Result other = CliRun.run("sweep", sweep.toString(), "--models", "symmixer_nano", "--seeds", "1", "--datasets", "bars=folder:" + data);
        assertEquals(2, other.code());
        assertTrue(other.err().contains("holds another sweep"), other.err());
        assertFalse(other.err().contains("\tat "), other.err());
    }

    @Test
    void badFlagsAreOneLine() throws IOException {
        Path sweep = tmp.resolve("bad");
        for (String[] args : List.of(
                new String[] {"sweep", sweep.toString(), "--models", "paramixer_nano", "--seeds", "1", "--datasets", "fashion-mnist", "--train-args", "--epochz 2"},
                new String[] {"sweep", sweep.toString(), "--models", "paramixer_nano", "--seeds", "1", "--datasets", "fashion-mnist", "--launcher", "pbs"},
                new String[] {"sweep", sweep.toString()},
                new String[] {"report", sweep.toString()})) {
            CliRun.Result r = CliRun.run(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("hopmixer: "), r.err());
        }
        assertTrue(CliRun.run("sweep", sweep.toString(), "--models", "paramixer_nano", "--seeds", "1", "--datasets", "fashion-mnist",
                "--train-args", "--epochz 2").err().contains("--epochz"));
        assertFalse(Files.exists(sweep.resolve("sweep.json")), "a refused grid writes nothing");
    }

    static String[] append(String[] a, String... more) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(more));
        return l.toArray(String[]::new);
    }

    static boolean hasCheckpoint(Path run) {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("step-"));
        } catch (IOException e) {
            return false;
        }
    }

    static void waitFor(BooleanSupplier cond, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!cond.getAsBoolean()) {
            if (!p.isAlive()) fail("the sweep ended early:\n" + Files.readString(log));
            if (System.nanoTime() > deadline) fail("timed out:\n" + Files.readString(log));
            Thread.sleep(5);
        }
    }
}
