package io.github.hopmixer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    private static final List<String> DIGITS = Datasets.MNIST_CLASSES;

    @TempDir
    Path dir;

    private static byte[] pixels(int n, int rows, int cols) {
        byte[] p = new byte[n * rows * cols];
        for (int i = 0; i < p.length; i++) p[i] = (byte) (i * 13);
        return p;
    }

    private Path images(String name, int n, boolean gzip) {
        byte[] data = TestFiles.idx(IdxReader.IMAGE_MAGIC, new int[] {n, 4, 3}, pixels(n, 4, 3));
        return TestFiles.write(dir.resolve(name), gzip ? TestFiles.gzip(data) : data);
    }

    private Path labels(String name, byte[] labels, boolean gzip) {
        byte[] data = TestFiles.idx(IdxReader.LABEL_MAGIC, new int[] {labels.length}, labels);
        return TestFiles.write(dir.resolve(name), gzip ? TestFiles.gzip(data) : data);
    }

    @Test
    void readsRawFiles() {
        ImageSet set = IdxReader.read(images("img", 5, false), labels("lab", new byte[] {3, 1, 4, 1, 5}, false), DIGITS);
        assertEquals(5, set.count());
        assertEquals(1, set.channels());
        assertEquals(4, set.height());
        assertEquals(3, set.width());
        assertArrayEquals(pixels(5, 4, 3), set.pixels());
        assertArrayEquals(new int[] {3, 1, 4, 1, 5}, set.labels());
        assertEquals(DIGITS, set.classNames());
    }

    @Test
    void readsGzipByMagicNotByName() {
        // Gzip detection looks at the bytes: a gzipped file without .gz and a raw one with .gz both work.
        ImageSet set = IdxReader.read(images("img-no-suffix", 2, true), labels("lab.gz", new byte[] {9, 0}, false), DIGITS);
        assertArrayEquals(pixels(2, 4, 3), set.pixels());
        assertArrayEquals(new int[] {9, 0}, set.labels());
    }

    @Test
    void wrongMagicNamesTheFile() {
        Path imgs = images("img", 2, false);
        Path swapped = labels("lab", new byte[] {0, 1}, false);
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(swapped, imgs, DIGITS));
        assertTrue(e.getMessage().contains(swapped.toString()) && e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void truncatedImagesNameTheFile() {
        byte[] full = TestFiles.idx(IdxReader.IMAGE_MAGIC, new int[] {3, 4, 3}, pixels(3, 4, 3));
        Path img = TestFiles.write(dir.resolve("img"), Arrays.copyOf(full, full.length - 1));
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(img, labels("lab", new byte[3], false), DIGITS));
        assertTrue(e.getMessage().contains(img.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedHeaderNamesTheFile() {
        Path img = TestFiles.write(dir.resolve("img"), new byte[] {0, 0, 8, 3, 0, 0});
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(img, labels("lab", new byte[3], false), DIGITS));
        assertTrue(e.getMessage().contains(img.toString()), e.getMessage());
    }

    @Test
    void truncatedGzipNamesTheFile() {
        byte[] gz = TestFiles.gzip(TestFiles.idx(IdxReader.IMAGE_MAGIC, new int[] {3, 4, 3}, pixels(3, 4, 3)));
        Path img = TestFiles.write(dir.resolve("img.gz"), Arrays.copyOf(gz, gz.length / 2));
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(img, labels("lab", new byte[3], false), DIGITS));
        assertTrue(e.getMessage().contains(img.toString()) && e.getMessage().contains("gzip"), e.getMessage());
    }

    @Test
    void trailingBytesAreAnError() {
        byte[] data = TestFiles.idx(IdxReader.IMAGE_MAGIC, new int[] {2, 4, 3}, pixels(3, 4, 3));
        Path img = TestFiles.write(dir.resolve("img"), data);
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(img, labels("lab", new byte[2], false), DIGITS));
        assertTrue(e.getMessage().contains(img.toString()), e.getMessage());
    }

    @Test
    void labelOutOfRangeNamesTheLabelFile() {
        Path lab = labels("lab", new byte[] {1, 10}, true);
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(images("img", 2, false), lab, DIGITS));
        assertTrue(e.getMessage().contains(lab.toString()) && e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void countMismatchNamesBothFiles() {
        Path img = images("img", 3, false);
        Path lab = labels("lab", new byte[] {1, 2}, false);
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(img, lab, DIGITS));
        assertTrue(e.getMessage().contains(lab.toString()) && e.getMessage().contains(img.toString()), e.getMessage());
    }

    @Test
    void missingFileNamesIt() {
        Path missing = dir.resolve("nope-images-idx3-ubyte.gz");
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(missing, labels("lab", new byte[1], false), DIGITS));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void emptyFileIsAnError() {
        Path img = TestFiles.write(dir.resolve("img"), new byte[0]);
        var e = assertThrows(DataFormatException.class, () -> IdxReader.read(img, labels("lab", new byte[1], false), DIGITS));
        assertTrue(e.getMessage().contains(img.toString()), e.getMessage());
    }
}
