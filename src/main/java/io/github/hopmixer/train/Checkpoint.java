package io.github.hopmixer.train;

import com.google.gson.Gson;
import io.github.hopmixer.io.SafeTensors;
import io.github.hopmixer.io.TensorData;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.ParamSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A checkpoint is a directory {@code checkpoints/step-NNNNNNNN/} with two safetensors files:
 * {@code model.safetensors}, exactly the official PyTorch {@code state_dict} (names, shapes, float32), so that
 * {@code model.load_state_dict(safetensors.torch.load_file(...))} works on the official model; and
 * {@code train_state.safetensors}, the AdamW moments ({@code adam.m/<name>}, {@code adam.v/<name>}) with the
 * step, epoch, next batch, seed and settings in its metadata. The directory is written under a temporary
 * name and renamed when complete, so a killed run never leaves a half-written checkpoint behind.
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

    public record Loaded(Path dir, ModelConfig model, Map<String, float[]> params, Map<String, float[]> moments,
                         Position position, long seed, String configJson) {}

    /** The weights file alone, as eval and predict need it. */
    public record ModelFile(Path file, ModelConfig model, Map<String, float[]> params, List<String> classNames) {}

    private Checkpoint() {}

    public static Path save(Path output, ModelConfig model, List<ParamSpec> specs, List<String> classNames,
                            Map<String, float[]> params, Map<String, float[]> moments, Position pos, long seed,
                            String configJson, int keep) {
        Path root = output.resolve("checkpoints");
        String name = String.format("step-%08d", pos.step());
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
            meta.put("mean", "0.5");
            meta.put("std", "0.5");
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
            deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            prune(root, keep);
            return dir;
        } catch (IOException e) {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // the original error matters more
            }
            throw new UncheckedIOException("could not write checkpoint " + dir + " (" + e.getMessage()
                    + "); earlier checkpoints are untouched", e);
        }
    }

    /** The newest complete checkpoint under {@code path}: a checkpoint directory itself, or a run's output directory. */
    public static Path latest(Path path) {
        if (Files.isRegularFile(path.resolve(MODEL_FILE)) && Files.isRegularFile(path.resolve(STATE_FILE))) return path;
        Path root = Files.isDirectory(path.resolve("checkpoints")) ? path.resolve("checkpoints") : path;
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .filter(p -> Files.isRegularFile(p.resolve(MODEL_FILE)) && Files.isRegularFile(p.resolve(STATE_FILE)))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .orElseThrow(() -> new IllegalArgumentException("no checkpoint in " + path
                            + " (expected checkpoints/step-*/" + MODEL_FILE + " and " + STATE_FILE + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + path + ": " + e.getMessage(), e);
        }
    }

    /** Reads the model weights alone: {@code path} is a model.safetensors, a checkpoint directory or a run directory. */
    public static ModelFile loadModel(Path path) {
        Path file = Files.isDirectory(path) ? latest(path).resolve(MODEL_FILE) : path;
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no checkpoint at " + path);
        try {
            var st = SafeTensors.read(file);
            String json = st.metadata().get("model_config");
            if (json == null) throw new IllegalArgumentException(file + " has no model_config metadata: not a hopmixer checkpoint");
            ModelConfig m = GSON.fromJson(json, ModelConfig.class);
            Map<String, float[]> params = new LinkedHashMap<>();
            for (var e : st.tensors().entrySet()) params.put(e.getKey(), e.getValue().toFloats());
            String names = st.metadata().get("class_names");
            List<String> classes = names == null ? List.of() : List.of(GSON.fromJson(names, String[].class));
            return new ModelFile(file, m, params, classes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    public static Loaded load(Path path) {
        Path dir = latest(path);
        ModelFile model = loadModel(dir.resolve(MODEL_FILE));
        try {
            var st = SafeTensors.read(dir.resolve(STATE_FILE));
            Map<String, String> meta = st.metadata();
            Map<String, float[]> moments = new LinkedHashMap<>();
            for (var e : st.tensors().entrySet()) moments.put(e.getKey(), e.getValue().toFloats());
            Position pos = new Position(Long.parseLong(meta.get("step")), Integer.parseInt(meta.get("epoch")),
                    Integer.parseInt(meta.get("batch_index")), Double.parseDouble(meta.getOrDefault("epoch_loss_sum", "0")));
            return new Loaded(dir, model.model(), model.params(), moments, pos, Long.parseLong(meta.get("seed")),
                    meta.get("train_config"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read training state " + dir.resolve(STATE_FILE) + ": " + e.getMessage(), e);
        }
    }

    private static void prune(Path root, int keep) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().forEach(all::add);
        }
        for (int i = 0; i < all.size() - keep; i++) deleteTree(all.get(i));
    }

    private static void deleteTree(Path p) throws IOException {
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
