package io.github.hopmixer.train;

import io.github.hopmixer.testing.CliRun;
import io.github.hopmixer.io.SafeTensors;
import io.github.hopmixer.io.TensorData;
import io.github.hopmixer.testing.CliRun.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The train/eval share of issue 10's fault campaign: bad flags, run directories and checkpoints. Every case must
 * exit non-zero with one line that names the flag as typed or the file, and leave every file as it was (no new
 * directory either). Each case prints a Markdown row {@code | case | message |} for the README's table.
 */
class RunDirCampaignTest {
    @TempDir
    static Path tmp;
    static Path data, base, faults;

    /** A case: its label (the flags, with placeholders), the command, and what the one line must contain. */
    record Case(String label, List<String> args, String expect) {
        @Override
        public String toString() {
            return label.replace("{tmp}/", "").replace("{faults}/", "").replace("{base}", "RUN");
        }
    }

    @BeforeAll
    static void setUp() throws IOException {
        data = RunFixture.writeBars(tmp.resolve("bars"), 8);
        base = tmp.resolve("base");
        Result r = CliRun.run(RunFixture.train(data, "--epochs", "1", "--output", base.toString()));
        assertEquals(0, r.code(), r.err());
        faults = Files.createDirectories(tmp.resolve("faults"));
        Files.writeString(faults.resolve("a-file"), "not a directory\n");
        Files.createDirectories(faults.resolve("not-a-run"));
        Path ck = Checkpoint.latest(base);
        SafeTensors model = SafeTensors.read(ck.resolve(Checkpoint.MODEL_FILE));
        model(model, "wrong-shape", t -> {
            TensorData w = t.get("head.weight");
            t.put("head.weight", new TensorData("F32", new long[] {w.shape()[1], w.shape()[0]}, w.data()));
        }, m -> m);
        model(model, "f64-tensor", t -> t.put("head.bias", TensorData.f64(new long[] {2}, new double[] {0, 0})), m -> m);
        model(model, "missing-tensor", t -> t.remove("head.bias"), m -> m);
        model(model, "extra-tensor", t -> t.put("head.extra", TensorData.f32(new long[] {1}, new float[] {1})), m -> m);
        model(model, "config-not-json", t -> {}, m -> set(m, "model_config", "{\"name\": paramixer_nano"));
        model(model, "config-contradicts", t -> {}, m -> set(m, "model_config", m.get("model_config").replace("\"dim\":128", "\"dim\":64")));
        model(model, "config-absent", t -> {}, m -> set(m, "model_config", null));
        model(model, "classes-not-json", t -> {}, m -> set(m, "class_names", "[top"));
        model(model, "std-zero", t -> {}, m -> set(m, "std", "[0]"));
        byte[] bytes = Files.readAllBytes(ck.resolve(Checkpoint.MODEL_FILE));
        Files.write(faults.resolve("cut.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        // Runs whose training state is damaged, and a checkpoint copied out of its run.
        SafeTensors state = SafeTensors.read(ck.resolve(Checkpoint.STATE_FILE));
        state(state, "state-cut", null);
        state(state, "state-no-step", st -> new SafeTensors(st.tensors(), set(st.metadata(), "step", null)));
        state(state, "state-wrong-moment", st -> {
            Map<String, TensorData> t = new LinkedHashMap<>(st.tensors());
            TensorData w = t.get("adam.m/head.weight");
            t.put("adam.m/head.weight", new TensorData("F32", new long[] {w.shape()[1], w.shape()[0]}, w.data()));
            return new SafeTensors(t, st.metadata());
        });
        Path bad = RunFixture.copy(base, faults.resolve("bad-manifest"));
        Files.writeString(bad.resolve(Manifest.FILE), "{\"model\": \"paramixer_nano\", \"settings\": ");
        RunFixture.copy(ck, faults.resolve("loose-checkpoint"));
        Files.writeString(RunFixture.copy(base, faults.resolve("empty-manifest")).resolve(Manifest.FILE), "{}");
        model(model, "config-size-zero", t -> {}, m -> set(m, "model_config", m.get("model_config").replace("\"imageSize\":8", "\"imageSize\":0")));
        model(model, "config-depth-negative", t -> {}, m -> set(m, "model_config", m.get("model_config").replace("\"depth\":8", "\"depth\":-1")));
        // A run with two checkpoints (steps 1 and 2), to check that a damaged newest one names the older one.
        Path two = tmp.resolve("two");
        r = CliRun.run(RunFixture.train(data, "--epochs", "1", "--checkpoint-every", "1", "--keep-checkpoints", "3", "--output", two.toString()));
        assertEquals(0, r.code(), r.err());
        Path sym = tmp.resolve("sym");
        r = CliRun.run(RunFixture.train(data, "--model", "symmixer_nano", "--epochs", "1", "--output", sym.toString()));
        assertEquals(0, r.code(), r.err());
        Path newest = Path.of("checkpoints", "step-00000002");
        poison(RunFixture.copy(two, faults.resolve("nan-weight")).resolve(newest).resolve(Checkpoint.MODEL_FILE), "head.bias");
        poison(RunFixture.copy(two, faults.resolve("inf-moment")).resolve(newest).resolve(Checkpoint.STATE_FILE), "adam.v/head.weight");
        Files.delete(RunFixture.copy(two, faults.resolve("no-state")).resolve(newest).resolve(Checkpoint.STATE_FILE));
        Path cut = RunFixture.copy(two, faults.resolve("model-cut")).resolve(newest).resolve(Checkpoint.MODEL_FILE);
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(cut), (int) Files.size(cut) / 2));
        Path symModel = Checkpoint.latest(sym).resolve(Checkpoint.MODEL_FILE);
        Files.copy(symModel, RunFixture.copy(two, faults.resolve("model-swapped")).resolve(newest).resolve(Checkpoint.MODEL_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path both = RunFixture.copy(two, faults.resolve("both-swapped")).resolve(newest);
        for (String f : List.of(Checkpoint.MODEL_FILE, Checkpoint.STATE_FILE)) {
            Files.copy(symModel.resolveSibling(f), both.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path other = RunFixture.writeBars(tmp.resolve("other-classes"), 1);
        for (String split : List.of("train", "test")) Files.move(other.resolve(split).resolve("top"), other.resolve(split).resolve("left"));
    }

    private static void model(SafeTensors st, String name, java.util.function.Consumer<Map<String, TensorData>> tensors,
                              UnaryOperator<Map<String, String>> meta) throws IOException {
        Map<String, TensorData> t = new LinkedHashMap<>(st.tensors());
        tensors.accept(t);
        SafeTensors.write(faults.resolve(name + ".safetensors"), t, meta.apply(new LinkedHashMap<>(st.metadata())));
    }

    /** Writes NaN (weights) or +Inf (moments) into the first element of one tensor of a checkpoint file. */
    private static void poison(Path file, String tensor) throws IOException {
        SafeTensors st = SafeTensors.read(file);
        Map<String, TensorData> t = new LinkedHashMap<>(st.tensors());
        float[] v = t.get(tensor).toFloats();
        v[0] = tensor.startsWith("adam.") ? Float.POSITIVE_INFINITY : Float.NaN;
        t.put(tensor, TensorData.f32(t.get(tensor).shape(), v));
        SafeTensors.write(file, t, st.metadata());
    }

    private static void state(SafeTensors st, String name, UnaryOperator<SafeTensors> change) throws IOException {
        Path run = RunFixture.copy(base, faults.resolve(name));
        Path file = Checkpoint.latest(run).resolve(Checkpoint.STATE_FILE);
        if (change == null) {
            byte[] b = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(b, b.length - 100));
        } else {
            change.apply(st).write(file);
        }
    }

    private static Map<String, String> set(Map<String, String> m, String key, String value) {
        Map<String, String> out = new LinkedHashMap<>(m);
        if (value == null) out.remove(key);
        else out.put(key, value);
        return out;
    }

    /** {@code train} into a fresh directory with these flags. */
    static Case train(String flags, String expect) {
        return new Case("train " + flags, List.of(("{train} --output {tmp}/fresh " + flags).split(" ")), expect);
    }

    /** {@code train --resume} of the finished base run with these flags. */
    static Case resume(String flags, String expect) {
        return new Case("train --resume RUN " + flags, List.of(("train --resume {base} " + flags).split(" ")), expect);
    }

    static Case eval(String flags, String expect) {
        return new Case("eval " + flags, List.of(("eval --dataset folder --data-dir {data} " + flags).split(" ")), expect);
    }

    static Stream<Case> cases() {
        return Stream.of(
                train("--lr -1", "--lr -1: must be a finite number > 0"),
                train("--lr NaN", "--lr NaN: must be a finite number > 0"),
                train("--lr=Infinity", "--lr Infinity: must be a finite number > 0"),
                train("--epochs 0", "--epochs 0: must be at least 1"),
                train("--lr 1e-300", "--lr 1e-300: is 0 in float32"),
                train("--min-lr 1e-2 --lr 1e-3", "--min-lr 1e-2: must be at most --lr 1e-3"),
                train("--min-lr 0.01", "--min-lr 0.01: must be at most --lr 3e-3"),
                train("--warmup-epochs 2 --epochs 2", "--warmup-epochs 2: must be less than --epochs 2 (0 to 1)"),
                train("--batch-size 0", "--batch-size 0: must be between 1 and 8192"),
                train("-b -3", "-b -3: must be between 1 and 8192"),
                train("--batch-size 100000000", "--batch-size 100000000: must be between 1 and 8192"),
                train("--eval-batch-size 0", "--eval-batch-size 0: must be between 1 and 8192"),
                train("--threads 100000", "--threads 100000: must be between 1 and "),
                train("--threads 0", "--threads 0: must be between 1 and "),
                train("--smoothing 1.5", "--smoothing 1.5: must be in [0, 1)"),
                train("--mixup -1", "--mixup -1: must be a finite α ≥ 0"),
                train("--cutmix NaN", "--cutmix NaN: must be a finite α ≥ 0"),
                train("--hflip 2", "--hflip 2: is a probability, in [0, 1]"),
                train("--reprob -0.1", "--reprob -0.1: is a probability"),
                train("--mixup-prob 1.5", "--mixup-prob 1.5: is a probability"),
                train("--mixup-switch-prob 2", "--mixup-switch-prob 2: is a probability"),
                train("--drop-path 1", "--drop-path 1: must be in [0, 1)"),
                train("--keep-checkpoints 0", "--keep-checkpoints 0: must be at least 1"),
                train("--checkpoint-every -1", "--checkpoint-every -1: must be ≥ 0"),
                train("--log-every 0", "--log-every 0: must be at least 1"),
                train("--weight-decay -0.05", "--weight-decay -0.05: must be a finite number ≥ 0"),
                train("--warmup-epochs -1", "--warmup-epochs -1: must be ≥ 0"),
                train("--warmup-lr -1", "--warmup-lr -1: must be a finite number ≥ 0"),
                train("--min-lr NaN", "--min-lr NaN: must be a finite number ≥ 0"),
                train("--lcoeff -1", "--lcoeff -1: must be a finite number ≥ 0"),
                train("--crop-pad -4", "--crop-pad -4: must be ≥ 0"),
                train("--crop-pad 100", "--crop-pad 100: must be at most the image side, 8"),
                train("--aa rand-x3", "--aa rand-x3: "),
                train("--img-size 0", "--img-size 0: must be between 1 and 4096"),
                train("--img-size 6", "image size 6 is not a multiple of paramixer_nano's patch 4; pass --img-size"),
                train("--train-limit -5", "--train-limit -5: must be ≥ 0"),
                train("--eval-limit -1", "--eval-limit -1: must be ≥ 0"),
                train("--model nosuchmixer_nano", "unknown model 'nosuchmixer_nano'"),
                new Case("train --output A-FILE", List.of("{train} --output {faults}/a-file".split(" ")),
                        "--output {faults}/a-file is a file, not a directory"),
                new Case("train --output RUN (holds a run)", List.of("{train} --output {base}".split(" ")),
                        "--output {base} already holds a run (run.json): continue it with --resume {base}, or start a new run with a fresh --output"),
                new Case("train --resume MISSING", List.of("train --resume {tmp}/missing".split(" ")),
                        "--resume {tmp}/missing: no such run directory or checkpoint"),
                new Case("train --resume A-FILE", List.of("train --resume {faults}/a-file".split(" ")), "--resume {faults}/a-file is a file"),
                new Case("train --resume EMPTY-DIR", List.of("train --resume {faults}/not-a-run".split(" ")),
                        "--resume {faults}/not-a-run holds no run (no run.json, no checkpoints/)"),
                new Case("train --resume LOOSE-CHECKPOINT", List.of("train --resume {faults}/loose-checkpoint".split(" ")),
                        "is a checkpoint outside a run directory"),
                new Case("train --resume RUN (run.json not JSON)", List.of("train --resume {faults}/bad-manifest".split(" ")),
                        "{faults}/bad-manifest/run.json is not a hopmixer run manifest"),
                new Case("train --resume RUN (run.json {})", List.of("train --resume {faults}/empty-manifest".split(" ")),
                        "{faults}/empty-manifest/run.json is not a hopmixer run manifest (damaged or incomplete: no model or settings)"),
                new Case("train --resume RUN --epochs 2 (NaN weight)", List.of("train --resume {faults}/nan-weight --epochs 2".split(" ")),
                        "{faults}/nan-weight/checkpoints/step-00000002/model.safetensors: tensor head.bias holds NaN at element 0, the "
                                + "checkpoint is damaged; use an older checkpoint: --resume {faults}/nan-weight/checkpoints/step-00000001"),
                new Case("train --resume RUN (Inf moment)", List.of("train --resume {faults}/inf-moment --epochs 2".split(" ")),
                        "train_state.safetensors: tensor adam.v/head.weight holds Infinity at element 0"),
                new Case("train --resume RUN (newest lacks train_state)", List.of("train --resume {faults}/no-state --epochs 2".split(" ")),
                        "checkpoint {faults}/no-state/checkpoints/step-00000002 is incomplete (no train_state.safetensors); restore it, "
                                + "or use an older checkpoint: --resume {faults}/no-state/checkpoints/step-00000001"),
                new Case("train --resume RUN (newest model cut)", List.of("train --resume {faults}/model-cut --epochs 2".split(" ")),
                        "; use an older checkpoint: --resume {faults}/model-cut/checkpoints/step-00000001"),
                new Case("train --resume RUN (model.safetensors of another model)", List.of("train --resume {faults}/model-swapped".split(" ")),
                        "2 classes (the run's model is paramixer_nano); {faults}/model-swapped/checkpoints/step-00000002/model.safetensors "
                                + "does not belong to this run"),
                new Case("train --resume RUN (checkpoint of another model)", List.of("train --resume {faults}/both-swapped --epochs 2".split(" ")),
                        "2 classes, but run {faults}/both-swapped (its settings and data) is paramixer_nano for "),
                eval("--checkpoint {faults}/nan-weight", "tensor head.bias holds NaN at element 0, the checkpoint is damaged; use an "
                        + "older checkpoint: --checkpoint {faults}/nan-weight/checkpoints/step-00000001"),
                eval("--checkpoint {faults}/config-size-zero.safetensors", "{faults}/config-size-zero.safetensors: model_config is not a "
                        + "valid model description (paramixer_nano: imageSize is 0, must be at least 1)"),
                eval("--checkpoint {faults}/config-depth-negative.safetensors", "model_config is not a valid model description "
                        + "(paramixer_nano: depth is -1, must be at least 1)"),
                resume("-b 4", "-b 4 differs from run {base} (run.json: --batch-size 8); it would change the data order or the step count"),
                resume("--seed 7", "--seed 7 differs from run {base} (run.json: --seed 42)"),
                resume("--dataset mnist", "--dataset mnist differs from run {base}"),
                resume("--train-limit 8", "--train-limit 8 differs from run {base}"),
                resume("--aa rand-m9", "--aa rand-m9 differs from run {base}"),
                resume("--lr 1e-3", "--lr 1e-3 differs from run {base} (run.json: --lr 0.003); it would change the run's settings"),
                resume("--output {tmp}/elsewhere", "--output {tmp}/elsewhere differs from the resumed run {base}"),
                resume("--lr -1", "--lr -1 differs from run {base}"),
                new Case("train --resume RUN (train_state cut)", List.of("train --resume {faults}/state-cut".split(" ")),
                        "cannot read checkpoint {faults}/state-cut/checkpoints/step-00000002/train_state.safetensors"),
                new Case("train --resume RUN (train_state without step)", List.of("train --resume {faults}/state-no-step".split(" ")),
                        "{faults}/state-no-step/checkpoints/step-00000002/train_state.safetensors: metadata 'step' is missing"),
                new Case("train --resume RUN (AdamW moment of wrong shape)", List.of("train --resume {faults}/state-wrong-moment".split(" ")),
                        "train_state.safetensors: tensor adam.m/head.weight has shape [128, 2], but its model_config (paramixer_nano) needs [2, 128]"),
                eval("--checkpoint {faults}/wrong-shape.safetensors", "{faults}/wrong-shape.safetensors: tensor head.weight has shape [128, 2], but its model_config (paramixer_nano) needs [2, 128]"),
                eval("--checkpoint {faults}/f64-tensor.safetensors", "{faults}/f64-tensor.safetensors: tensor head.bias is F64, hopmixer checkpoints hold F32"),
                eval("--checkpoint {faults}/missing-tensor.safetensors", "{faults}/missing-tensor.safetensors has no tensor head.bias"),
                eval("--checkpoint {faults}/extra-tensor.safetensors", "{faults}/extra-tensor.safetensors: tensor head.extra is not a parameter of paramixer_nano"),
                eval("--checkpoint {faults}/config-not-json.safetensors", "{faults}/config-not-json.safetensors: model_config is not a valid model description"),
                eval("--checkpoint {faults}/config-contradicts.safetensors", "{faults}/config-contradicts.safetensors: tensor stem.proj.weight has shape [128, 3, 4, 4], but its model_config (paramixer_nano) needs [64, 3, 4, 4]"),
                eval("--checkpoint {faults}/config-absent.safetensors", "{faults}/config-absent.safetensors has no model_config metadata"),
                eval("--checkpoint {faults}/classes-not-json.safetensors", "{faults}/classes-not-json.safetensors: class_names is not a list of names"),
                eval("--checkpoint {faults}/std-zero.safetensors", "{faults}/std-zero.safetensors: mean/std metadata is not a valid normalisation"),
                eval("--checkpoint {faults}/cut.safetensors", "cannot read checkpoint {faults}/cut.safetensors"),
                eval("--checkpoint {tmp}/missing", "--checkpoint {tmp}/missing: no such file or directory"),
                eval("--checkpoint {base} --batch-size 0", "--batch-size 0: must be between 1 and 8192"),
                eval("--checkpoint {base} --split val", "--split val: must be test or train"),
                eval("--checkpoint {base} --threads 100000", "--threads 100000: must be between 1 and "),
                eval("--checkpoint {base} --eval-limit -1", "--eval-limit -1: must be ≥ 0"),
                new Case("eval --checkpoint RUN (other classes)", List.of("eval --dataset folder --data-dir {tmp}/other-classes --checkpoint {base}".split(" ")),
                        "was trained on classes [bottom, top], but folder has [bottom, left]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isOneLineNamingTheFlagOrFileAndChangesNothing(Case c) throws IOException {
        List<String> args = new ArrayList<>(c.args().stream().map(RunDirCampaignTest::fill).toList());
        if (args.getFirst().equals("{train}")) args = RunFixture.train(data, args.subList(1, args.size()).toArray(String[]::new));
        Map<String, String> before = RunFixture.snapshot(tmp);
        Result r = CliRun.run(args);
        String message = r.err().strip();
        System.out.println("| `" + c + "` | " + message.replace(tmp.toString(), "…").replace("|", "\\|") + " |");
        assertNotEquals(0, r.code(), "must fail: " + r.out());
        assertEquals(1, r.errLines().size(), "one line: " + r.err());
        assertTrue(message.startsWith("hopmixer: ") && message.contains(fill(c.expect())), message);
        assertEquals(before, RunFixture.snapshot(tmp), "nothing on disk may change");
    }

    private static String fill(String s) {
        return s.replace("{tmp}", tmp.toString()).replace("{base}", base.toString()).replace("{data}", data.toString())
                .replace("{faults}", faults.toString());
    }
}
