package io.github.hopmixer.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/** Writes small data files in the real formats, and makes synthetic image sets, for the tests. */
final class TestFiles {

    private TestFiles() {
    }

    static byte[] idx(int magic, int[] dims, byte[] payload) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dims.length + payload.length); // big-endian by default
        buffer.putInt(magic);
        for (int d : dims) buffer.putInt(d);
        buffer.put(payload);
        return buffer.array();
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                out.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, byte[] data) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writeLines(Path file, String... lines) {
        return write(file, (String.join("\n", lines) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Pixel value of image n at byte i of a CIFAR record: distinct per image, channel and position. */
    static byte cifarPixel(int n, int i) {
        return (byte) (n * 7 + i * 3);
    }

    /** CIFAR records for images first..first+count−1, with {@code labelBytes} labels each from {@code labelOf}. */
    static byte[] cifarRecords(int first, int count, int labelBytes, java.util.function.IntFunction<int[]> labelOf) {
        int record = labelBytes + 3072;
        byte[] out = new byte[count * record];
        for (int n = 0; n < count; n++) {
            int[] labels = labelOf.apply(first + n);
            for (int l = 0; l < labelBytes; l++) out[n * record + l] = (byte) labels[l];
            for (int i = 0; i < 3072; i++) out[n * record + labelBytes + i] = cifarPixel(first + n, i);
        }
        return out;
    }

    /** A random image set of n images, labels cycling through k classes. */
    static ImageSet randomSet(int n, int channels, int h, int w, int k, long seed) {
        byte[] pixels = new byte[n * channels * h * w];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) random.nextInt(256);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % k;
        List<String> names = java.util.stream.IntStream.range(0, k).mapToObj(i -> "c" + i).toList();
        return new ImageSet(pixels, labels, n, channels, h, w, names);
    }
}
