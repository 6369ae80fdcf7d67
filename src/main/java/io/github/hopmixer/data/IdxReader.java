package io.github.hopmixer.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads MNIST-style IDX files (raw or gzip): an image file with magic 0x00000803 and dimensions
 * count, rows, columns, and a label file with magic 0x00000801 and dimension count; all big-endian.
 */
public final class IdxReader {

    static final int IMAGE_MAGIC = 0x00000803;
    static final int LABEL_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /** Reads one-channel images and their labels; every label must index {@code classNames}. */
    public static ImageSet read(Path imageFile, Path labelFile, List<String> classNames) {
        byte[] images = DataFiles.readMaybeGzipped(imageFile);
        int[] dims = header(imageFile, images, IMAGE_MAGIC, 3);
        int count = dims[0], rows = dims[1], cols = dims[2];
        if (rows <= 0 || cols <= 0) {
            throw new DataFormatException(imageFile, "image size " + rows + "×" + cols + " is empty");
        }
        long pixelBytes = (long) count * rows * cols;
        requireLength(imageFile, images, 16, pixelBytes);

        byte[] labelBytes = DataFiles.readMaybeGzipped(labelFile);
        int labelCount = header(labelFile, labelBytes, LABEL_MAGIC, 1)[0];
        requireLength(labelFile, labelBytes, 8, labelCount);
        if (labelCount != count) {
            throw new DataFormatException(labelFile, "has " + labelCount + " labels but " + imageFile + " has "
                    + count + " images");
        }
        if (count == 0) throw new DataFormatException(imageFile, "contains no images");

        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int label = labelBytes[8 + i] & 0xff;
            if (label >= classNames.size()) {
                throw new DataFormatException(labelFile, "label " + label + " of item " + i + " is outside [0, "
                        + classNames.size() + ")");
            }
            labels[i] = label;
        }
        byte[] pixels = Arrays.copyOfRange(images, 16, 16 + (int) pixelBytes);
        return new ImageSet(pixels, labels, count, 1, rows, cols, classNames);
    }

    /** Checks the magic number and returns the dimensions that follow it. */
    private static int[] header(Path file, byte[] bytes, int magic, int rank) {
        int headerLength = 4 + 4 * rank;
        if (bytes.length < 4) throw new DataFormatException(file, "too short for an IDX header (" + bytes.length + " bytes)");
        int found = DataFiles.bigEndianInt(bytes, 0);
        if (found != magic) {
            throw new DataFormatException(file, String.format(
                    "wrong magic number 0x%08x, expected 0x%08x (an IDX %s file)", found, magic,
                    magic == IMAGE_MAGIC ? "image" : "label"));
        }
        if (bytes.length < headerLength) {
            throw new DataFormatException(file, "truncated: header needs " + headerLength + " bytes, file has " + bytes.length);
        }
        int[] dims = new int[rank];
        for (int d = 0; d < rank; d++) {
            dims[d] = DataFiles.bigEndianInt(bytes, 4 + 4 * d);
            if (dims[d] < 0) throw new DataFormatException(file, "dimension " + d + " is negative or too large: " + dims[d]);
        }
        return dims;
    }

    private static void requireLength(Path file, byte[] bytes, int header, long payload) {
        long expected = header + payload;
        if (bytes.length < expected) {
            throw new DataFormatException(file, "truncated: header promises " + expected + " bytes, file has " + bytes.length);
        }
        if (bytes.length > expected) {
            throw new DataFormatException(file, "has " + (bytes.length - expected) + " unexpected bytes after the "
                    + expected + " its header describes");
        }
    }
}
