package io.github.hopmixer.data;

import java.util.Arrays;

/**
 * How training batches are augmented and how all batches are normalised, following timm's training
 * recipe: random crop with zero padding, horizontal flip, RandAugment, resize to the model's input,
 * normalise {@code (x/255 − mean)/std}, random erasing (per-pixel normal noise), then mixup/cutmix
 * and label smoothing on the batch. Evaluation batches use only resize and normalisation.
 *
 * @param cropPadding     zero padding on each side before a random crop back to the original size; 0 = off
 * @param flipProb        probability of a horizontal flip
 * @param randAugment     RandAugment settings; {@link RandAugmentSpec#none()} = off
 * @param eraseProb       probability of random erasing per image (timm {@code reprob})
 * @param mixupAlpha      Beta(α, α) for mixup; 0 = off
 * @param cutmixAlpha     Beta(α, α) for cutmix; 0 = off
 * @param mixSwitchProb   probability of cutmix rather than mixup when both are on
 * @param mixProb         probability that a batch is mixed at all
 * @param labelSmoothing  timm smoothing: off value smoothing/K, on value 1 − smoothing + smoothing/K
 * @param mean            per-channel mean of the normalisation (one value = every channel)
 * @param std             per-channel std of the normalisation (one value = every channel)
 * @param outputSize      side of the square images the model takes (bilinear resize); 0 = the data's size
 */
