package io.github.hopmixer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentTest {

    @Test
    void flipInTheTrainingBatchMirrorsEachImage() {
        ImageSet set = TestFiles.randomSet(12, 3, 5, 6, 3, 1);
        AugmentConfig config = AugmentConfig.none().withFlipProb(1);
        BatchMaker maker = new BatchMaker(set, config, 4, 7);
        Batch batch = maker.trainBatch(0, 1);
        int[] order = maker.permutation(0);
        for (int row = 0; row < 4; row++) {
            Chw source = Chw.of(set, order[4 + row]);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 5; y++) {
                    for (int x = 0; x < 6; x++) {
                        float expected = source.get(c, y, 5 - x) / 255f;
                        assertEquals(expected, batch.images()[row * 90 + (c * 5 + y) * 6 + x], 1e-6);
                    }
                }
            }
            assertEquals(set.labels()[order[4 + row]], batch.labels()[row]);
        }
    }

    @Test
    void paddedCropKeepsTheSizeAndShiftsByAtMostThePadding() {
        Chw img = RandAugmentTest.random(3, 8, 8, 2);
        Set<String> offsets = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            Chw out = Augment.cropWithPadding(img, 2, new SplittableRandom(seed));
            assertEquals(img.data().length, out.data().length);
            String found = null;
            for (int top = -2; top <= 2 && found == null; top++) {
                for (int left = -2; left <= 2 && found == null; left++) {
                    if (java.util.Arrays.equals(Augment.shift(img, top, left).data(), out.data())) found = top + "," + left;
                }
            }
            assertNotNull(found, "seed " + seed + " is no padded crop");
            offsets.add(found);
        }
        assertEquals(25, offsets.size()); // every offset in [−2, 2]² occurs
        // Padding is zero: a crop at (−2, −2) starts with two black rows.
        Chw corner = Augment.shift(img, -2, -2);
        for (int x = 0; x < 8; x++) assertEquals(0, corner.get(1, 1, x));
        assertEquals(img.get(1, 0, 0), corner.get(1, 2, 2));
    }

    @Test
    void erasingChangesOnlyARectangle() {
        int c = 3, h = 20, w = 24;
        float[] img = new float[c * h * w];
        for (int i = 0; i < img.length; i++) img[i] = 7f;
        float[] erased = img.clone();
        int[] box = Augment.erase(erased, 0, c, h, w, 1.0, new SplittableRandom(3));
        assertNotNull(box);
        int top = box[0], left = box[1], eh = box[2], ew = box[3];
        assertTrue(eh * ew >= 0.02 * h * w * 0.8 && eh * ew <= h * w / 3.0 * 1.2, "area " + eh * ew);
        double sum = 0, squares = 0;
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = erased[(ch * h + y) * w + x];
                    boolean inside = y >= top && y < top + eh && x >= left && x < left + ew;
                    if (inside) {
                        assertNotEquals(7f, v);
                        sum += v;
                        squares += v * v;
                    } else {
                        assertEquals(7f, v);
                    }
                }
            }
        }
        int n = c * eh * ew;
        assertEquals(0, sum / n, 0.3); // standard normal noise
        assertEquals(1, squares / n, 0.4);
        assertEquals(null, Augment.erase(img.clone(), 0, c, h, w, 0.0, new SplittableRandom(3)));
    }

    @Test
    void normalizationUsesPerChannelMeanAndStd() {
        byte[] data = {0, (byte) 255, 51, 102};
        Chw img = new Chw(data, 2, 1, 2);
        AugmentConfig config = AugmentConfig.none().withNormalization(new double[] {0.5, 0.2}, new double[] {0.5, 0.4});
        float[] out = new float[4];
        Augment.normalize(img, config, 1, 2, out, 0);
        assertArrayEquals(new float[] {-1, 1, 0, 0.5f}, out, 1e-6f);
    }

    @Test
    void resizeIsPillowBilinear() {
        byte[] ramp = {0, 100};
        float[] out = new float[4];
        Resize.toFloat(ramp, 0, 1, 1, 2, out, 0, 1, 4);
        assertArrayEquals(new float[] {0, 25, 75, 100}, out, 1e-4f);
        byte[] flat = new byte[3 * 32 * 32];
        java.util.Arrays.fill(flat, (byte) 77);
        byte[] big = Resize.toBytes(flat, 0, 3, 32, 32, 224, 224);
        for (byte b : big) assertEquals(77, b);
        byte[] small = Resize.toBytes(flat, 0, 3, 32, 32, 7, 5);
        for (byte b : small) assertEquals(77, b);
    }

    @Test
    void channelMismatchIsReportedUpFront() {
        ImageSet grey = TestFiles.randomSet(4, 1, 4, 4, 2, 1);
        AugmentConfig rgbStats = AugmentConfig.none().withNormalization(new double[] {0.4, 0.5, 0.6}, new double[] {0.2, 0.2, 0.2});
        var e = assertThrows(IllegalArgumentException.class, () -> new BatchMaker(grey, rgbStats, 2, 0));
        assertTrue(e.getMessage().contains("3 values") && e.getMessage().contains("1 channel"), e.getMessage());
    }

    @Test
    void configValidatesItsRanges() {
        assertThrows(IllegalArgumentException.class, () -> AugmentConfig.defaults().withFlipProb(1.5));
        assertThrows(IllegalArgumentException.class, () -> AugmentConfig.defaults().withLabelSmoothing(1));
        assertThrows(IllegalArgumentException.class, () -> AugmentConfig.defaults().withCropPadding(-1));
        assertThrows(IllegalArgumentException.class,
                () -> AugmentConfig.defaults().withNormalization(new double[] {0.5}, new double[] {0}));
        assertEquals(AugmentConfig.defaults(), AugmentConfig.defaults());
        assertEquals("rand-m9-n2-mstd0.5-mmax10-p0.5-inc1", AugmentConfig.defaults().randAugment().toString());
    }
}
