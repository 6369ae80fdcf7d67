package io.github.hopmixer.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the official CIFAR binary releases. A CIFAR-10 record is 3073 bytes: a label byte, then the
 * 32×32 red, green and blue planes; a CIFAR-100 record is 3074 bytes: coarse label, fine label, pixels.
 * The planes are already channel-major, so records copy straight into an {@link ImageSet}.
 */
public final class CifarBinaryReader {

    static final int SIDE = 32;
    static final int PIXELS = 3 * SIDE * SIDE;

    private CifarBinaryReader() {
    }

    /** CIFAR-10 from {@code cifar-10-batches-bin}: data_batch_1..5.bin or test_batch.bin, names from batches.meta.txt. */
    public static ImageSet readCifar10(Path batchesDir, boolean train) {
        DataFiles.requireDirectory(batchesDir);
        List<Path> files = new ArrayList<>();
        if (train) {
            for (int i = 1; i <= 5; i++) files.add(batchesDir.resolve("data_batch_" + i + ".bin"));
        } else {
            files.add(batchesDir.resolve("test_batch.bin"));
        }
        List<String> names = readNames(batchesDir.resolve("batches.meta.txt"));
        return readRecords(files, 1, 0, names);
    }

    /** CIFAR-100 from {@code cifar-100-binary}: train.bin or test.bin, fine labels unless {@code coarse}. */
    public static ImageSet readCifar100(Path binaryDir, boolean train, boolean coarse) {
        DataFiles.requireDirectory(binaryDir);
        Path file = binaryDir.resolve(train ? "train.bin" : "test.bin");
        List<String> names = readNames(binaryDir.resolve(coarse ? "coarse_label_names.txt" : "fine_label_names.txt"));
        return readRecords(List.of(file), 2, coarse ? 0 : 1, names);
    }

    /**
     * Reads records of {@code labelBytes} label bytes then 3072 pixel bytes, taking the label at
     * {@code labelIndex}; the files are concatenated in order.
     */
    public static ImageSet readRecords(List<Path> files, int labelBytes, int labelIndex, List<String> classNames) {
        int recordSize = labelBytes + PIXELS;
        List<byte[]> contents = new ArrayList<>();
        long total = 0;
        for (Path file : files) {
            byte[] bytes = DataFiles.read(file);
            if (bytes.length == 0) throw new DataFormatException(file, "is empty");
            if (bytes.length % recordSize != 0) {
                throw new DataFormatException(file, "size " + bytes.length + " is not a multiple of the "
                        + recordSize + "-byte record (truncated or not a CIFAR binary file)");
            }
            contents.add(bytes);
            total += bytes.length / recordSize;
        }
        if (total * PIXELS > Integer.MAX_VALUE - 8) throw new DataFormatException(files.getFirst(), "too many records: " + total);

        int count = (int) total;
        byte[] pixels = new byte[count * PIXELS];
        int[] labels = new int[count];
        int n = 0;
        for (int f = 0; f < files.size(); f++) {
            byte[] bytes = contents.get(f);
            for (int at = 0; at < bytes.length; at += recordSize, n++) {
                int label = bytes[at + labelIndex] & 0xff;
                if (label >= classNames.size()) {
                    throw new DataFormatException(files.get(f), "label " + label + " of record " + (at / recordSize)
                            + " is outside [0, " + classNames.size() + ")");
                }
                labels[n] = label;
                System.arraycopy(bytes, at + labelBytes, pixels, n * PIXELS, PIXELS);
            }
        }
        return new ImageSet(pixels, labels, count, 3, SIDE, SIDE, classNames);
    }

    /** One class name per non-blank line, as in batches.meta.txt and *_label_names.txt. */
    static List<String> readNames(Path file) {
        DataFiles.requireFile(file);
        List<String> names;
        try {
            names = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new DataFormatException(file, "cannot read class names", e);
        }
        if (names.isEmpty()) throw new DataFormatException(file, "lists no class names");
        return names;
    }
}
