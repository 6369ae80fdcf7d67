package io.github.hopmixer.data;

import java.util.List;

/**
 * An in-memory labelled image set: {@code pixels} holds {@code count} uint8 images of
 * {@code channels × height × width}, channel-major per image (PyTorch CHW), images back to back.
 * The arrays are shared, not copied: data sets run to hundreds of megabytes.
 */
public record ImageSet(byte[] pixels, int[] labels, int count, int channels, int height, int width,
                       List<String> classNames) {

    public ImageSet {
        if (count < 0 || channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("bad image set shape: count=" + count + " channels=" + channels
                    + " height=" + height + " width=" + width);
        }
        long expected = (long) count * channels * height * width;
        if (expected > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("image set too large for one array: " + expected + " bytes");
        }
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " bytes, expected " + expected
                    + " for " + count + "×" + channels + "×" + height + "×" + width);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries, expected " + count);
        }
        classNames = List.copyOf(classNames);
        if (classNames.isEmpty()) throw new IllegalArgumentException("an image set needs at least one class name");
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is outside [0, "
                        + classNames.size() + ")");
            }
        }
    }

    public int numClasses() {
        return classNames.size();
    }

    /** Bytes per image: channels × height × width. */
    public int imageSize() {
        return channels * height * width;
    }

    /** Offset of image {@code i} in {@link #pixels()}. */
    public int offset(int i) {
        return i * imageSize();
    }

    /** Pixel value 0..255 of image {@code i}, channel {@code c}, row {@code y}, column {@code x}. */
    public int pixel(int i, int c, int y, int x) {
        return pixels[offset(i) + (c * height + y) * width + x] & 0xff;
    }

    /** How many images carry each label. */
    public int[] labelHistogram() {
        int[] histogram = new int[numClasses()];
        for (int label : labels) histogram[label]++;
        return histogram;
    }

    @Override
    public String toString() {
        return "ImageSet[" + count + "×" + channels + "×" + height + "×" + width + ", " + numClasses() + " classes]";
    }
}
