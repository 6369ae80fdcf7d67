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

class CifarBinaryReaderTest {

    static final String[] CIFAR10_NAMES = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};

    @TempDir
    Path dir;

    /** Writes a miniature cifar-10-batches-bin: 2 images per training batch, 3 test images. */
    static Path writeCifar10(Path root) {
        Path batches = root.resolve("cifar-10-batches-bin");
        for (int b = 1; b <= 5; b++) {
            TestFiles.write(batches.resolve("data_batch_" + b + ".bin"),
                    TestFiles.cifarRecords((b - 1) * 2, 2, 1, n -> new int[] {n % 10}));
        }
        TestFiles.write(batches.resolve("test_batch.bin"), TestFiles.cifarRecords(100, 3, 1, n -> new int[] {9 - n % 10}));
        TestFiles.writeLines(batches.resolve("batches.meta.txt"), CIFAR10_NAMES);
        return batches;
    }

    /** Writes a miniature cifar-100-binary: 4 training and 2 test images, fine label = 3 × coarse label + 1. */
    static Path writeCifar100(Path root) {
        Path binary = root.resolve("cifar-100-binary");
        TestFiles.write(binary.resolve("train.bin"), TestFiles.cifarRecords(0, 4, 2, n -> new int[] {n % 20, 3 * (n % 20) + 1}));
        TestFiles.write(binary.resolve("test.bin"), TestFiles.cifarRecords(50, 2, 2, n -> new int[] {n % 20, 3 * (n % 20) + 1}));
        TestFiles.writeLines(binary.resolve("fine_label_names.txt"),
                java.util.stream.IntStream.range(0, 100).mapToObj(i -> "fine" + i).toArray(String[]::new));
        TestFiles.writeLines(binary.resolve("coarse_label_names.txt"),
                java.util.stream.IntStream.range(0, 20).mapToObj(i -> "coarse" + i).toArray(String[]::new));
        return binary;
    }

    private static void assertCifarPixels(ImageSet set, int firstImage) {
        for (int n = 0; n < set.count(); n++) {
            // Channel-major: byte i of a record's pixels is channel i / 1024, row (i % 1024) / 32, column i % 32.
            for (int i : new int[] {0, 31, 32, 1023, 1024, 2047, 2048, 3071}) {
                assertEquals(TestFiles.cifarPixel(firstImage + n, i) & 0xff, set.pixel(n, i / 1024, i % 1024 / 32, i % 32));
            }
        }
    }

    @Test
    void readsCifar10TrainingBatchesInOrder() {
        ImageSet set = CifarBinaryReader.readCifar10(writeCifar10(dir), true);
        assertEquals(10, set.count());
        assertEquals(3, set.channels());
        assertEquals(32, set.height());
        assertEquals(List.of(CIFAR10_NAMES), set.classNames());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, set.labels());
        assertCifarPixels(set, 0);
    }

    @Test
    void readsCifar10TestBatch() {
        ImageSet set = CifarBinaryReader.readCifar10(writeCifar10(dir), false);
        assertEquals(3, set.count());
        assertArrayEquals(new int[] {9, 8, 7}, set.labels());
        assertCifarPixels(set, 100);
    }

    @Test
    void readsCifar100FineAndCoarseLabels() {
        Path binary = writeCifar100(dir);
        ImageSet fine = CifarBinaryReader.readCifar100(binary, true, false);
        assertEquals(100, fine.numClasses());
        assertArrayEquals(new int[] {1, 4, 7, 10}, fine.labels());
        assertCifarPixels(fine, 0);
        ImageSet coarse = CifarBinaryReader.readCifar100(binary, true, true);
        assertEquals(20, coarse.numClasses());
        assertEquals("coarse3", coarse.classNames().get(3));
        assertArrayEquals(new int[] {0, 1, 2, 3}, coarse.labels());
        ImageSet test = CifarBinaryReader.readCifar100(binary, false, false);
        assertArrayEquals(new int[] {3 * 10 + 1, 3 * 11 + 1}, test.labels());
        assertCifarPixels(test, 50);
    }

    @Test
    void sizeNotMultipleOfRecordNamesTheFile() {
        Path batches = writeCifar10(dir);
        Path bad = batches.resolve("data_batch_3.bin");
        TestFiles.write(bad, Arrays.copyOf(TestFiles.cifarRecords(0, 2, 1, n -> new int[] {1}), 3073 * 2 - 5));
        var e = assertThrows(DataFormatException.class, () -> CifarBinaryReader.readCifar10(batches, true));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("3073"), e.getMessage());
    }

    @Test
    void cifar100RecordsAreNotCifar10Records() {
        Path binary = writeCifar100(dir);
        Path file = binary.resolve("train.bin");
        TestFiles.write(file, TestFiles.cifarRecords(0, 3, 1, n -> new int[] {1}));
        var e = assertThrows(DataFormatException.class, () -> CifarBinaryReader.readCifar100(binary, true, false));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("3074"), e.getMessage());
    }

    @Test
    void labelOutOfRangeNamesTheFile() {
        Path batches = writeCifar10(dir);
        Path bad = TestFiles.write(batches.resolve("test_batch.bin"), TestFiles.cifarRecords(0, 2, 1, n -> new int[] {n == 1 ? 10 : 0}));
        var e = assertThrows(DataFormatException.class, () -> CifarBinaryReader.readCifar10(batches, false));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void missingBatchOrNamesFileIsNamed() {
        Path batches = writeCifar10(dir);
        Path missing = batches.resolve("data_batch_5.bin");
        missing.toFile().delete();
        var e = assertThrows(DataFormatException.class, () -> CifarBinaryReader.readCifar10(batches, true));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        Path meta = batches.resolve("batches.meta.txt");
        meta.toFile().delete();
        e = assertThrows(DataFormatException.class, () -> CifarBinaryReader.readCifar10(batches, false));
        assertTrue(e.getMessage().contains(meta.toString()), e.getMessage());
    }

    @Test
    void emptyBatchIsAnError() {
        Path batches = writeCifar10(dir);
        Path empty = TestFiles.write(batches.resolve("test_batch.bin"), new byte[0]);
        var e = assertThrows(DataFormatException.class, () -> CifarBinaryReader.readCifar10(batches, false));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }
}
