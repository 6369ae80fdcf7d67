package io.github.hopmixer.sweep;

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
}
