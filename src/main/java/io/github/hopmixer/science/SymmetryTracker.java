package io.github.hopmixer.science;

import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.train.EpochHook;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code hopmixer train --track-symmetry}: after every epoch, the weight-symmetry measures of every block and axis
 * go to {@code symmetry.csv} in the run directory (a resumed run rewrites the epochs it redoes) and the curves so far
 * to {@code symmetry.png} beside it.
 */
public final class SymmetryTracker implements EpochHook {
    public static final String CSV = "symmetry.csv", PNG = "symmetry.png";
    private final Path run;
    private final ModelConfig model;

    public SymmetryTracker(Path run, ModelConfig model) {
        this.run = run;
        this.model = model;
    }

    @Override
    public void epochEnd(int epoch, Map<String, float[]> params) {
        List<BlockSymmetry> rows = BlockSymmetry.measure(model, params, "the weights after epoch " + epoch);
        Path csv = run.resolve(CSV);
        SymmetryCsv.writeEpoch(csv, epoch, rows);
        SymmetryPlots.curves(SymmetryCsv.read(csv), run.resolve(PNG), model.name());
    }
}
