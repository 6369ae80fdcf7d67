package io.github.hopmixer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {

    @TempDir
    Path dir;

    /** An RGB test image whose pixel (x, y) is (10x + seed, 20y, 200 − seed). */
    static BufferedImage pattern(int w, int h, int seed) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) image.setRGB(x, y, (10 * x + seed) << 16 | (20 * y) << 8 | (200 - seed));
        }
        return image;
    }

    static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) image.setRGB(x, y, rgb);
        return image;
    }

    static Path writeImage(Path file, BufferedImage image, String format) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(image, format, file.toFile())) throw new IllegalStateException("no " + format + " writer");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two classes written out of order: "cat" (a PNG and a JPEG) and "bird" (one PNG). */
    static Path writeTree(Path root) {
        writeImage(root.resolve("cat/b.png"), pattern(4, 3, 1), "png");
        writeImage(root.resolve("cat/a.jpg"), solid(4, 3, 0x3366cc), "jpg");
        writeImage(root.resolve("bird/z.png"), pattern(4, 3, 2), "png");
        TestFiles.writeLines(root.resolve("cat/notes.txt"), "ignored like torchvision ignores it");
        return root;
    }

    @Test
    void readsPngAndJpegWithSortedClasses() {
        ImageSet set = ImageFolderReader.read(writeTree(dir));
        assertEquals(List.of("bird", "cat"), set.classNames());
        assertEquals(3, set.count());
        assertEquals(3, set.channels());
        assertEquals(3, set.height());
        assertEquals(4, set.width());
        assertArrayEquals(new int[] {0, 1, 1}, set.labels());
        // bird/z.png, then cat/a.jpg, then cat/b.png
        assertEquals(10 * 3 + 2, set.pixel(0, 0, 1, 3));
        assertEquals(20 * 2, set.pixel(0, 1, 2, 0));
        assertEquals(198, set.pixel(0, 2, 0, 0));
        assertEquals(0x33, set.pixel(1, 0, 1, 1), 4); // JPEG is lossy
        assertEquals(0x66, set.pixel(1, 1, 1, 1), 4);
        assertEquals(0xcc, set.pixel(1, 2, 1, 1), 4);
        assertEquals(10 * 2 + 1, set.pixel(2, 0, 0, 2));
    }

    @Test
    void greyModeUsesPillowLuma() {
        writeImage(dir.resolve("a/x.png"), solid(2, 2, 0xff8000), "png");
        ImageSet set = ImageFolderReader.read(dir, true, 0);
        assertEquals(1, set.channels());
        assertEquals((255 * 19595 + 128 * 38470 + 0x8000) >> 16, set.pixel(0, 0, 1, 1));
    }

    @Test
    void greyPngsKeepTheirValues() {
        BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 100, 200});
        writeImage(dir.resolve("a/g.png"), grey, "png");
        ImageSet rgb = ImageFolderReader.read(dir);
        for (int c = 0; c < 3; c++) assertEquals(100, rgb.pixel(0, c, 0, 1)); // no gamma shift from Java's linear grey
        assertEquals(200, ImageFolderReader.read(dir, true, 0).pixel(0, 0, 0, 2));
    }

    @Test
    void resizesToATargetSize() {
        writeImage(dir.resolve("a/big.png"), solid(8, 6, 0x204060), "png");
        writeImage(dir.resolve("b/small.png"), solid(2, 2, 0x204060), "png");
        ImageSet set = ImageFolderReader.read(dir, false, 4);
        assertEquals(4, set.height());
        assertEquals(4, set.width());
        for (int n = 0; n < 2; n++) assertEquals(0x40, set.pixel(n, 1, 3, 2));
    }

    @Test
    void mixedSizesWithoutTargetNameTheFile() {
        writeImage(dir.resolve("a/one.png"), solid(4, 4, 0), "png");
        Path odd = writeImage(dir.resolve("a/two.png"), solid(5, 4, 0), "png");
        var e = assertThrows(DataFormatException.class, () -> ImageFolderReader.read(dir));
        assertTrue(e.getMessage().contains(odd.toString()) && e.getMessage().contains("5×4"), e.getMessage());
    }

    @Test
    void undecodableImageNamesTheFile() {
        writeImage(dir.resolve("a/ok.png"), solid(4, 4, 0), "png");
        Path bad = TestFiles.write(dir.resolve("a/broken.jpg"), "not a jpeg".getBytes());
        var e = assertThrows(DataFormatException.class, () -> ImageFolderReader.read(dir));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void truncatedPngNamesTheFile() throws IOException {
        Path png = writeImage(dir.resolve("a/cut.png"), pattern(16, 16, 0), "png");
        byte[] bytes = Files.readAllBytes(png);
        Files.write(png, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        var e = assertThrows(DataFormatException.class, () -> ImageFolderReader.read(dir));
        assertTrue(e.getMessage().contains(png.toString()), e.getMessage());
    }

    @Test
    void emptyClassFolderIsNamed() throws IOException {
        writeImage(dir.resolve("a/ok.png"), solid(4, 4, 0), "png");
        Files.createDirectories(dir.resolve("b"));
        var e = assertThrows(DataFormatException.class, () -> ImageFolderReader.read(dir));
        assertTrue(e.getMessage().contains(dir.resolve("b").toString()), e.getMessage());
    }

    @Test
    void missingOrEmptyRootIsNamed() {
        Path missing = dir.resolve("nothing");
        var e = assertThrows(DataFormatException.class, () -> ImageFolderReader.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("not found"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> ImageFolderReader.read(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("no class"), e.getMessage());
    }

    @Test
    void unexpectedClassIsAnError() {
        writeImage(dir.resolve("zebra/ok.png"), solid(4, 4, 0), "png");
        var e = assertThrows(DataFormatException.class, () -> ImageFolderReader.read(dir, false, 0, List.of("cat", "dog")));
        assertTrue(e.getMessage().contains("zebra"), e.getMessage());
    }

    @Test
    void decodesManyJpegsEachIntoItsOwnSlot() {
        // 1,000 JPEGs decoded in parallel: each lands at its place in torchvision's order (classes sorted, files sorted
        // by name) with its label. Blue is 200 − seed over the whole image, a flat plane JPEG keeps within a few steps
        // (red's ramp leaks into it through the chroma; read in the first 16×16 block, before red wraps past 255), where the
        // seeds within a class are 10 apart.
        for (int i = 0; i < 1000; i++) writeImage(dir.resolve("c" + i % 10 + "/" + i + ".jpg"), pattern(32, 32, i % 50), "jpg");
        ImageSet set = ImageFolderReader.read(dir);
        assertEquals(1000, set.count());
        int n = 0;
        for (int cls = 0; cls < 10; cls++) {
            List<String> names = new java.util.ArrayList<>();
            for (int i = cls; i < 1000; i += 10) names.add(i + ".jpg");
            java.util.Collections.sort(names);
            for (String name : names) {
                int seed = Integer.parseInt(name.substring(0, name.indexOf('.'))) % 50;
                assertEquals(cls, set.labels()[n], "label of c" + cls + "/" + name);
                assertEquals(200 - seed, set.pixel(n, 2, 4, 4), 4, "blue of c" + cls + "/" + name);
                n++;
            }
        }
    }
}
