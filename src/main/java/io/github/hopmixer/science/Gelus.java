package io.github.hopmixer.science;

import io.github.hopmixer.kernels.Gelu;

/** The hidden layers' Lagrangian Φ and its derivatives in double: Φ' = GELU (exact erf form), Φ'' = GELU'. */
final class Gelus {
    private static final double SQRT_HALF = Math.sqrt(0.5), SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private Gelus() {}

    /** Φ(x) = ¼[x² + (x² − 1)·erf(x/√2) + x·√(2/π)·e^{−x²/2}], Φ(0) = 0, Φ ≥ 0. */
    static double phi(double x) {
        double x2 = x * x;
        return 0.25 * (x2 + (x2 - 1) * Gelu.erf(x * SQRT_HALF) + x * SQRT_2_OVER_PI * Math.exp(-0.5 * x2));
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + Gelu.erf(x * SQRT_HALF));
    }

    /** GELU'(x) = Φ_N(x) + x·φ_N(x) with the standard normal CDF and density. */
    static double geluPrime(double x) {
        return 0.5 * (1 + Gelu.erf(x * SQRT_HALF)) + x * 0.5 * SQRT_2_OVER_PI * Math.exp(-0.5 * x * x);
    }

    static double[] gelu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = gelu(x[i]);
        return y;
    }
}
