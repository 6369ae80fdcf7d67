package io.github.hopmixer.data;

/**
 * One fixed-size batch as the model takes it.
 *
 * @param images     size × channels × height × width floats, normalised {@code (x/255 − mean)/std}
 * @param targets    size × numClasses soft targets; every row sums to 1
 * @param labels     the hard label of each row (of the first image of a mixed pair)
 * @param size       rows in the batch, always the loader's batch size
 * @param valid      rows that are real; rows from {@code valid} on repeat row 0 to pad the last evaluation batch
 * @param epoch      the epoch this batch belongs to (0 for evaluation)
 * @param index      the batch's position within its epoch or evaluation pass
 * @param choices    the random choices that made a training batch (for replay); null for evaluation batches
 */
public record Batch(float[] images, float[] targets, int[] labels, int size, int valid, int channels, int height,
                    int width, int numClasses, int epoch, int index, Choices choices) {

    public Batch {
        if (size <= 0 || valid <= 0 || valid > size) throw new IllegalArgumentException("bad batch size " + size + " / valid " + valid);
        if (images.length != size * channels * height * width) {
            throw new IllegalArgumentException("images has " + images.length + " floats, expected " + size + "×" + channels
                    + "×" + height + "×" + width);
        }
        if (targets.length != size * numClasses) {
            throw new IllegalArgumentException("targets has " + targets.length + " floats, expected " + size + "×" + numClasses);
        }
        if (labels.length != size) throw new IllegalArgumentException("labels has " + labels.length + " entries, expected " + size);
    }

    /** Floats per image: channels × height × width. */
    public int imageSize() {
        return channels * height * width;
    }
}
