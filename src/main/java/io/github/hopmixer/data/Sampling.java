package io.github.hopmixer.data;

import java.util.SplittableRandom;

/** Random variates that {@link SplittableRandom} lacks: Gamma and Beta (for mixup's λ). */
final class Sampling {

    private Sampling() {
    }

    /** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
    static double beta(SplittableRandom random, double a, double b) {
        double x = gamma(random, a), y = gamma(random, b);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /** Gamma(shape, 1) by Marsaglia and Tsang; shapes below 1 use the boost Gamma(shape + 1) · U^(1/shape). */
    static double gamma(SplittableRandom random, double shape) {
        if (shape <= 0) throw new IllegalArgumentException("gamma shape must be positive, got " + shape);
        if (shape < 1) {
            double u = 1 - random.nextDouble(); // in (0, 1]
            return gamma(random, shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = random.nextGaussian(), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = 1 - random.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
        }
    }
}
