package io.github.hopmixer.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Image sizes are checked from the header before the decoder allocates pixels: a PNG or JPEG whose header claims
 * a huge image is refused, naming the file and the size, having allocated almost nothing.
 */
class ImageHeaderTest {

    @TempDir
    Path tmp;

    /** PNG signature, an IHDR with a valid CRC claiming width×height RGB, an empty IDAT, IEND. */
    static byte[] png(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(b, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).array());
        chunk(b, "IDAT", new byte[0]);
        chunk(b, "IEND", new byte[0]);
        return b.array();
    }

    static void chunk(ByteBuffer b, String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        b.putInt(data.length).put(type.getBytes()).put(data).putInt((int) crc.getValue());
    }

    /** A real 16×16 JPEG whose SOF0 frame header is patched to claim width×height. */
    static byte[] jpeg(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "jpg", out);
        byte[] j = out.toByteArray();
        for (int i = 2; i < j.length - 9; i++) {
            if ((j[i] & 0xff) == 0xff && (j[i + 1] & 0xff) == 0xc0) { // SOF0: length(2) precision(1) height(2) width(2)
                j[i + 5] = (byte) (height >> 8);
                j[i + 6] = (byte) height;
                j[i + 7] = (byte) (width >> 8);
                j[i + 8] = (byte) width;
                return j;
            }
        }
        throw new AssertionError("no SOF0 marker in the JPEG ImageIO wrote");
    }

    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    DataFormatException refused(Path file) {
        long before = allocatedBytes();
        DataFormatException e = assertThrows(DataFormatException.class, () -> ImageFolderReader.decode(file));
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < 16L << 20, "refused after allocating " + allocated + " bytes");
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e;
    }

    @Test
    void pngHeaderClaiming20000SquareIsRefusedBeforeAllocating() throws IOException {
        Path f = Files.write(tmp.resolve("bomb.png"), png(20000, 20000));
        assertTrue(refused(f).getMessage().contains("20000×20000"));
    }

    @Test
    void pngUnderTheSideLimitButOverThePixelBudgetIsRefused() throws IOException {
        Path f = Files.write(tmp.resolve("wide.png"), png(16000, 16000));
        assertTrue(refused(f).getMessage().contains("16000×16000"));
    }

    @Test
    void jpegHeaderClaimingAHugeFrameIsRefused() throws IOException {
        Path f = Files.write(tmp.resolve("bomb.jpg"), jpeg(60000, 50000));
        assertTrue(refused(f).getMessage().contains("60000×50000"));
    }

    @Test
    void theSameFilesWithOrdinarySizesDecode() throws IOException {
        // Controls: the patching and the hand-written IHDR are sound; only the sizes made the difference.
        BufferedImage j = ImageFolderReader.decode(Files.write(tmp.resolve("ok.jpg"), jpeg(16, 16)));
        assertEquals(16, j.getWidth());
        assertArrayEquals(new int[] {300, 200}, ImageFolderReader.headerSize(Files.write(tmp.resolve("ok.png"), png(300, 200))));
        assertArrayEquals(new int[] {16, 24}, ImageFolderReader.headerSize(Files.write(tmp.resolve("ok2.jpg"), jpeg(16, 24))));
    }

    @Test
    void readEachSkipsBadFilesAndKeepsTheRest() throws IOException {
        Path good = tmp.resolve("good.png"), bomb = Files.write(tmp.resolve("bomb.png"), png(20000, 20000)),
                junk = Files.write(tmp.resolve("junk.jpg"), "junk".getBytes());
        ImageIO.write(new BufferedImage(5, 7, BufferedImage.TYPE_INT_RGB), "png", good.toFile());
        ImageFolderReader.Each each = ImageFolderReader.readEach(List.of(bomb, good, junk), false, 4);
        assertEquals(List.of(good), each.files());
        assertEquals(1, each.images().count());
        assertEquals(4, each.images().height());
        assertEquals(2, each.failures().size());
        assertTrue(each.failures().get(0).startsWith(bomb.toString()) && each.failures().get(1).startsWith(junk.toString()),
                each.failures().toString());
    }
}