public record AugmentConfig(int cropPadding, double flipProb, RandAugmentSpec randAugment, double eraseProb,
                            double mixupAlpha, double cutmixAlpha, double mixSwitchProb, double mixProb,
                            double labelSmoothing, double[] mean, double[] std, int outputSize) {

    public AugmentConfig {
        // Messages name the train command's flags: these settings reach users only through them.
        if (cropPadding < 0) throw new IllegalArgumentException("--crop-pad " + cropPadding + ": must be >= 0");
        requireProbability("--hflip", flipProb);
        requireProbability("--reprob", eraseProb);
        requireProbability("--mixup-switch-prob", mixSwitchProb);
        requireProbability("--mixup-prob", mixProb);
        if (!(mixupAlpha >= 0) || Double.isInfinite(mixupAlpha)) throw new IllegalArgumentException("--mixup " + mixupAlpha + ": must be a finite α >= 0");
        if (!(cutmixAlpha >= 0) || Double.isInfinite(cutmixAlpha)) throw new IllegalArgumentException("--cutmix " + cutmixAlpha + ": must be a finite α >= 0");
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("--smoothing " + labelSmoothing + ": must be in [0, 1)");
        }
        mean = mean.clone();
        std = std.clone();
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalisation mean and std need the same, non-zero number of channels: "
                    + Arrays.toString(mean) + " / " + Arrays.toString(std));
        }
        for (double s : std) if (!(s > 0 && s < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("normalisation std must be positive: " + Arrays.toString(std));
        for (double m : mean) if (!Double.isFinite(m)) throw new IllegalArgumentException("normalisation mean must be finite: " + Arrays.toString(mean));
        if (outputSize < 0) throw new IllegalArgumentException("--img-size " + outputSize + ": must be positive");
    }

    /** No augmentation, no smoothing; pixels scaled to [0, 1] and kept at the data's size. */
    public static AugmentConfig none() {
        return new AugmentConfig(0, 0, RandAugmentSpec.none(), 0, 0, 0, 0, 0, 0, new double[] {0}, new double[] {1}, 0);
    }

    /**
     * The timm recipe for small images (DeiT/Mixer style): crop padding 4, flip 0.5,
     * rand-m9-mstd0.5-inc1, erasing 0.25, mixup 0.8, cutmix 1.0, switch 0.5, always mix,
     * smoothing 0.1, mean = std = 0.5 (the Mixer models' normalisation), data's own size.
     */
    public static AugmentConfig defaults() {
        return new AugmentConfig(4, 0.5, RandAugmentSpec.parse("rand-m9-mstd0.5-inc1"), 0.25, 0.8, 1.0, 0.5, 1.0, 0.1,
                new double[] {0.5}, new double[] {0.5}, 0);
    }

    public AugmentConfig withCropPadding(int padding) {
        return new AugmentConfig(padding, flipProb, randAugment, eraseProb, mixupAlpha, cutmixAlpha, mixSwitchProb, mixProb,
                labelSmoothing, mean, std, outputSize);
    }

    public AugmentConfig withFlipProb(double prob) {
        return new AugmentConfig(cropPadding, prob, randAugment, eraseProb, mixupAlpha, cutmixAlpha, mixSwitchProb, mixProb,
                labelSmoothing, mean, std, outputSize);
    }

    /** RandAugment from timm's string form, e.g. {@code rand-m9-mstd0.5-inc1}, or "none". */
    public AugmentConfig withRandAugment(String spec) {
        return withRandAugment(RandAugmentSpec.parse(spec));
    }

    public AugmentConfig withRandAugment(RandAugmentSpec spec) {
        return new AugmentConfig(cropPadding, flipProb, spec, eraseProb, mixupAlpha, cutmixAlpha, mixSwitchProb, mixProb,
                labelSmoothing, mean, std, outputSize);
    }

    public AugmentConfig withEraseProb(double prob) {
        return new AugmentConfig(cropPadding, flipProb, randAugment, prob, mixupAlpha, cutmixAlpha, mixSwitchProb, mixProb,
                labelSmoothing, mean, std, outputSize);
    }

    public AugmentConfig withMixup(double mixup, double cutmix, double switchProb, double prob) {
        return new AugmentConfig(cropPadding, flipProb, randAugment, eraseProb, mixup, cutmix, switchProb, prob,
                labelSmoothing, mean, std, outputSize);
    }

    public AugmentConfig withLabelSmoothing(double smoothing) {
        return new AugmentConfig(cropPadding, flipProb, randAugment, eraseProb, mixupAlpha, cutmixAlpha, mixSwitchProb, mixProb,
                smoothing, mean, std, outputSize);
    }

    public AugmentConfig withNormalization(double[] newMean, double[] newStd) {
        return new AugmentConfig(cropPadding, flipProb, randAugment, eraseProb, mixupAlpha, cutmixAlpha, mixSwitchProb, mixProb,
                labelSmoothing, newMean, newStd, outputSize);
    }

    public AugmentConfig withOutputSize(int size) {
        return new AugmentConfig(cropPadding, flipProb, randAugment, eraseProb, mixupAlpha, cutmixAlpha, mixSwitchProb, mixProb,
                labelSmoothing, mean, std, size);
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    /** Whether batches are mixed at all (mixup or cutmix on, with a non-zero probability). */
    public boolean mixes() {
        return mixProb > 0 && (mixupAlpha > 0 || cutmixAlpha > 0);
    }

    /** Mean of channel {@code c}, broadcasting a single value; fails when the data has other channel counts. */
    double meanOf(int c, int channels) {
        return pick(mean, c, channels, "mean");
    }

    double stdOf(int c, int channels) {
        return pick(std, c, channels, "std");
    }

    private static double pick(double[] values, int c, int channels, String what) {
        if (values.length == 1) return values[0];
        if (values.length != channels) {
            throw new IllegalArgumentException("normalisation " + what + " has " + values.length + " values but the data has "
                    + channels + " channel(s)");
        }
        return values[c];
    }

    private static void requireProbability(String flag, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(flag + " " + p + ": must be a probability in [0, 1]");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AugmentConfig a && cropPadding == a.cropPadding && flipProb == a.flipProb
                && randAugment.equals(a.randAugment) && eraseProb == a.eraseProb && mixupAlpha == a.mixupAlpha
                && cutmixAlpha == a.cutmixAlpha && mixSwitchProb == a.mixSwitchProb && mixProb == a.mixProb
                && labelSmoothing == a.labelSmoothing && Arrays.equals(mean, a.mean) && Arrays.equals(std, a.std)
                && outputSize == a.outputSize;
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hash(cropPadding, flipProb, randAugment, eraseProb, mixupAlpha, cutmixAlpha,
                mixSwitchProb, mixProb, labelSmoothing, outputSize) + 17 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "AugmentConfig[cropPadding=" + cropPadding + ", flipProb=" + flipProb + ", randAugment=" + randAugment
                + ", eraseProb=" + eraseProb + ", mixupAlpha=" + mixupAlpha + ", cutmixAlpha=" + cutmixAlpha
                + ", mixSwitchProb=" + mixSwitchProb + ", mixProb=" + mixProb + ", labelSmoothing=" + labelSmoothing
                + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ", outputSize=" + outputSize + "]";
    }
}
