package io.github.hopmixer.train;

/**
 * timm's {@code CosineLRScheduler} stepped per epoch, as the official recipe runs it: linear warm-up from
 * {@code warmupLr} over {@code warmupEpochs}, then lr_min + ½(base − lr_min)(1 + cos(π·t/T)) with t the epoch.
 */
public record CosineSchedule(double baseLr, int epochs, int warmupEpochs, double warmupLr, double minLr) {

    public CosineSchedule {
        if (epochs < 1 || warmupEpochs < 0 || baseLr <= 0 || minLr < 0 || warmupLr < 0) {
            throw new IllegalArgumentException("bad schedule " + this);
        }
    }

    public double lr(int epoch) {
        if (epoch < warmupEpochs) return warmupLr + epoch * (baseLr - warmupLr) / warmupEpochs;
        return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * epoch / epochs));
    }
}
