package io.github.hopmixer.sweep;

import io.github.hopmixer.testing.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** sweep.json (same grid resumes, another is refused) and a cell's state read from its run directory. */
class SweepStateTest {
    @TempDir
    Path tmp;

    static Grid grid(long... seeds) {
        return new Grid(List.of("paramixer_nano"), List.of(), java.util.Arrays.stream(seeds).boxed().toList(),
                List.of(DatasetSpec.parse("fashion-mnist")), List.of("--epochs", "2"));
    }

    static final String HEADER = "epoch,train_loss,eval_loss,eval_top1,eval_top5,lr,train_images_per_sec,epoch_seconds";

    @Test
    void sameGridResumesAnotherIsRefused() throws IOException {
        Path dir = tmp.resolve("s");
        Sweep s = Sweep.create(dir, grid(1, 2), 2);
        assertTrue(Files.isRegularFile(dir.resolve("sweep.json")));
        String json = Files.readString(dir.resolve("sweep.json"));
        assertEquals(2, Sweep.create(dir, grid(1, 2), 2).cells().size());
        assertEquals(json, Files.readString(dir.resolve("sweep.json")));
        var e = assertThrows(IllegalArgumentException.class, () -> Sweep.create(dir, grid(1, 3), 2));
        assertTrue(e.getMessage().contains("holds another sweep"), e.getMessage());
        assertEquals(json, Files.readString(dir.resolve("sweep.json")), "a refused grid changes nothing");
        assertEquals(s.grid(), Sweep.open(dir).grid());
        assertEquals(2, Sweep.open(dir).epochs());
        // a folder with other things in it and no sweep.json is not taken over
        Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(tmp.resolve("busy/notes.txt"), "mine");
        assertThrows(IllegalArgumentException.class, () -> Sweep.create(tmp.resolve("busy"), grid(1), 2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sweep.open(tmp.resolve("busy"))).getMessage().contains("no sweep.json"));
    }

    @Test
    void statesFromTheRunDirectory() throws IOException {
        Sweep s = Sweep.create(tmp.resolve("s"), grid(1, 2, 3, 4, 5), 2);
        List<Cell> c = s.cells();
        // 0: nothing on disk
        // 1: complete summary.csv
        Path d1 = Files.createDirectories(s.cellDir(c.get(1)));
        Files.writeString(d1.resolve("summary.csv"), HEADER + "\n0,1,1,50,90,1e-3,10,1\n1,1,1,60,95,0,10,1\n");
        // 2: a checkpoint and one epoch
        Path d2 = Files.createDirectories(s.cellDir(c.get(2)).resolve("checkpoints/step-00000004"));
        Files.writeString(s.cellDir(c.get(2)).resolve("summary.csv"), HEADER + "\n0,1,1,50,90,1e-3,10,1\n1,1,1,6");
        // 3: only run.json (killed before its first checkpoint, run-directory contract)
        Files.createDirectories(s.cellDir(c.get(3)));
        Files.writeString(s.cellDir(c.get(3)).resolve("run.json"), "{}");
        // 4: only a log and a temporary checkpoint (today's train killed early): a fresh start
        Files.createDirectories(s.cellDir(c.get(4)).resolve("checkpoints/.step-00000002.tmp"));
        Files.writeString(s.cellDir(c.get(4)).resolve("train.log"), "starting");
        assertEquals(List.of(Sweep.State.NOT_STARTED, Sweep.State.DONE, Sweep.State.STARTED, Sweep.State.STARTED, Sweep.State.NOT_STARTED),
                c.stream().map(x -> s.status(x).state()).toList());
        assertEquals(1, s.status(c.get(2)).epochsDone(), "a cut last line is not an epoch");
        assertEquals("in progress, 1/2 epochs", s.status(c.get(2)).text(2));
        assertTrue(d2.toFile().isDirectory());
        // a live process named in sweep.pid makes the cell RUNNING; a dead or reused pid does not
        ProcessHandle me = ProcessHandle.current();
        long start = me.info().startInstant().orElseThrow().toEpochMilli();
        Files.writeString(s.cellDir(c.get(2)).resolve(Sweep.PID_FILE), me.pid() + " " + start + " " + Sweep.host() + "\n");
        assertEquals(Sweep.State.RUNNING, s.status(c.get(2)).state());
        Files.writeString(s.cellDir(c.get(2)).resolve(Sweep.PID_FILE), me.pid() + " " + (start - 3_600_000) + " " + Sweep.host() + "\n");
        assertEquals(Sweep.State.STARTED, s.status(c.get(2)).state());
    }

