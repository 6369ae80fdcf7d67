package io.github.hopmixer.sweep;

import io.github.hopmixer.model.Family;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of a sweep: a configuration (data set, model, λ) and a seed. {@code config} is the model's name in
 * reports (asymmixer without its λ suffix), {@code trainModel} the name given to {@code train}.
 */
public record Cell(int index, DatasetSpec data, String config, String trainModel, Family family, Double lambda, long seed,
                   List<String> trainArgs) {

    /** {@code <dataset>/<model>[-l<λ>]/seed<N>}, relative to the sweep folder. */
    public Path relativeDir() {
        return Path.of(data.label(), configDir(), "seed" + seed);
    }

    /** {@code <model>[-l<λ>]}: one configuration's folder. */
    public String configDir() {
        return config + (lambda != null ? "-l" + lambdaName(lambda) : "");
    }

    /** Short readable λ: 1 → "1", 0.01 → "1e-2", 5e-4 → "5e-4", 0 → "0". */
    public static String lambdaName(double l) {
        if (l == 0) return "0";
        BigDecimal b = new BigDecimal(Double.toString(l)).stripTrailingZeros();
        return b.scale() <= 0 ? b.toPlainString() : b.unscaledValue() + "e-" + b.scale();
    }

    /** The cell's name in messages: its relative folder. */
    public String name() {
        return relativeDir().toString();
    }

    /** {@code train} arguments for this cell in {@code dir}: a fresh start, or a resume of the run there. */
    public List<String> trainCommand(Path dir, boolean resume, Integer threads) {
        List<String> a = new ArrayList<>(List.of("train"));
        a.addAll(data.trainArgs());
        a.addAll(List.of("--model", trainModel, "--seed", Long.toString(seed)));
        if (lambda != null) a.addAll(List.of("--lcoeff", Double.toString(lambda)));
        a.addAll(trainArgs);
        if (threads != null) a.addAll(List.of("--threads", Integer.toString(threads)));
        // Today's train needs --output with --resume to write into the same folder; the run-directory contract accepts both.
        if (resume) a.addAll(List.of("--resume", dir.toString()));
        a.addAll(List.of("--output", dir.toString()));
        return a;
    }
}
