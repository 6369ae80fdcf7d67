package io.github.hopmixer.science;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.github.hopmixer.io.FileErrors;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.train.Checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The symmetry measures of one run's newest checkpoint: where it is, which model and λ, and a row per block and axis.
 * {@code run} is the run directory (where {@code symmetry.csv} lives) or, for a bare checkpoint, its own directory.
 */
public record CheckpointSymmetry(Path run, Path checkpoint, ModelConfig model, double lambda, List<BlockSymmetry> rows) {
    private static final Pattern LCOEFF = Pattern.compile("lcoeff\"?\\s*[=:]\\s*\"?([-+0-9.eE]+)");

    /** {@code path}: a run directory (its newest checkpoint), a checkpoint directory, or a model.safetensors. */
    public static CheckpointSymmetry load(Path path) {
        if (!Files.exists(path)) throw new IllegalArgumentException("no run directory or checkpoint at " + path);
        Checkpoint.ModelFile f = Checkpoint.loadModel(path);
        Path ck = f.file().toAbsolutePath().getParent();
        Path parent = ck.getParent();
        Path run = parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("checkpoints")
                ? parent.getParent() : ck;
        double lambda = lambda(f.model(), ck.resolve(Checkpoint.STATE_FILE));
        return new CheckpointSymmetry(shown(run), shown(ck), f.model(), lambda,
                BlockSymmetry.measure(f.model(), f.params(), f.file().toString()));
    }

    /** Paths under the working directory relative to it, so that tables and CSVs do not carry this machine's layout. */
    private static Path shown(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) && !p.equals(cwd) ? cwd.relativize(p) : p;
    }

    /** λ as short text: 0, 0.001, 1e-06. */
    public static String lambdaText(double lambda) {
        String s = String.format(Locale.ROOT, "%.3g", lambda);
        return lambda == 0 ? "0" : s.contains(".") ? s.replaceFirst("\\.?0+(?=e|$)", "") : s;
    }

    /**
     * Runs under {@code path}: itself if it is a run, checkpoint or model file, else every run directory (one holding
     * {@code checkpoints/}) in its subfolders, e.g. a sweep's cells.
     */
    public static List<Path> runs(Path path) {
        if (!Files.exists(path)) throw new IllegalArgumentException("no run directory, checkpoint or folder of runs at " + path);
        if (!Files.isDirectory(path) || isRun(path) || Files.isRegularFile(path.resolve(Checkpoint.MODEL_FILE))
                || (path.getFileName() != null && path.getFileName().toString().equals("checkpoints"))) return List.of(path);
        try (Stream<Path> s = Files.walk(path, 4)) {
            List<Path> runs = s.filter(Files::isDirectory).filter(CheckpointSymmetry::isRun).sorted().toList();
            if (runs.isEmpty()) {
                throw new IllegalArgumentException(path + " holds no run: no checkpoints/ in it or its subfolders (train one with 'hopmixer train')");
            }
            return runs;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + path + ": " + FileErrors.reason(e));
        }
    }

    private static boolean isRun(Path dir) {
        return Files.isDirectory(dir.resolve("checkpoints"));
    }

    /** Mean over blocks of cos along one axis. */
    public double meanCos(String axis) {
        return rows.stream().filter(r -> r.axis().equals(axis)).mapToDouble(BlockSymmetry::cos).average().orElse(Double.NaN);
    }

    /** Mean over blocks of ‖fc2‖/‖fc1‖ along one axis. */
    public double meanW2OverW1(String axis) {
        return rows.stream().filter(r -> r.axis().equals(axis)).mapToDouble(BlockSymmetry::w2OverW1).average().orElse(Double.NaN);
    }

    /** The configuration, as grouped in plots: the model name, asymmixer's with the λ it was trained with. */
    public String label() {
        if (model.family() != Family.ASYMMIXER) return model.name();
        return model.name().replaceFirst("_l\\d+$", "") + " λ=" + lambdaText(lambda);
    }

    /** The λ the run trained with: train_config's --lcoeff if set, else the model name's. */
    private static double lambda(ModelConfig m, Path stateFile) {
        if (!Files.isRegularFile(stateFile)) return m.lambda();
        try (InputStream in = Files.newInputStream(stateFile)) {
            // Only the header: the optimizer moments after it are not needed.
            long n = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n <= 0 || n > 100_000_000) return m.lambda();
            JsonElement meta = JsonParser.parseString(new String(in.readNBytes((int) n), StandardCharsets.UTF_8))
                    .getAsJsonObject().get("__metadata__");
            JsonElement cfg = meta == null ? null : meta.getAsJsonObject().get("train_config");
            if (cfg == null) return m.lambda();
            Matcher x = LCOEFF.matcher(cfg.getAsString());
            return x.find() ? Double.parseDouble(x.group(1)) : m.lambda();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the training settings in " + stateFile + ": "
                    + (e instanceof IOException x ? FileErrors.reason(x) : e.getMessage()));
        }
    }
}
