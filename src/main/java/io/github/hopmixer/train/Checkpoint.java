package io.github.hopmixer.train;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.github.hopmixer.io.SafeTensors;
import io.github.hopmixer.io.TensorData;
import io.github.hopmixer.model.Mixer;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.ParamSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A checkpoint is a directory {@code checkpoints/step-NNNNNNNN/} with two safetensors files:
 * {@code model.safetensors}, exactly the official PyTorch {@code state_dict} (names, shapes, float32), so that
 * {@code model.load_state_dict(safetensors.torch.load_file(...))} works on the official model, with the model
 * config, class names and normalisation in its metadata; and {@code train_state.safetensors}, the AdamW moments
 * ({@code adam.m/<name>}, {@code adam.v/<name>}) with the step, epoch, next batch, seed and the train config
 * (JSON) in its metadata. It is written under a temporary name and renamed when complete, and only with finite
 * weights, so a killed or diverged run never leaves a half-written or poisoned checkpoint behind. Reading
 * checks every tensor's name, dtype and shape against the model the metadata describes.
 */
public final class Checkpoint {
    public static final String MODEL_FILE = "model.safetensors";
    public static final String STATE_FILE = "train_state.safetensors";
    private static final Gson GSON = new Gson();

    /**
     * Where a run stands: the next batch to train is {@code batchIndex} of {@code epoch}; {@code epochLossSum} sums
     * the losses of that epoch's batches before it, so the epoch's mean train loss survives a resume.
     */
    public record Position(long step, int epoch, int batchIndex, double epochLossSum) {}

    /** Pixel normalisation {@code (x/255 − mean)/std}, one value per channel or one for all. */
    public record Normalization(double[] mean, double[] std) {
        /** What every hopmixer before self-describing checkpoints used, and wrote as "0.5". */
        public static final Normalization LEGACY = new Normalization(new double[] {0.5}, new double[] {0.5});
    }

    public record Loaded(Path dir, ModelConfig model, Map<String, float[]> params, Map<String, float[]> moments,
                         Position position, long seed, String configJson, List<String> classNames,
                         Normalization normalization) {}

    /** The weights file alone, as eval and predict need it: the model, its classes, and how to normalise its input. */
    public record ModelFile(Path file, ModelConfig model, Map<String, float[]> params, List<String> classNames,
                            Normalization normalization) {
        public int imageSize() { return model.imageSize(); }
    }

    private Checkpoint() {}

