package io.github.hopmixer.data;

import java.util.SplittableRandom;

/**
 * timm's RandAugment ({@code timm.data.auto_augment}) on uint8 CHW images, with timm's op set, level
 * functions and order of random draws (ops first, then per op: apply?, magnitude, sign).
 * Differences from timm, all deliberate: geometric ops always interpolate bilinearly (timm picks
 * bilinear or bicubic at random); the op set has no per-op weights ({@code w} option); "inc0" turns
 * the increasing set off (timm's {@code bool("0")} quirk keeps it on); the SMOOTH filter behind
 * Sharpness rounds to nearest.
 */
final class RandAugment {

    /** The 15 ops of timm's {@code _RAND_TRANSFORMS} / {@code _RAND_INCREASING_TRANSFORMS}. */
    enum Op {
        AUTO_CONTRAST, EQUALIZE, INVERT, ROTATE, POSTERIZE, SOLARIZE, SOLARIZE_ADD,
        COLOR, CONTRAST, BRIGHTNESS, SHARPNESS, SHEAR_X, SHEAR_Y, TRANSLATE_X_REL, TRANSLATE_Y_REL;

        /**
         * Applies this op at {@code magnitude} (0..10); {@code increasing} selects the "…Increasing"
         * level functions, where a larger magnitude always means a stronger change.
         */
        Chw apply(Chw img, double magnitude, boolean increasing, SplittableRandom random, int[] fill) {
            double level = magnitude / 10;
            return switch (this) {
                case AUTO_CONTRAST -> PixelOps.autoContrast(img);
                case EQUALIZE -> PixelOps.equalize(img);
                case INVERT -> PixelOps.invert(img);
                case ROTATE -> PixelOps.rotate(img, negate(level * 30, random), fill);
                case POSTERIZE -> PixelOps.posterize(img, increasing ? 4 - (int) (level * 4) : (int) (level * 4));
                case SOLARIZE -> PixelOps.solarize(img, increasing ? 256 - (int) (level * 256) : (int) (level * 256));
                case SOLARIZE_ADD -> PixelOps.solarizeAdd(img, (int) (level * 110), 128);
                case COLOR -> PixelOps.color(img, enhance(level, increasing, random));
                case CONTRAST -> PixelOps.contrast(img, enhance(level, increasing, random));
                case BRIGHTNESS -> PixelOps.brightness(img, enhance(level, increasing, random));
                case SHARPNESS -> PixelOps.sharpness(img, enhance(level, increasing, random));
                case SHEAR_X -> PixelOps.shearX(img, negate(level * 0.3, random), fill);
                case SHEAR_Y -> PixelOps.shearY(img, negate(level * 0.3, random), fill);
                case TRANSLATE_X_REL -> PixelOps.translateX(img, negate(level * 0.45, random) * img.width(), fill);
                case TRANSLATE_Y_REL -> PixelOps.translateY(img, negate(level * 0.45, random) * img.height(), fill);
            };
        }

        /** timm's enhance factor: 1 ± 0.9·level (at least 0.1) when increasing, else 0.1 + 1.8·level. */
        private static double enhance(double level, boolean increasing, SplittableRandom random) {
            return increasing ? Math.max(0.1, 1 + negate(level * 0.9, random)) : level * 1.8 + 0.1;
        }

        /** timm's {@code _randomly_negate}. */
        private static double negate(double v, SplittableRandom random) {
            return random.nextDouble() > 0.5 ? -v : v;
        }
    }

    private static final Op[] OPS = Op.values();

    private RandAugment() {
    }

    /** Applies {@code spec.ops()} randomly chosen ops to {@code img}; {@code fill} is the per-channel fill of geometric ops. */
    static Chw apply(Chw img, RandAugmentSpec spec, SplittableRandom random, int[] fill) {
        if (!spec.enabled()) return img;
        Op[] chosen = new Op[spec.ops()];
        for (int i = 0; i < chosen.length; i++) chosen[i] = OPS[random.nextInt(OPS.length)];
        for (Op op : chosen) {
            if (spec.prob() < 1 && random.nextDouble() > spec.prob()) continue;
            double magnitude = spec.magnitude();
            if (Double.isInfinite(spec.magnitudeStd())) {
                magnitude = random.nextDouble() * magnitude;
            } else if (spec.magnitudeStd() > 0) {
                magnitude = magnitude + spec.magnitudeStd() * random.nextGaussian();
            }
            magnitude = Math.clamp(magnitude, 0, spec.magnitudeMax());
            img = op.apply(img, magnitude, spec.increasing(), random, fill);
        }
        return img;
    }
}
