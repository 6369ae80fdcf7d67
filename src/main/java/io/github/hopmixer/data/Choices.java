package io.github.hopmixer.data;

/**
 * Every random choice that made one training batch, so that another implementation can rebuild it from the
 * same image files (see {@code scripts/replay.py}). Rows are in batch order.
 *
 * @param sources    index of each row's image in the training set
 * @param cropTop    row offset of the padded random crop (0 when cropping is off)
 * @param cropLeft   column offset of the padded random crop
 * @param flipped    whether the row was flipped horizontally (after the crop)
 * @param eraseBoxes {top, left, height, width} of the random-erasing box, or null when the row was not erased
 * @param eraseNoise the normalised values written into that box (C × height × width), or null
 * @param mix        "none", "mixup" or "cutmix"; rows mix with row B − 1 − i (timm's batch mode, {@code x.flip(0)})
 * @param lambda     the target weight λ (cutmix: corrected to the box's true area); 1 for "none"
 * @param cutmixBox  {top, left, bottom, right} (exclusive ends) of the pasted box, or null
 */
public record Choices(int[] sources, int[] cropTop, int[] cropLeft, boolean[] flipped, int[][] eraseBoxes,
                      float[][] eraseNoise, String mix, double lambda, int[] cutmixBox) {

    static Choices of(int batch) {
        return new Choices(new int[batch], new int[batch], new int[batch], new boolean[batch], new int[batch][],
                new float[batch][], "none", 1, null);
    }

    Choices withMix(Mixup.Mix m) {
        String kind = m.box() != null ? "cutmix" : m.lambda() == 1 ? "none" : "mixup";
        return new Choices(sources, cropTop, cropLeft, flipped, eraseBoxes, eraseNoise, kind, m.lambda(), m.box());
    }
}
