package io.github.hopmixer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandAugmentTest {

    private static final int[] FILL = {128, 128, 128};

    static Chw random(int channels, int h, int w, long seed) {
        ImageSet set = TestFiles.randomSet(1, channels, h, w, 1, seed);
        return Chw.of(set, 0);
    }

    @Test
    void magnitudeZeroLeavesImagesAloneWhereTimmDoes() {
        var identities = EnumSet.of(RandAugment.Op.ROTATE, RandAugment.Op.SOLARIZE, RandAugment.Op.SOLARIZE_ADD,
                RandAugment.Op.COLOR, RandAugment.Op.CONTRAST, RandAugment.Op.BRIGHTNESS, RandAugment.Op.SHARPNESS,
                RandAugment.Op.SHEAR_X, RandAugment.Op.SHEAR_Y, RandAugment.Op.TRANSLATE_X_REL, RandAugment.Op.TRANSLATE_Y_REL);
        for (int channels : new int[] {1, 3}) {
            Chw img = random(channels, 9, 7, channels);
            for (RandAugment.Op op : identities) {
                for (long seed = 0; seed < 4; seed++) { // both signs of the random negation
                    Chw out = op.apply(img, 0, true, new SplittableRandom(seed), FILL);
                    assertArrayEquals(img.data(), out.data(), op + " with " + channels + " channel(s)");
                }
            }
        }
    }

    @Test
    void increasingPosterizeAtMagnitudeZeroKeepsFourBits() {
        Chw img = random(3, 5, 5, 1);
        Chw out = RandAugment.Op.POSTERIZE.apply(img, 0, true, new SplittableRandom(0), FILL);
        for (int i = 0; i < img.data().length; i++) assertEquals(img.data()[i] & 0xf0, out.data()[i] & 0xff);
        // The plain set keeps int(m/10·4) bits: all four at m=10.
        out = RandAugment.Op.POSTERIZE.apply(img, 10, false, new SplittableRandom(0), FILL);
        for (int i = 0; i < img.data().length; i++) assertEquals(img.data()[i] & 0xf0, out.data()[i] & 0xff);
    }

    @Test
    void pointOpsMatchPillow() {
        Chw img = random(3, 6, 6, 2);
        assertArrayEquals(img.data(), PixelOps.invert(PixelOps.invert(img)).data());
        Chw solarized = RandAugment.Op.SOLARIZE.apply(img, 10, true, new SplittableRandom(0), FILL); // threshold 0: invert all
        assertArrayEquals(PixelOps.invert(img).data(), solarized.data());
        Chw added = PixelOps.solarizeAdd(img, 100, 128);
        for (int i = 0; i < img.data().length; i++) {
            int v = img.data()[i] & 0xff;
            assertEquals(v < 128 ? Math.min(255, v + 100) : v, added.data()[i] & 0xff);
        }
        byte[] black = PixelOps.brightness(img, 0).data();
        assertArrayEquals(new byte[black.length], black);
    }

    @Test
    void autoContrastStretchesEachChannel() {
        byte[] data = {1, 11, 52, 52, /* a flat second channel stays */ 10, 10, 10, 10};
        Chw out = PixelOps.autoContrast(new Chw(data, 2, 2, 2));
        assertArrayEquals(new byte[] {0, 50, (byte) 255, (byte) 255, 10, 10, 10, 10}, out.data());
    }

    @Test
    void equalizeFollowsPillowsStepRule() {
        byte[] data = new byte[1024];
        for (int i = 0; i < 1024; i++) data[i] = (byte) (100 + i / 256); // four equally common levels 100..103
        Chw out = PixelOps.equalize(new Chw(data, 1, 32, 32));
        // step = (1024 − 256) / 255 = 3; lut[v] = (1 + pixels below v) / 3, capped at 255
        assertEquals(List.of(0, 85, 171, 255), List.of(out.get(0, 0, 0), out.get(0, 8, 0), out.get(0, 16, 0), out.get(0, 24, 0)));
        // With fewer than 255 pixels outside the top level the step is 0 and Pillow leaves the image alone.
        byte[] few = java.util.Arrays.copyOf(data, 64);
        assertArrayEquals(few, PixelOps.equalize(new Chw(few, 1, 8, 8)).data());
    }

    @Test
    void contrastZeroGivesTheMeanLuma() {
        byte[] data = {0, 100, (byte) 200, (byte) 250};
        Chw out = PixelOps.contrast(new Chw(data, 1, 2, 2), 0);
        for (byte b : out.data()) assertEquals(138, b & 0xff); // int(137.5 + 0.5)
    }

    @Test
    void rotateHalfTurnFlipsBothAxesAndQuarterTurnTransposes() {
        Chw img = random(3, 6, 6, 3);
        Chw half = PixelOps.rotate(img, 180, FILL);
        Chw quarter = PixelOps.rotate(img, 90, FILL);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 6; x++) {
                    assertEquals(img.get(c, 5 - y, 5 - x), half.get(c, y, x));
                    assertEquals(img.get(c, x, 5 - y), quarter.get(c, y, x)); // counter-clockwise, as Pillow
                }
            }
        }
    }

    @Test
    void translateShiftsAndFillsWithTheMean() {
        Chw img = random(3, 4, 5, 4);
        Chw out = PixelOps.translateX(img, 2, FILL); // Pillow samples input x + 2
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) assertEquals(x + 2 < 5 ? img.get(c, y, x + 2) : 128, out.get(c, y, x));
            }
        }
    }

    @Test
    void parsesTimmSpecs() {
        RandAugmentSpec spec = RandAugmentSpec.parse("rand-m9-mstd0.5-inc1");
        assertEquals(new RandAugmentSpec(2, 9, 0.5, 10, 0.5, true), spec);
        assertEquals(spec, RandAugmentSpec.parse(spec.toString()));
        RandAugmentSpec uniform = RandAugmentSpec.parse("rand-n3-m7-mstd101-p0.7");
        assertEquals(3, uniform.ops());
        assertTrue(Double.isInfinite(uniform.magnitudeStd()));
        assertEquals(0.7, uniform.prob());
        assertFalse(uniform.increasing());
        assertFalse(RandAugmentSpec.parse("none").enabled());
        assertThrows(IllegalArgumentException.class, () -> RandAugmentSpec.parse("auto-m9"));
        assertThrows(IllegalArgumentException.class, () -> RandAugmentSpec.parse("rand-q9"));
        assertThrows(IllegalArgumentException.class, () -> RandAugmentSpec.parse("rand-mx"));
    }

    @Test
    void applyIsDeterministicPerRandomStreamAndChangesImages() {
        Chw img = random(3, 16, 16, 5);
        RandAugmentSpec spec = RandAugmentSpec.parse("rand-m9-mstd0.5-inc1");
        int changed = 0;
        for (long seed = 0; seed < 20; seed++) {
            Chw a = RandAugment.apply(img, spec, new SplittableRandom(seed), FILL);
            Chw b = RandAugment.apply(img, spec, new SplittableRandom(seed), FILL);
            assertArrayEquals(a.data(), b.data());
            if (!Arrays.equals(a.data(), img.data())) changed++;
        }
        assertTrue(changed >= 10, "only " + changed + " of 20 images changed");
        Chw untouched = RandAugment.apply(img, RandAugmentSpec.parse("rand-m9-p0"), new SplittableRandom(1), FILL);
        assertArrayEquals(img.data(), untouched.data());
    }
}
