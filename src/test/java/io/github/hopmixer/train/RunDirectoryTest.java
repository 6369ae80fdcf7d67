package io.github.hopmixer.train;

import io.github.hopmixer.io.SafeTensors;
import io.github.hopmixer.io.TensorData;
import io.github.hopmixer.testing.CliRun.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.github.hopmixer.testing.CliRun.run;
import static io.github.hopmixer.train.RunFixture.snapshot;
import static io.github.hopmixer.train.RunFixture.train;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The data-loss cases of issue 10 as regression tests: two runs into one directory, a bad setting against an
 * existing run, resume in place, a finished run, non-finite weights, damaged checkpoints, the lock.
 */
class RunDirectoryTest {
    @TempDir
    static Path tmp;
    static Path data, oneEpoch;

    @BeforeAll
    static void oneEpochRun() throws IOException {
        data = RunFixture.writeBars(tmp.resolve("bars"), 8);
        oneEpoch = tmp.resolve("one-epoch");
        Result r = run(train(data, "--epochs", "1", "--output", oneEpoch.toString()));
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void aSecondRunIntoTheSameDirectoryIsRefusedAndChangesNothing() throws IOException {
        Map<String, String> before = snapshot(oneEpoch);
        Result r = run(train(data, "--epochs", "3", "--lr", "1e-3", "--output", oneEpoch.toString()));
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("already holds a run") && r.err().contains("--resume " + oneEpoch)
                && r.err().contains("fresh --output"), r.err());
        assertEquals(before, snapshot(oneEpoch));
    }

    @Test
    void theDefaultOutputIsRefusedTheSameWay() {
        var e = assertThrows(IllegalArgumentException.class, () -> RunDirectory.requireFresh(oneEpoch, "the default output (--output)"));
        assertTrue(e.getMessage().startsWith("the default output (--output) " + oneEpoch + " already holds a run"), e.getMessage());
    }

