package io.github.hopmixer.data;

import java.util.SplittableRandom;

/**
 * timm's {@code Mixup} in batch mode: with probability mixProb one λ for the whole batch, drawn from
 * Beta(α, α) of mixup or (with switch probability, or alone) cutmix; row i mixes with row B−1−i
 * (timm's {@code x.flip(0)}); cutmix λ is corrected to the pasted box's true area.
 * Targets are timm's {@code mixup_target}: smoothed one-hots (off = s/K, on = 1 − s + s/K) mixed by λ.
 */
final class Mixup {

    /** The λ used and, for cutmix, the box {top, left, bottom, right} (exclusive ends); null box = mixup or none. */
    record Mix(double lambda, int[] box) {
    }

    private Mixup() {
    }

    /** Mixes {@code images} (B×C×H×W) in place and returns what was done. */
    static Mix mixImages(float[] images, int batch, int channels, int h, int w, AugmentConfig config, SplittableRandom random) {
        if (!config.mixes() || random.nextDouble() >= config.mixProb()) return new Mix(1, null);
        boolean cutmix;
        double lambda;
        if (config.mixupAlpha() > 0 && config.cutmixAlpha() > 0) {
            cutmix = random.nextDouble() < config.mixSwitchProb();
            double alpha = cutmix ? config.cutmixAlpha() : config.mixupAlpha();
            lambda = Sampling.beta(random, alpha, alpha);
        } else {
            cutmix = config.cutmixAlpha() > 0;
            double alpha = cutmix ? config.cutmixAlpha() : config.mixupAlpha();
            lambda = Sampling.beta(random, alpha, alpha);
        }
        if (lambda == 1) return new Mix(1, null);
        int imageSize = channels * h * w;
        float[] original = images.clone(); // the flipped batch must be read before rows are overwritten
        if (cutmix) {
            double ratio = Math.sqrt(1 - lambda);
            int cutH = (int) (h * ratio), cutW = (int) (w * ratio);
            int cy = random.nextInt(h), cx = random.nextInt(w);
            int top = Math.clamp(cy - cutH / 2, 0, h), bottom = Math.clamp(cy + cutH / 2, 0, h);
            int left = Math.clamp(cx - cutW / 2, 0, w), right = Math.clamp(cx + cutW / 2, 0, w);
            for (int row = 0; row < batch; row++) {
                int to = row * imageSize, from = (batch - 1 - row) * imageSize;
                for (int c = 0; c < channels; c++) {
                    for (int y = top; y < bottom; y++) {
                        int at = (c * h + y) * w + left;
                        System.arraycopy(original, from + at, images, to + at, right - left);
                    }
                }
            }
            double corrected = 1 - (double) (bottom - top) * (right - left) / (h * w);
            return new Mix(corrected, new int[] {top, left, bottom, right});
        }
        float lam = (float) lambda;
        for (int row = 0; row < batch; row++) {
            int to = row * imageSize, from = (batch - 1 - row) * imageSize;
            for (int i = 0; i < imageSize; i++) images[to + i] = images[to + i] * lam + original[from + i] * (1 - lam);
        }
        return new Mix(lambda, null);
    }

    /** timm's mixup_target: λ · smooth(one_hot(y)) + (1 − λ) · smooth(one_hot(flip(y))). */
    static float[] targets(int[] labels, int numClasses, double smoothing, double lambda) {
        int batch = labels.length;
        double off = smoothing / numClasses, on = 1 - smoothing + off;
        float[] targets = new float[batch * numClasses];
        for (int row = 0; row < batch; row++) {
            int base = row * numClasses;
            for (int k = 0; k < numClasses; k++) targets[base + k] = (float) off;
            targets[base + labels[row]] += (float) (lambda * (on - off));
            targets[base + labels[batch - 1 - row]] += (float) ((1 - lambda) * (on - off));
        }
        return targets;
    }
}