    @Test
    void cellRunnerSkipsADoneCellWithoutStartingAnything() throws IOException {
        Sweep s = Sweep.create(tmp.resolve("s"), grid(1), 2);
        Path d = Files.createDirectories(s.cellDir(s.cells().getFirst()));
        Files.writeString(d.resolve("summary.csv"), HEADER + "\n0,1,1,50,90,1e-3,10,1\n1,1,1,60,95,0,10,1\n");
        var out = new java.io.ByteArrayOutputStream();
        assertEquals(CellRunner.Outcome.SKIPPED, CellRunner.run(s, s.cells().getFirst(), 1, new java.io.PrintStream(out, true)));
        assertFalse(Files.exists(d.resolve("train.log")));
        assertTrue(out.toString().contains("done, skipped"), out.toString());
    }

    /** A finished or started run's run.json: its model, seed, data set and epochs as train records them. */
    static void manifest(Path dir, String model, long seed, int epochs) throws IOException {
        var settings = new com.google.gson.JsonObject();
        settings.addProperty("--model", model);
        settings.addProperty("--dataset", "fashion-mnist");
        settings.addProperty("--seed", seed);
        settings.addProperty("--epochs", epochs);
        Files.createDirectories(dir);
        new io.github.hopmixer.train.Manifest(model, "fashion-mnist", null, seed, io.github.hopmixer.train.Manifest.VERSION,
                "2026-12-01T00:00:00Z", settings, List.of()).write(dir);
    }

    static final String DONE2 = HEADER + "\n0,1,1,50,90,1e-3,10,1\n1,1,1,60,95,0,10,1\n";

    @Test
    void finishedRunOfAnotherConfigurationIsNotTheCells() throws IOException {
        Sweep s = Sweep.create(tmp.resolve("s"), grid(1, 2, 3), 2);
        List<Cell> c = s.cells();
        // 0: the cell's own finished run; 1: a symmixer run with seed 42 copied in; 2: the right model, another seed
        manifest(s.cellDir(c.get(0)), "paramixer_nano", 1, 2);
        manifest(s.cellDir(c.get(1)), "symmixer_nano", 42, 2);
        manifest(s.cellDir(c.get(2)), "paramixer_nano", 7, 2);
        for (Cell x : c) Files.writeString(s.cellDir(x).resolve("summary.csv"), DONE2);
        assertEquals(List.of(Sweep.State.DONE, Sweep.State.FOREIGN, Sweep.State.FOREIGN), c.stream().map(x -> s.status(x).state()).toList());
        String why = s.status(c.get(1)).text(2);
        assertTrue(why.startsWith("holds another run: --model paramixer_nano differs from run ") && why.contains("symmixer_nano"), why);
        assertTrue(s.status(c.get(2)).text(2).contains("--seed 3 differs"), s.status(c.get(2)).text(2));
        // the sweep neither skips it as done nor touches it
        var out = new java.io.ByteArrayOutputStream();
        assertEquals(CellRunner.Outcome.REFUSED, CellRunner.run(s, c.get(1), 1, new java.io.PrintStream(out, true)));
        assertTrue(out.toString().contains("seed2: REFUSED, holds another run") && out.toString().contains("away"), out.toString());
        assertFalse(Files.exists(s.cellDir(c.get(1)).resolve("train.log")));
        assertEquals(DONE2, Files.readString(s.cellDir(c.get(1)).resolve("summary.csv")));
        // and the report does not count its numbers as the cell's
        SweepReport r = SweepReport.of(s);
        assertEquals(1, r.cellsDone());
        assertEquals(List.of(1, 2), r.missing().stream().map(m -> m.cell().index()).toList());
    }