    public static Path save(Path output, ModelConfig model, List<ParamSpec> specs, List<String> classNames, Normalization norm,
                            Map<String, float[]> params, Map<String, float[]> moments, Position pos, long seed,
                            String configJson, int keep) {
        Path root = output.resolve("checkpoints");
        String name = String.format("step-%08d", pos.step());
        for (var e : params.entrySet()) requireFinite(e.getKey(), e.getValue(), output, pos);
        for (var e : moments.entrySet()) requireFinite(e.getKey(), e.getValue(), output, pos);
        Path tmp = root.resolve("." + name + ".tmp"), dir = root.resolve(name);
        try {
            Files.createDirectories(root);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("model", model.name());
            meta.put("model_config", GSON.toJson(model));
            meta.put("class_names", GSON.toJson(classNames));
            meta.put("image_size", Integer.toString(model.imageSize()));
            meta.put("mean", GSON.toJson(norm.mean()));
            meta.put("std", GSON.toJson(norm.std()));
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            for (ParamSpec p : specs) tensors.put(p.name(), TensorData.f32(longs(p.shape()), params.get(p.name())));
            SafeTensors.write(tmp.resolve(MODEL_FILE), tensors, meta);

            Map<String, String> state = new LinkedHashMap<>(meta);
            state.put("step", Long.toString(pos.step()));
            state.put("epoch", Integer.toString(pos.epoch()));
            state.put("batch_index", Integer.toString(pos.batchIndex()));
            state.put("epoch_loss_sum", Double.toString(pos.epochLossSum()));
            state.put("seed", Long.toString(seed));
            state.put("train_config", configJson);
            Map<String, TensorData> opt = new LinkedHashMap<>();
            for (ParamSpec p : specs) {
                for (String k : List.of("adam.m/", "adam.v/")) {
                    float[] v = moments.get(k + p.name());
                    if (v != null) opt.put(k + p.name(), TensorData.f32(longs(p.shape()), v));
                }
            }
            SafeTensors.write(tmp.resolve(STATE_FILE), opt, state);
            CheckpointFiles.retire(dir); // the same step written again (a replay after a rewind)
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            CheckpointFiles.prune(root, pos.step(), keep);
            return dir;
        } catch (IOException e) {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // the original error matters more
            }
            throw new UncheckedIOException("could not write checkpoint " + dir + ": " + firstLine(e)
                    + "; earlier checkpoints are untouched", e);
        }
    }

    private static void requireFinite(String tensor, float[] v, Path output, Position pos) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new IllegalStateException("tensor " + tensor + " holds " + x + " at step " + pos.step()
                        + ": no checkpoint written; " + newestGoodHint(output));
            }
        }
    }

    /** One clause naming the newest checkpoint of a run, or saying there is none. */
    public static String newestGoodHint(Path run) {
        return newest(run).map(p -> "the newest good checkpoint is " + p)
                .orElse("there is no good checkpoint; start again with a lower --lr and a fresh --output");
    }

    /** The newest complete checkpoint of a run (by step), if any. */
    public static Optional<Path> newest(Path run) {
        return checkpoints(run).filter(Checkpoint::complete).max(Comparator.comparingLong(CheckpointFiles::step));
    }

    /** Every checkpoint directory of a run, complete or not; none without a checkpoints/ folder. */
    private static java.util.stream.Stream<Path> checkpoints(Path run) {
        Path root = run.resolve("checkpoints");
        return Files.isDirectory(root) ? CheckpointFiles.list(root).stream() : java.util.stream.Stream.empty();
    }

    static boolean complete(Path p) {
        return Files.isRegularFile(p.resolve(MODEL_FILE)) && Files.isRegularFile(p.resolve(STATE_FILE));
    }

    /**
     * The newest checkpoint of a run, which must be complete. Checkpoints are renamed into place whole, so an
     * incomplete newest one was damaged afterwards: taking an older one silently would also let the next save
     * prune it, so it is refused, naming the older one to give {@code flag} explicitly.
     */
    public static Optional<Path> newestComplete(Path run, String flag) {
        Optional<Path> top = checkpoints(run).max(Comparator.comparingLong(CheckpointFiles::step));
        if (top.isPresent() && !complete(top.get())) {
            Path p = top.get();
            String missing = Files.isRegularFile(p.resolve(MODEL_FILE)) ? STATE_FILE : MODEL_FILE;
            String older = olderHint(p, flag);
            throw new IllegalArgumentException("checkpoint " + p + " is incomplete (no " + missing + "); restore it"
                    + (older != null ? ", or " + older : ", or start a new run with a fresh --output"));
        }
        return top;
    }

    /** What to do when checkpoint {@code dir} cannot be used: the run's older complete ones for {@code flag}; null if none. */
    public static String olderHint(Path dir, String flag) {
        Path root = dir.toAbsolutePath().normalize().getParent();
        long step = CheckpointFiles.step(dir);
        if (root == null || step < 0 || !root.getFileName().toString().equals("checkpoints")) {
            return null; // a file outside a run: there is nothing to suggest
        }
        Path shown = dir.getParent();
        List<Path> older = CheckpointFiles.list(root).stream().filter(p -> CheckpointFiles.step(p) < step).filter(Checkpoint::complete)
                .sorted(Comparator.comparingLong(CheckpointFiles::step).reversed()).toList();
        if (older.isEmpty()) return null;
        String hint = "use an older checkpoint: " + flag + " " + shown.resolve(older.getFirst().getFileName());
        if (older.size() > 1) {
            hint += " (also there: " + String.join(", ", older.subList(1, Math.min(older.size(), 4)).stream()
                    .map(p -> p.getFileName().toString()).toList()) + (older.size() > 4 ? ", …" : "") + ")";
        }
        return hint;
    }

    /** The newest complete checkpoint under {@code path}: a checkpoint directory itself, or a run's output directory. */
    public static Path latest(Path path) {
        return latest(path, "--checkpoint");
    }

    private static Path latest(Path path, String flag) {
        if (complete(path)) return path;
        Path run = Files.isDirectory(path.resolve("checkpoints")) ? path : path.getParent() != null
                && path.getFileName().toString().equals("checkpoints") ? path.getParent() : path;
        return newestComplete(run, flag).orElseThrow(() -> new IllegalArgumentException("no checkpoint in " + path
                + " (expected checkpoints/step-*/" + MODEL_FILE + " and " + STATE_FILE + ")"));
    }

    /** Reads the model weights alone: {@code path} is a model.safetensors, a checkpoint directory or a run directory. */
    public static ModelFile loadModel(Path path) {
        Path file = Files.isDirectory(path) ? latest(path).resolve(MODEL_FILE) : path;
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no checkpoint at " + path);
        try {
            return readModel(file);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw withHint(e, file.getParent() == null ? file : file.getParent(), "--checkpoint");
        }
    }

    private static ModelFile readModel(Path file) {
        SafeTensors st = read(file);
        Map<String, String> meta = st.metadata();
        ModelConfig m = modelConfig(file, meta.get("model_config"));
        List<ParamSpec> specs = Mixer.parameters(m);
        Map<String, float[]> params = new LinkedHashMap<>();
        for (ParamSpec p : specs) params.put(p.name(), tensor(file, st, p.name(), p, m));
        for (String k : st.tensors().keySet()) {
            if (!params.containsKey(k)) throw new IllegalArgumentException(file + ": tensor " + k + " is not a parameter of " + m.name());
        }
        List<String> classes = classNames(file, meta.get("class_names"), m);
        return new ModelFile(file, m, params, classes, normalization(file, meta));
    }

    /** The full training state: weights, AdamW moments and position of the newest checkpoint under {@code path}. */
    public static Loaded load(Path path) {
        return load(path, null);
    }

    /** As {@link #load(Path)}; {@code runModel}, if known, is the run's model name, to tell which file does not fit. */
    public static Loaded load(Path path, String runModel) {
        Path dir = latest(path, "--resume");
        try {
            return readState(dir, runModel);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw withHint(e, dir, "--resume");
        }
    }

    private static Loaded readState(Path dir, String runModel) {
        ModelFile model = readModel(dir.resolve(MODEL_FILE));
        Path file = dir.resolve(STATE_FILE);
        SafeTensors st = read(file);
        Map<String, String> meta = st.metadata();
        // Both files describe the model; if they differ, one was replaced: name it rather than blame the moments' shapes.
        if (meta.get("model_config") != null) {
            ModelConfig s = modelConfig(file, meta.get("model_config"));
            if (!s.equals(model.model())) {
                String odd = runModel == null ? "one of them was replaced"
                        : !model.model().name().equals(runModel) ? model.file() + " does not belong to this run"
                        : !s.name().equals(runModel) ? file + " does not belong to this run" : "one of them was replaced";
                throw new IllegalArgumentException("checkpoint " + dir + " does not fit together: " + MODEL_FILE + " holds "
                        + describe(model.model()) + ", " + STATE_FILE + " " + describe(s)
                        + (runModel != null ? " (the run's model is " + runModel + ")" : "") + "; " + odd);
            }
        }
        Map<String, float[]> moments = new LinkedHashMap<>();
        for (ParamSpec p : Mixer.parameters(model.model())) {
            for (String k : List.of("adam.m/", "adam.v/")) moments.put(k + p.name(), tensor(file, st, k + p.name(), p, model.model()));
        }
        if (moments.size() != st.tensors().size()) {
            throw new IllegalArgumentException(file + " holds " + st.tensors().size() + " tensors, " + model.model().name()
                    + " has " + moments.size() + " AdamW moments");
        }
        Position pos = new Position(number(file, meta, "step"), (int) number(file, meta, "epoch"),
                (int) number(file, meta, "batch_index"), lossSum(file, meta.getOrDefault("epoch_loss_sum", "0")));
        return new Loaded(dir, model.model(), model.params(), moments, pos, number(file, meta, "seed"),
                meta.get("train_config"), model.classNames(), model.normalization());
    }

    /** "paramixer_pico for 1×28² images, 10 classes", for messages. */
    public static String describe(ModelConfig m) {
        return m.name() + " for " + m.inChans() + "×" + m.imageSize() + "² images, " + m.numClasses() + " classes";
    }

    /** The same error with what to do appended: which older checkpoint of the run to give {@code flag}. */
    private static RuntimeException withHint(RuntimeException e, Path dir, String flag) {
        String hint = olderHint(dir, flag);
        if (hint == null) return e;
        String m = e.getMessage() + "; " + hint;
        return e instanceof UncheckedIOException u ? new UncheckedIOException(m, u.getCause()) : new IllegalArgumentException(m, e);
    }

    /** A whole number from the metadata (≥ 0 but for the seed), or a line naming key and file. */
    private static long number(Path file, Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) throw new IllegalArgumentException(file + ": metadata '" + key + "' is missing; not a hopmixer training state");
        try {
            long n = Long.parseLong(v);
            if (n < 0 && !key.equals("seed") || !key.equals("seed") && !key.equals("step") && n > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": metadata '" + key + "' is '" + v + "', not a valid " + key);
        }
    }

    private static double lossSum(Path file, String v) {
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) return d;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(file + ": metadata 'epoch_loss_sum' is '" + v + "', not a finite number");
    }

    private static SafeTensors read(Path file) {
        try {
            return SafeTensors.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": "
                    + String.valueOf(e.getMessage()).replace("safetensors file " + file + ": ", ""), e);
        }
    }

    private static ModelConfig modelConfig(Path file, String json) {
        if (json == null) throw new IllegalArgumentException(file + " has no model_config metadata: not a hopmixer checkpoint");
        ModelConfig m;
        try {
            m = GSON.fromJson(JsonParser.parseString(json), ModelConfig.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": model_config is not a valid model description ("
                    + firstLine(e) + "): " + abbreviate(json), e);
        }
        if (m == null || m.name() == null || m.family() == null) {
            throw new IllegalArgumentException(file + ": model_config lacks the model's name or family: " + abbreviate(json));
        }
        return m;
    }

    private static float[] tensor(Path file, SafeTensors st, String name, ParamSpec spec, ModelConfig m) {
        TensorData t = st.tensors().get(name);
        if (t == null) throw new IllegalArgumentException(file + " has no tensor " + name + ", which " + m.name() + " needs");
        long[] want = longs(spec.shape());
        if (!Arrays.equals(t.shape(), want)) {
            throw new IllegalArgumentException(file + ": tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", but its model_config (" + m.name() + ") needs " + Arrays.toString(want));
        }
        if (!t.dtype().equals("F32")) {
            throw new IllegalArgumentException(file + ": tensor " + name + " is " + t.dtype() + ", hopmixer checkpoints hold F32");
        }
        float[] v = t.toFloats();
        // Saving refuses non-finite values, so one here means the file was damaged since.
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(file + ": tensor " + name + " holds " + v[i] + " at element " + i
                        + ", the checkpoint is damaged");
            }
        }
        return v;
    }

    private static List<String> classNames(Path file, String json, ModelConfig m) {
        if (json == null) return List.of();
        try {
            List<String> names = List.of(GSON.fromJson(JsonParser.parseString(json), String[].class));
            if (names.size() > m.numClasses()) throw new IllegalArgumentException(names.size() + " names for " + m.numClasses() + " classes");
            return names;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": class_names is not a list of names (" + firstLine(e) + ")", e);
        }
    }

    /** mean/std as written (a JSON number or list); absent in checkpoints older than this field: the 0.5 they used. */
    private static Normalization normalization(Path file, Map<String, String> meta) {
        if (!meta.containsKey("mean") && !meta.containsKey("std")) return Normalization.LEGACY;
        try {
            double[] mean = doubles(meta.get("mean")), std = doubles(meta.get("std"));
            boolean ok = mean.length > 0 && mean.length == std.length;
            for (int i = 0; ok && i < mean.length; i++) ok = Double.isFinite(mean[i]) && std[i] > 0 && Double.isFinite(std[i]);
            if (!ok) throw new IllegalArgumentException("mean " + meta.get("mean") + ", std " + meta.get("std"));
            return new Normalization(mean, std);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": mean/std metadata is not a valid normalisation (" + firstLine(e) + ")", e);
        }
    }

    private static double[] doubles(String json) {
        JsonElement e = JsonParser.parseString(json);
        return e.isJsonArray() ? GSON.fromJson(e, double[].class) : new double[] {e.getAsDouble()};
    }

    /** The innermost cause's message, first line: what went wrong, without exception class names. */
    static String firstLine(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        String s = String.valueOf(e.getMessage());
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= 80 ? one : one.substring(0, 77) + "...";
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    private static long[] longs(int[] s) {
        long[] out = new long[s.length];
        for (int i = 0; i < s.length; i++) out[i] = s[i];
        return out;
    }
}
