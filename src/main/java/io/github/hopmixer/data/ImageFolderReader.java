package io.github.hopmixer.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads a torchvision ImageFolder tree {@code root/<class>/…/<file>.{jpg,jpeg,png}}: classes are the
 * sub-directories sorted by name, files are walked in torchvision's order (directory, then name), and
 * other files are ignored as torchvision does. Images are decoded in parallel with {@link ImageIO}.
 */
public final class ImageFolderReader {

    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png");

    private ImageFolderReader() {
    }

    /** RGB images that must all share one size. */
    public static ImageSet read(Path root) {
        return read(root, false, 0);
    }

    /**
     * @param grey       convert to one luminance channel (as Pillow's {@code convert("L")}) instead of RGB
     * @param targetSize resize every image to targetSize×targetSize (bilinear); 0 requires equal sizes
     */
    public static ImageSet read(Path root, boolean grey, int targetSize) {
        return read(root, grey, targetSize, classNames(root));
    }

    /**
     * As {@link #read(Path, boolean, int)} with the class list fixed in advance, so that a test split
     * uses the training split's label numbering; every class directory under root must be in the list.
     */
    public static ImageSet read(Path root, boolean grey, int targetSize, List<String> classes) {
        if (targetSize < 0) throw new IllegalArgumentException("targetSize must be >= 0, got " + targetSize);
        List<String> present = classNames(root);
        for (String name : present) {
            if (!classes.contains(name)) {
                throw new DataFormatException(root.resolve(name), "class directory is not one of the expected classes " + classes);
            }
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String name : present) {
            List<Path> found = imageFiles(root.resolve(name));
            if (found.isEmpty()) {
                throw new DataFormatException(root.resolve(name), "class directory holds no .jpg, .jpeg or .png file");
            }
            files.addAll(found);
            for (int i = 0; i < found.size(); i++) labels.add(classes.indexOf(name));
        }
        return decodeAll(files, labels.stream().mapToInt(Integer::intValue).toArray(), classes, grey, targetSize);
    }

    /** The class directories of an ImageFolder root, sorted like torchvision (by name, code-point order). */
    public static List<String> classNames(Path root) {
        DataFiles.requireDirectory(root);
        try (Stream<Path> entries = Files.list(root)) {
            List<String> names = entries.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .sorted().toList();
            if (names.isEmpty()) throw new DataFormatException(root, "holds no class directories (expected root/<class>/<image>)");
            return names;
        } catch (IOException e) {
            throw new DataFormatException(root, "cannot list directory", e);
        }
    }