    @Test
    void aChangedSettingAgainstARunIsRefusedNamingTheFlagAsTyped() throws IOException {
        Map<String, String> before = snapshot(oneEpoch);
        Result r = run(train(data, "--epochs", "2", "-b", "4", "--resume", oneEpoch.toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("hopmixer: -b 4 differs from run " + oneEpoch), r.err());
        assertTrue(r.err().contains("data order"), r.err());
        assertEquals(before, snapshot(oneEpoch));
    }

    @Test
    void aFinishedRunSaysSoAndExitsZero() throws IOException {
        Map<String, String> before = snapshot(oneEpoch);
        for (List<String> args : List.of(List.of("train", "--resume", oneEpoch.toString()),
                train(data, "--epochs", "1", "--output", oneEpoch.toString(), "--resume", oneEpoch.toString()))) {
            Result r = run(args);
            assertEquals(0, r.code(), r.err());
            assertEquals("run " + oneEpoch + " is already finished (1 epoch)", r.out().strip());
        }
        assertEquals(before, snapshot(oneEpoch));
    }

    /** --resume RUN continues in RUN; a longer --epochs recomputes the cosine over the new total, as timm does. */
    @Test
    void resumeContinuesInPlaceAndALongerScheduleMatchesTheLongerRun() throws IOException {
        Path two = tmp.resolve("two-epochs"), extended = RunFixture.copy(oneEpoch, tmp.resolve("extended"));
        assertEquals(0, run(train(data, "--epochs", "2", "--output", two.toString())).code());
        Result r = run("train", "--resume", extended.toString(), "--epochs", "2", "--no-progress", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("extended from 1 to 2 epochs"), r.out());
        assertFalse(Files.exists(Path.of("runs", "paramixer_nano-folder")), "resume must not write to ./runs");
        // cos over 1 epoch and over 2 agree at epoch 0, so the extended run is the 2-epoch run exactly.
        assertEquals(RunFixture.steps(two), RunFixture.steps(extended));
        assertEquals(RunFixture.summary(two), RunFixture.summary(extended));
        Manifest m = Manifest.read(extended);
        assertEquals(2, m.epochs());
        assertEquals(List.of(1, 2), List.of(m.extensions().getFirst().from(), m.extensions().getFirst().to()));
        Result shorter = run("train", "--resume", extended.toString(), "--epochs", "1");
        assertEquals(2, shorter.code());
        assertTrue(shorter.err().contains("--epochs 1 differs") && shorter.err().contains("cannot be shortened"), shorter.err());
    }

    /** Killed before its first checkpoint: run.json alone (and a cut steps.csv line) restart from step 0 with its settings. */
    @Test
    void aRunWithAManifestButNoCheckpointStartsFromStepZero() throws IOException {
        Path bare = Files.createDirectories(tmp.resolve("bare"));
        Files.copy(oneEpoch.resolve(Manifest.FILE), bare.resolve(Manifest.FILE));
        Files.writeString(bare.resolve("steps.csv"), "step,epoch,batch,loss,lr\n1,0,0,0.69");
        Result r = run("train", "--resume", bare.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertEquals(RunFixture.steps(oneEpoch), RunFixture.steps(bare));
    }

    @Test
    void aCutOrGarbledStepsLineDoesNotStopAResume() throws IOException {
        Path run = tmp.resolve("cut");
        assertEquals(0, run(train(data, "--epochs", "2", "--checkpoint-every", "3",
                "--output", run.toString())).code());
        String whole = RunFixture.steps(run);
        List<String> summary = RunFixture.summary(run);
        // Back to the checkpoint at step 3, as if killed there while writing step 4's line.
        for (long s : List.of(4L)) Checkpoint.deleteTree(run.resolve(String.format("checkpoints/step-%08d", s)));
        String cut = whole.substring(0, whole.indexOf("\n4,") + 1) + "4,1,1,0.6\u0000\u0000\nxx,garbage\n";
        Files.writeString(run.resolve("steps.csv"), cut);
        Files.writeString(run.resolve("summary.csv"), Files.readString(run.resolve("summary.csv")) + "1,0.5");
        Result r = run("train", "--resume", run.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertEquals(whole, RunFixture.steps(run));
        assertEquals(summary, RunFixture.summary(run));
        // A checkpoint directory inside the run rewinds it there; the replay rewrites the same steps.
        Result again = run("train", "--resume", run.resolve("checkpoints/step-00000003").toString(), "--threads", "1", "--no-progress");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("resumed from " + run.resolve("checkpoints/step-00000003") + " at step 3"), again.out());
        assertEquals(whole, RunFixture.steps(run));
    }

    @Test
    void divergenceNamesTheNewestGoodCheckpointAndWritesNoPoisonedOne() throws IOException {
        Path run = tmp.resolve("diverges");
        Result r = run(train(data, "--epochs", "3", "--warmup-epochs", "1", "--warmup-lr", "1e-3", "--lr", "1e30",
                "--output", run.toString()));
        assertEquals(2, r.code(), r.out());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("training diverged") && r.err().contains("newest good checkpoint is "
                + run.resolve("checkpoints").resolve("step-00000002")), r.err());
        assertTrue(r.err().contains("lower --lr"), r.err());
        try (var s = Files.list(run.resolve("checkpoints"))) {
            for (Path ck : s.toList()) {
                for (float[] v : Checkpoint.load(ck).params().values()) for (float x : v) assertTrue(Float.isFinite(x), ck.toString());
            }
        }
    }

    @Test
    void nonFiniteWeightsAreNeverWritten() throws IOException {
        Path run = RunFixture.copy(oneEpoch, tmp.resolve("nan-weights"));
        Checkpoint.Loaded ck = Checkpoint.load(run);
        Map<String, float[]> params = new LinkedHashMap<>(ck.params());
        float[] bad = params.get("head.bias").clone();
        bad[1] = Float.NaN;
        params.put("head.bias", bad);
        Map<String, String> before = snapshot(run);
        var e = assertThrows(IllegalStateException.class, () -> Checkpoint.save(run, ck.model(),
                io.github.hopmixer.model.Mixer.parameters(ck.model()), ck.classNames(), ck.normalization(), params,
                ck.moments(), new Checkpoint.Position(99, 2, 0, 0), ck.seed(), "{}", 2));
        assertTrue(e.getMessage().startsWith("tensor head.bias holds NaN at step 99: no checkpoint written; the newest good checkpoint is "
                + ck.dir()), e.getMessage());
        assertEquals(before, snapshot(run));
    }

    @Test
    void aTensorOfTheRightSizeButWrongShapeIsRefused() throws IOException {
        Path run = RunFixture.copy(oneEpoch, tmp.resolve("wrong-shape"));
        Path file = Checkpoint.latest(run).resolve(Checkpoint.MODEL_FILE);
        SafeTensors st = SafeTensors.read(file);
        Map<String, TensorData> t = new LinkedHashMap<>(st.tensors());
        TensorData w = t.get("head.weight");
        t.put("head.weight", new TensorData("F32", new long[] {w.shape()[1], w.shape()[0]}, w.data()));
        SafeTensors.write(file, t, st.metadata());
        Result r = run("eval", "--checkpoint", run.toString(), "--dataset", "folder", "--data-dir", data.toString());
        assertEquals(2, r.code());
        assertEquals("hopmixer: " + file + ": tensor head.weight has shape [128, 2], but its model_config (paramixer_nano) needs [2, 128]",
                r.err().strip());
    }

    @Test
    void aModelConfigThatIsNotJsonOrContradictsTheTensorsIsOneLine() throws IOException {
        Path run = RunFixture.copy(oneEpoch, tmp.resolve("bad-config"));
        Path file = Checkpoint.latest(run).resolve(Checkpoint.MODEL_FILE);
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> meta = new LinkedHashMap<>(st.metadata());
        meta.put("model_config", "{\"name\": \"paramixer_nano\", dim: ");
        SafeTensors.write(file, st.tensors(), meta);
        Result r = run("eval", "--checkpoint", run.toString(), "--dataset", "folder", "--data-dir", data.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("hopmixer: " + file + ": model_config is not a valid model description"), r.err());

        meta.put("model_config", st.metadata().get("model_config").replace("\"dim\":128", "\"dim\":64"));
        SafeTensors.write(file, st.tensors(), meta);
        r = run("eval", "--checkpoint", run.toString(), "--dataset", "folder", "--data-dir", data.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("hopmixer: " + file + ": tensor stem.proj.weight has shape [128, 3, 4, 4], but its model_config"),
                r.err());
    }

    @Test
    void normalisationAndClassesAreStoredAndReadBack() throws IOException {
        Checkpoint.ModelFile mf = Checkpoint.loadModel(oneEpoch);
        assertArrayEquals(new double[] {0.5}, mf.normalization().mean());
        assertArrayEquals(new double[] {0.5}, mf.normalization().std());
        assertEquals(List.of("bottom", "top"), mf.classNames());
        assertEquals(8, mf.imageSize());
        // Written with other values, they are what is read back; a checkpoint without them gets the old 0.5.
        Path run = RunFixture.copy(oneEpoch, tmp.resolve("norm"));
        Path file = Checkpoint.latest(run).resolve(Checkpoint.MODEL_FILE);
        SafeTensors st = SafeTensors.read(file);
        Map<String, String> meta = new LinkedHashMap<>(st.metadata());
        meta.put("mean", "[0.25,0.5,0.75]");
        meta.put("std", "[0.2,0.3,0.4]");
        SafeTensors.write(file, st.tensors(), meta);
        assertArrayEquals(new double[] {0.25, 0.5, 0.75}, Checkpoint.loadModel(run).normalization().mean());
        meta.remove("mean");
        meta.remove("std");
        SafeTensors.write(file, st.tensors(), meta);
        assertSame(Checkpoint.Normalization.LEGACY, Checkpoint.loadModel(run).normalization());
        // The train config is real JSON.
        var cfg = com.google.gson.JsonParser.parseString(Checkpoint.load(oneEpoch).configJson()).getAsJsonObject();
        assertEquals(8, cfg.get("batchSize").getAsInt());
    }

    @Test
    void pruningOrdersByStepAndNeverDropsTheCheckpointJustWritten() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("prune/checkpoints"));
        for (long s : List.of(5L, 7L, 10L, 100L)) Files.createDirectories(root.resolve(String.format("step-%08d", s)));
        Files.createDirectories(root.resolve(".step-00000011.tmp"));
        Files.createDirectories(root.resolve(".step-00000003.del/half-deleted"));
        CheckpointFiles.prune(root, 10, 2);
        try (var s = Files.list(root)) {
            assertEquals(List.of("step-00000007", "step-00000010"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        CheckpointFiles.prune(root, 10, 1);
        try (var s = Files.list(root)) {
            assertEquals(List.of("step-00000010"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void withoutATerminalProgressLinesAppearEveryNSteps() {
        Path run = tmp.resolve("log-lines");
        Result r = run(train(data, "--epochs", "1", "--log-every", "1", "--output", run.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*epoch 0  step 1/2  loss \\d+\\.\\d{4}  \\d+ img/s  ETA \\d+s\n.*epoch 0  step 2/2 .*"), r.out());
    }

    /** A second process on the directory is refused naming its pid; once it is killed its stale lock is taken over. */
    @Test
    void aLockHeldByAnotherProcessRefusesAndAStaleOneIsTakenOver() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("locked"));
        Process holder = RunFixture.childJvm(LockHolder.class, List.of(run.toString())).start();
        try {
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream())).readLine();
            assertEquals("locked " + holder.pid(), line);
            Result r = run(train(data, "--epochs", "1", "--output", run.toString()));
            assertEquals(2, r.code());
            assertEquals("hopmixer: run " + run + " is in use by process " + holder.pid() + " (lock " + run.resolve(".lock")
                    + "); wait for it to finish, or train into a fresh --output", r.err().strip());
            assertEquals(Map.of("", "dir"), snapshot(run), "nothing written beside the lock");
        } finally {
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(Files.exists(run.resolve(".lock")), "the killed holder leaves its lock file behind");
        Result r = run(train(data, "--epochs", "1", "--output", run.toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals(RunFixture.steps(oneEpoch), RunFixture.steps(run));
    }

    @Test
    void aRunRefusedForTooFewImagesWritesNothingAndTheDirectoryStaysFree() throws IOException {
        Path out = tmp.resolve("too-few");
        Result r = run(train(data, "--epochs", "1", "-b", "32", "--output", out.toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("hopmixer: the training set has 16 images, fewer than one batch of 32"), r.err());
        assertFalse(Files.exists(out), "a refused run writes nothing");
        r = run(train(data, "--epochs", "1", "--output", out.toString()));
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void aNewRunThatFailsBeforeItsFirstStepTakesItsFilesAwayAndKeepsWhatWasThere() throws IOException {
        // A folder holding the summary's temporary name: the run claims the directory, then cannot write summary.csv.
        Path out = tmp.resolve("fails-at-start"), blocker = Files.createDirectories(out.resolve(".summary.csv.tmp"));
        Files.writeString(blocker.resolve("mine"), "kept\n");
        Map<String, String> before = snapshot(out);
        Result r = run(train(data, "--epochs", "1", "--output", out.toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("hopmixer: cannot rewrite " + out.resolve("summary.csv") + ": "), r.err());
        assertEquals(before, snapshot(out));
        assertFalse(Files.exists(out.resolve(RunLock.FILE)), "no lock file left either");
        Files.delete(blocker.resolve("mine"));
        Files.delete(blocker);
        r = run(train(data, "--epochs", "1", "--output", out.toString()));
        assertEquals(0, r.code(), "the same command runs once the cause is gone: " + r.err());
    }

    @Test
    void aLockThatCannotBeTakenSaysWhyWithoutThePathTwice() throws IOException {
        Path dir = tmp.resolve("lock-is-a-folder").toAbsolutePath(), lock = Files.createDirectories(dir.resolve(RunLock.FILE));
        var e = assertThrows(java.io.UncheckedIOException.class, () -> RunLock.acquire(dir).close());
        assertEquals("cannot lock run " + dir + " (" + lock + "): Is a directory", e.getMessage());
    }
}
