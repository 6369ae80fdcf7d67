package io.github.hopmixer.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Loads the supported data sets by name and makes subsets for quick runs. */
public final class Datasets {

    /** The names {@link #load} understands. */
    public static final List<String> NAMES = List.of("fashion-mnist", "mnist", "cifar10", "cifar100", "cifar100-coarse", "folder");

    /** Where Debian's dataset-fashion-mnist package puts the files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final List<String> MNIST_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private static final String FASHION_MNIST_SOURCE = "install Debian's dataset-fashion-mnist package, or download the four"
            + " .gz files from https://github.com/zalandoresearch/fashion-mnist"
            + " (http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/)";
    private static final String MNIST_SOURCE = "download the four .gz files from https://ossci-datasets.s3.amazonaws.com/mnist/"
            + " (mirror of http://yann.lecun.com/exdb/mnist/)";
    private static final String CIFAR10_SOURCE = "download and unpack https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
    private static final String CIFAR100_SOURCE = "download and unpack https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz";

    private Datasets() {
    }

    /**
     * Loads the training or test split of a data set.
     *
     * @param name    one of {@link #NAMES}
     * @param dataDir where the files are; null means {@link #defaultDir(String)}
     */
    public static ImageSet load(String name, Path dataDir, boolean train) {
        if (!NAMES.contains(name)) {
            throw new DataFormatException("--dataset " + name + ": unknown data set; expected one of " + String.join(", ", NAMES));
        }
        Path dir = dataDir != null ? dataDir : defaultDir(name);
        return switch (name) {
            case "fashion-mnist" -> loadIdx("Fashion-MNIST", dir, train, FASHION_MNIST_CLASSES, FASHION_MNIST_SOURCE);
            case "mnist" -> loadIdx("MNIST", dir, train, MNIST_CLASSES, MNIST_SOURCE);
            case "cifar10" -> CifarBinaryReader.readCifar10(
                    cifarDir("CIFAR-10", dir, "cifar-10-batches-bin", "data_batch_1..5.bin, test_batch.bin, batches.meta.txt",
                            CIFAR10_SOURCE, "batches.meta.txt", "test_batch.bin", "data_batch_1.bin"), train);
            case "cifar100", "cifar100-coarse" -> CifarBinaryReader.readCifar100(
                    cifarDir("CIFAR-100", dir, "cifar-100-binary", "train.bin, test.bin, fine_label_names.txt, coarse_label_names.txt",
                            CIFAR100_SOURCE, "train.bin", "test.bin", "fine_label_names.txt"),
                    train, name.equals("cifar100-coarse"));
            case "folder" -> loadFolder(dir, train);
            default -> throw new IllegalStateException("unhandled data set " + name);
        };
    }

    /** The directory used when {@link #load} gets no data directory. */
    public static Path defaultDir(String name) {
        return switch (name) {
            case "fashion-mnist" -> DEBIAN_FASHION_MNIST;
            case "folder" -> throw new DataFormatException("--dataset folder needs --data-dir, a folder holding train/ and test/ (or val/)");
            default -> Path.of(System.getProperty("user.home"), ".hopmixer", "data", name.replace("-coarse", ""));
        };
    }

    /** The first {@code n} images (all of them when n ≥ count). */
    public static ImageSet subset(ImageSet set, int n) {
        if (n <= 0) throw new IllegalArgumentException("subset size must be positive, got " + n);
        if (n >= set.count()) return set;
        return select(set, IntStream.range(0, n).toArray());
    }

    /** A random subset of {@code n} distinct images chosen by {@code seed}, kept in their original order. */
    public static ImageSet subset(ImageSet set, int n, long seed) {
        if (n <= 0) throw new IllegalArgumentException("subset size must be positive, got " + n);
        if (n >= set.count()) return set;
        int[] order = IntStream.range(0, set.count()).toArray();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) { // partial Fisher–Yates: the first n slots become a uniform sample
            int j = i + random.nextInt(order.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] chosen = Arrays.copyOf(order, n);
        Arrays.sort(chosen);
        return select(set, chosen);
    }

    private static ImageSet select(ImageSet set, int[] indices) {
        int size = set.imageSize();
        byte[] pixels = new byte[indices.length * size];
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(set.pixels(), set.offset(indices[i]), pixels, i * size, size);
            labels[i] = set.labels()[indices[i]];
        }
        return new ImageSet(pixels, labels, indices.length, set.channels(), set.height(), set.width(), set.classNames());
    }

    private static ImageSet loadIdx(String title, Path dir, boolean train, List<String> classes, String source) {
        String prefix = train ? "train" : "t10k";
        String expected = prefix + "-images-idx3-ubyte[.gz] and " + prefix + "-labels-idx1-ubyte[.gz]";
        if (!Files.isDirectory(dir)) {
            throw new DataFormatException(dir, title + " directory not found; expected it to hold " + expected + "; " + source);
        }
        Path images = findIdx(dir, prefix + "-images", "idx3-ubyte");
        Path labels = findIdx(dir, prefix + "-labels", "idx1-ubyte");
        if (images == null || labels == null) {
            throw new DataFormatException(dir, "no " + title + " " + (train ? "training" : "test") + " files: expected "
                    + expected + " (here or in raw/); " + source);
        }
        return IdxReader.read(images, labels, classes);
    }

    /** Accepts the official names, gzipped or not, and the dotted variant (train-images.idx3-ubyte). */
    private static Path findIdx(Path dir, String stem, String kind) {
        for (Path base : List.of(dir, dir.resolve("raw"))) {
            for (String name : List.of(stem + "-" + kind + ".gz", stem + "-" + kind, stem + "." + kind + ".gz", stem + "." + kind)) {
                Path file = base.resolve(name);
                if (Files.isRegularFile(file)) return file;
            }
        }
        return null;
    }

    /** The unpacked CIFAR directory: {@code dir/<unpacked>} or dir itself when it holds the files. */
    private static Path cifarDir(String title, Path dir, String unpacked, String files, String source, String... markers) {
        for (Path candidate : List.of(dir.resolve(unpacked), dir)) {
            for (String marker : markers) {
                if (Files.isRegularFile(candidate.resolve(marker))) return candidate;
            }
        }
        String where = Files.isDirectory(dir) ? "not found in" : "directory not found:";
        throw new DataFormatException(title + " " + where + " " + dir + "; expected " + dir.resolve(unpacked)
                + "/ holding " + files + " (or those files in " + dir + " itself); " + source);
    }

    private static ImageSet loadFolder(Path dir, boolean train) {
        if (!Files.isDirectory(dir)) {
            throw new DataFormatException(dir, "directory not found; data set 'folder' expects train/ and test/ (or val/) ImageFolder trees in it");
        }
        Path trainDir = dir.resolve("train");
        Path split = train ? trainDir : Files.isDirectory(dir.resolve("test")) ? dir.resolve("test") : dir.resolve("val");
        if (!Files.isDirectory(split)) {
            throw new DataFormatException(dir, "has no " + (train ? "train/" : "test/ or val/")
                    + " directory; data set 'folder' expects train/ and test/ (or val/) holding <class>/<image>.{jpg,jpeg,png}");
        }
        // The test split takes the training split's class numbering so that labels agree.
        List<String> classes = Files.isDirectory(trainDir) ? ImageFolderReader.classNames(trainDir) : ImageFolderReader.classNames(split);
        return ImageFolderReader.read(split, false, 0, classes);
    }
}