    private static List<Path> imageFiles(Path classDir) {
        try (Stream<Path> walk = Files.walk(classDir, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return walk.filter(Files::isRegularFile)
                    .filter(ImageFolderReader::hasImageExtension)
                    .sorted(Comparator.comparing((Path p) -> p.getParent().toString()).thenComparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new DataFormatException(classDir, "cannot list directory", e);
        }
    }

    static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static ImageSet decodeAll(List<Path> files, int[] labels, List<String> classes, boolean grey, int targetSize) {
        int channels = grey ? 1 : 3;
        // The first image fixes the size when no target is given (read from its header); the others must match it.
        int[] size = targetSize > 0 ? new int[] {targetSize, targetSize} : headerSize(files.getFirst());
        int height = size[1], width = size[0];
        int imageSize = channels * height * width;
        if ((long) imageSize * files.size() > Integer.MAX_VALUE - 8) {
            throw new DataFormatException(files.getFirst().getParent().getParent(), files.size() + " images of "
                    + channels + "×" + height + "×" + width + " do not fit in one array; give a smaller target size");
        }
        byte[] pixels = new byte[imageSize * files.size()];
        IntStream.range(0, files.size()).parallel().forEach(i -> {
            Path file = files.get(i);
            BufferedImage image = decode(file);
            if (targetSize == 0 && (image.getHeight() != height || image.getWidth() != width)) {
                throw new DataFormatException(file, "is " + image.getWidth() + "×" + image.getHeight() + " but "
                        + files.getFirst() + " is " + width + "×" + height + "; give a target size to resize");
            }
            System.arraycopy(sized(image, grey, height, width), 0, pixels, i * imageSize, imageSize);
        });
        return new ImageSet(pixels, labels, files.size(), channels, height, width, classes);
    }

    /**
     * Images read one by one for prediction: a file that cannot be decoded is listed in {@code failures} (its
     * message names it) and left out, so that one bad file does not stop the rest.
     */
    public record Each(ImageSet images, List<Path> files, List<String> failures) {}

    /** Decodes every file to targetSize×targetSize (bilinear), keeping the ones that decode; see {@link Each}. */
    public static Each readEach(List<Path> files, boolean grey, int targetSize) {
        if (targetSize <= 0) throw new IllegalArgumentException("targetSize must be positive, got " + targetSize);
        int channels = grey ? 1 : 3, imageSize = channels * targetSize * targetSize;
        byte[][] decoded = new byte[files.size()][];
        String[] problems = new String[files.size()];
        IntStream.range(0, files.size()).parallel().forEach(i -> {
            try {
                decoded[i] = sized(decode(files.get(i)), grey, targetSize, targetSize);
            } catch (DataFormatException e) {
                problems[i] = e.getMessage();
            }
        });
        List<Path> kept = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (decoded[i] != null) kept.add(files.get(i));
            else failures.add(problems[i]);
        }
        if ((long) imageSize * kept.size() > Integer.MAX_VALUE - 8) {
            throw new DataFormatException(kept.size() + " images of " + channels + "×" + targetSize + "×" + targetSize
                    + " do not fit in one array; give fewer files at a time");
        }
        byte[] pixels = new byte[imageSize * kept.size()];
        for (int i = 0, n = 0; i < files.size(); i++) {
            if (decoded[i] != null) System.arraycopy(decoded[i], 0, pixels, imageSize * n++, imageSize);
        }
        return new Each(new ImageSet(pixels, new int[kept.size()], kept.size(), channels, targetSize, targetSize, List.of("?")),
                kept, failures);
    }

    /** CHW bytes of the image at height×width, resized (bilinear) when it has another size. */
    private static byte[] sized(BufferedImage image, boolean grey, int height, int width) {
        byte[] chw = toChw(image, grey);
        if (image.getHeight() == height && image.getWidth() == width) return chw;
        return Resize.toBytes(chw, 0, grey ? 1 : 3, image.getHeight(), image.getWidth(), height, width);
    }

    /** Images larger than this, a side or in all, are refused from their header before any pixel is allocated. */
    public static final int MAX_SIDE = 16384;
    public static final long MAX_PIXELS = 50_000_000L;

    static BufferedImage decode(Path file) {
        return withReader(file, reader -> {
            BufferedImage image = reader.read(0);
            if (image == null) throw new DataFormatException(file, "is not a decodable JPEG or PNG image");
            return image;
        });
    }

    /** Width and height from the file's header only. */
    static int[] headerSize(Path file) {
        return withReader(file, reader -> new int[] {reader.getWidth(0), reader.getHeight(0)});
    }

    private interface ReaderTask<T> {
        T apply(ImageReader reader) throws IOException;
    }

    /** Runs task on a reader whose file header has been read and checked against {@link #MAX_SIDE} and {@link #MAX_PIXELS}. */
    private static <T> T withReader(Path file, ReaderTask<T> task) {
        DataFiles.requireFile(file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw new DataFormatException(file, "is not a decodable JPEG or PNG image");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0), height = reader.getHeight(0);
                if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE || (long) width * height > MAX_PIXELS) {
                    throw new DataFormatException(file, "its header says " + width + "×" + height + " pixels; images up to "
                            + MAX_SIDE + " px a side and " + MAX_PIXELS / 1_000_000 + " megapixels are read (shrink it first)");
                }
                return task.apply(reader);
            } finally {
                reader.dispose();
            }
        } catch (DataFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(file, "cannot decode image", e);
        }
    }

    /** Converts a decoded image to CHW RGB or grey bytes, dropping alpha as Pillow's convert does. */
    static byte[] toChw(BufferedImage image, boolean grey) {
        int h = image.getHeight(), w = image.getWidth(), plane = h * w;
        byte[] out = new byte[(grey ? 1 : 3) * plane];
        Raster raster = image.getRaster();
        if (isGrey(image)) {
            // Read grey samples directly: getRGB would gamma-convert Java's linear grey space and brighten them.
            int max = (1 << image.getColorModel().getComponentSize(0)) - 1;
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) ((row[x] * 255L + max / 2) / max);
                    out[y * w + x] = v;
                    if (!grey) {
                        out[plane + y * w + x] = v;
                        out[2 * plane + y * w + x] = v;
                    }
                }
            }
            return out;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            int r = argb[i] >> 16 & 0xff, g = argb[i] >> 8 & 0xff, b = argb[i] & 0xff;
            if (grey) {
                out[i] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16); // Pillow's L = ITU-R 601-2 luma
            } else {
                out[i] = (byte) r;
                out[plane + i] = (byte) g;
                out[2 * plane + i] = (byte) b;
            }
        }
        return out;
    }

    private static boolean isGrey(BufferedImage image) {
        return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getColorModel().getNumColorComponents() == 1
                && !(image.getColorModel() instanceof java.awt.image.IndexColorModel);
    }
}