    @Test
    void emptySummaryIsADamagedCellNotAnError() throws IOException {
        Sweep s = Sweep.create(tmp.resolve("s"), grid(1, 2), 2);
        Files.createDirectories(s.cellDir(s.cells().get(0)));
        Files.writeString(s.cellDir(s.cells().get(0)).resolve("summary.csv"), "");
        Files.createDirectories(s.cellDir(s.cells().get(1)));
        Files.writeString(s.cellDir(s.cells().get(1)).resolve("summary.csv"), DONE2);
        Sweep.Status st = s.status(s.cells().get(0));
        assertEquals(Sweep.State.DAMAGED, st.state());
        assertTrue(st.text(2).startsWith("damaged: " + s.cellDir(s.cells().get(0)).resolve("summary.csv")), st.text(2));
        var out = new java.io.ByteArrayOutputStream();
        assertEquals(CellRunner.Outcome.REFUSED, CellRunner.run(s, s.cells().get(0), 1, new java.io.PrintStream(out, true)));
        assertEquals("", Files.readString(s.cellDir(s.cells().get(0)).resolve("summary.csv")), "nothing on disk is touched");
        // report: the other cell is reported, this one is listed as damaged
        CliRun.Result rep = CliRun.run("report", s.dir().toString());
        assertEquals(0, rep.code(), rep.out() + rep.err());
        assertTrue(rep.out().contains("1 of 2 cells done") && rep.out().contains("seed1: damaged: "), rep.out());
        // a Slurm submission with only that cell left submits nothing, says why, and is not "every cell is done"
        CliRun.Result sub = CliRun.run("sweep", s.dir().toString(), "--launcher", "slurm", "--dry-run");
        assertEquals(1, sub.code(), sub.out() + sub.err());
        assertTrue(sub.out().contains("1 refused cell (listed above) not submitted") && !sub.out().contains("every cell is done"), sub.out());
        String md = Files.readString(s.dir().resolve("report/report.md"));
        assertTrue(md.contains("`fashion-mnist/paramixer_nano/seed1`: damaged: "), md);
    }

    @Test
    void dryRunWritesNothing() throws IOException {
        Path dir = tmp.resolve("dry");
        String[] grid = {"sweep", dir.toString(), "--seeds", "1", "--datasets", "fashion-mnist", "--train-args", "--epochs 1", "--dry-run"};
        for (String models : List.of("paramixer_nano", "symmixer_nano")) {
            String[] a = java.util.stream.Stream.concat(java.util.stream.Stream.of(grid), java.util.stream.Stream.of("--models", models)).toArray(String[]::new);
            CliRun.Result r = CliRun.run(a);
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("fashion-mnist/" + models + "/seed1") && r.out().contains("1 not started"), r.out());
        }
        CliRun.Result r = CliRun.run("sweep", dir.toString(), "--models", "paramixer_nano", "--seeds", "1", "--datasets", "fashion-mnist",
                "--dry-run", "--launcher", "slurm");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("#SBATCH --array=0") && r.out().contains("--dry-run writes nothing"), r.out());
        assertFalse(Files.exists(dir), "a dry run leaves no sweep.json, script or jar: " + dir);
        // a dry run into a sweep folder checks its grid as a real run would, still writing nothing
        Sweep.create(dir, new Grid(List.of("paramixer_nano"), List.of(), List.of(1L), List.of(DatasetSpec.parse("fashion-mnist")), List.of("--epochs", "1")), 1);
        String json = Files.readString(dir.resolve("sweep.json"));
        r = CliRun.run("sweep", dir.toString(), "--models", "symmixer_nano", "--seeds", "1", "--datasets", "fashion-mnist", "--train-args", "--epochs 1", "--dry-run");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("holds another sweep"), r.err());
        assertEquals(json, Files.readString(dir.resolve("sweep.json")));
        try (var f = Files.list(dir)) {
            assertEquals(1, f.count());
        }
    }

    @Test
    void cellThatTrainRefusesSaysWhyAndIsNotOfferedARetry() throws IOException {
        Sweep s = Sweep.create(tmp.resolve("s"), grid(1), 2);
        // started by another configuration: train --resume refuses it (exit 2), its reason only in train.log
        manifest(s.cellDir(s.cells().getFirst()), "symmixer_nano", 1, 2);
        CliRun.Result r = CliRun.run("sweep", s.dir().toString(), "--threads", "1");
        assertEquals(1, r.code(), r.out() + r.err());
        String line = r.out().lines().filter(l -> l.contains("seed1: FAILED")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(line.contains("(exit 2, 0/2 epochs in summary.csv): --model paramixer_nano differs from run ") && line.contains("train.log"), line);
        assertFalse(r.out().contains("run the same command again"), r.out());
        assertTrue(r.out().contains("1 refused") && r.out().contains("need a change first"), r.out());
    }
}
