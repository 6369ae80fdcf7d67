package io.github.hopmixer.train;

import java.util.Map;

/** Called by the {@link Trainer} after each epoch's checkpoint, with that epoch's weights by official name. */
@FunctionalInterface
public interface EpochHook {
    /** {@code epoch} is numbered as in summary.csv (0 = the first); {@code params} must not be modified. */
    void epochEnd(int epoch, Map<String, float[]> params);
}
