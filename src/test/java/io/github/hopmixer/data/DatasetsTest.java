package io.github.hopmixer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path dir;

    @Test
    void readsDebianFashionMnistTestSet() {
        Assumptions.assumeTrue(Files.isRegularFile(Datasets.DEBIAN_FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz")),
                "dataset-fashion-mnist is not installed");
        ImageSet set = Datasets.load("fashion-mnist", null, false);
        assertEquals(10_000, set.count());
        assertEquals(1, set.channels());
        assertEquals(28, set.height());
        assertEquals(28, set.width());
        assertEquals(Datasets.FASHION_MNIST_CLASSES, set.classNames());
        int[] expected = new int[10];
        Arrays.fill(expected, 1000);
        assertArrayEquals(expected, set.labelHistogram());
    }

    private void writeMnist(Path where, String prefix, int n, boolean gzip) {
        byte[] images = TestFiles.idx(IdxReader.IMAGE_MAGIC, new int[] {n, 2, 2}, new byte[n * 4]);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
        byte[] labelFile = TestFiles.idx(IdxReader.LABEL_MAGIC, new int[] {n}, labels);
        String suffix = gzip ? ".gz" : "";
        TestFiles.write(where.resolve(prefix + "-images-idx3-ubyte" + suffix), gzip ? TestFiles.gzip(images) : images);
        TestFiles.write(where.resolve(prefix + "-labels-idx1-ubyte" + suffix), gzip ? TestFiles.gzip(labelFile) : labelFile);
    }

    @Test
    void loadsMnistSplitsFromRawOrGzipFiles() {
        writeMnist(dir, "train", 12, true);
        writeMnist(dir.resolve("raw"), "t10k", 3, false);
        ImageSet train = Datasets.load("mnist", dir, true);
        assertEquals(12, train.count());
        assertEquals(Datasets.MNIST_CLASSES, train.classNames());
        assertEquals(3, Datasets.load("mnist", dir, false).count());
    }

    @Test
    void missingMnistFilesSayWhatAndWhere() {
        var e = assertThrows(DataFormatException.class, () -> Datasets.load("fashion-mnist", dir, true));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("train-images-idx3-ubyte")
                && e.getMessage().contains("https://"), e.getMessage());
        Path missing = dir.resolve("absent");
        e = assertThrows(DataFormatException.class, () -> Datasets.load("mnist", missing, false));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("t10k-images-idx3-ubyte")
                && e.getMessage().contains("https://"), e.getMessage());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        var e = assertThrows(DataFormatException.class, () -> Datasets.load("imagenet", dir, true));
        assertTrue(e.getMessage().contains("imagenet") && e.getMessage().contains("cifar100") && e.getMessage().contains("folder"),
                e.getMessage());
    }

    @Test
    void cifarAcceptsTheParentOrTheUnpackedDirectory() {
        Path batches = CifarBinaryReaderTest.writeCifar10(dir);
        assertEquals(10, Datasets.load("cifar10", dir, true).count());
        assertEquals(3, Datasets.load("cifar10", batches, false).count());
        Path binary = CifarBinaryReaderTest.writeCifar100(dir);
        assertEquals(100, Datasets.load("cifar100", dir, true).numClasses());
        assertEquals(20, Datasets.load("cifar100-coarse", binary, false).numClasses());
    }

    @Test
    void missingCifarSaysWhereToGetIt() {
        var e = assertThrows(DataFormatException.class, () -> Datasets.load("cifar10", dir, true));
        assertTrue(e.getMessage().contains("cifar-10-batches-bin") && e.getMessage().contains("cifar-10-binary.tar.gz"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> Datasets.load("cifar100", dir.resolve("x"), true));
        assertTrue(e.getMessage().contains("cifar-100-binary") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void folderUsesTrainClassesForTheTestSplit() {
        ImageFolderReaderTest.writeImage(dir.resolve("train/ant/1.png"), ImageFolderReaderTest.solid(4, 4, 0x010203), "png");
        ImageFolderReaderTest.writeImage(dir.resolve("train/bee/1.png"), ImageFolderReaderTest.solid(4, 4, 0x010203), "png");
        ImageFolderReaderTest.writeImage(dir.resolve("val/bee/2.png"), ImageFolderReaderTest.solid(4, 4, 0x010203), "png");
        assertEquals(List.of("ant", "bee"), Datasets.load("folder", dir, true).classNames());
        ImageSet test = Datasets.load("folder", dir, false);
        assertEquals(List.of("ant", "bee"), test.classNames());
        assertArrayEquals(new int[] {1}, test.labels());
    }

    @Test
    void folderWithoutSplitsOrDirectoryIsExplained() {
        var e = assertThrows(DataFormatException.class, () -> Datasets.load("folder", dir, false));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("test/"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> Datasets.load("folder", null, true));
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
    }

    @Test
    void subsetsTakeTheFirstOrASeededRandomSample() {
        ImageSet set = TestFiles.randomSet(50, 1, 2, 2, 5, 1);
        ImageSet first = Datasets.subset(set, 7);
        assertEquals(7, first.count());
        assertArrayEquals(Arrays.copyOf(set.pixels(), 28), first.pixels());
        assertSame(set, Datasets.subset(set, 80));

        ImageSet random = Datasets.subset(set, 10, 42);
        assertEquals(10, random.count());
        assertArrayEquals(random.pixels(), Datasets.subset(set, 10, 42).pixels());
        assertNotEquals(Arrays.toString(random.pixels()), Arrays.toString(Datasets.subset(set, 10, 43).pixels()));
        // Every chosen image is one of the originals, with its own label.
        for (int i = 0; i < random.count(); i++) {
            boolean found = false;
            for (int j = 0; j < set.count() && !found; j++) {
                found = Arrays.equals(random.pixels(), i * 4, i * 4 + 4, set.pixels(), j * 4, j * 4 + 4)
                        && random.labels()[i] == set.labels()[j];
            }
            assertTrue(found, "image " + i);
        }
    }
}
