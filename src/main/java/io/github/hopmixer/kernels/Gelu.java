package io.github.hopmixer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)), as PyTorch's {@code nn.GELU()} (approximate='none'). */
public final class Gelu {
    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length();
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    private static final FloatVector TWO = FloatVector.broadcast(SP, 2f);

    private Gelu() {}

    public static void forwardRef(double[] y, double[] x, int n, int lo, int hi) {
        for (int i = lo; i < hi; i++) y[i] = 0.5 * x[i] * (1 + erf(x[i] * SQRT_HALF));
    }

    public static void forwardJvm(float[] y, float[] x, int n, int lo, int hi) {
        int i = lo;
        for (; i + L <= hi; i += L) {
            FloatVector v = FloatVector.fromArray(SP, x, i);
            FloatVector e = VectorExp.exp(v.mul(v).mul(-0.5f));
            v.mul(0.5f).mul(erfPlusOne(v, e)).intoArray(y, i);
        }
        for (; i < hi; i++) {
            float v = x[i];
            y[i] = v * 0.5f * erfPlusOne(v, VectorExp.exp(v * v * -0.5f));
        }
    }

    /**
     * 1 + erf(v/√2) by Abramowitz–Stegun 7.1.26 on vectors, given e = exp(−v²/2), which the backward pass
     * also needs for φ(v).
     */
    private static FloatVector erfPlusOne(FloatVector v, FloatVector e) {
        FloatVector ax = v.abs().mul((float) SQRT_HALF);
        FloatVector t = FloatVector.broadcast(SP, 1f).div(ax.fma(0.3275911f, 1f));
        FloatVector poly = t.fma(1.061405429f, -1.453152027f).fma(t, FloatVector.broadcast(SP, 1.421413741f))
                .fma(t, FloatVector.broadcast(SP, -0.284496736f)).fma(t, FloatVector.broadcast(SP, 0.254829592f)).mul(t);
        FloatVector tailErf = poly.mul(e);             // 1 − |erf|
        FloatVector pos = TWO.sub(tailErf);             // 1 + erf for v ≥ 0
        return pos.blend(tailErf, v.lt(0f));           // 1 − |erf| for v < 0
    }

    /** GELU'(x) = Φ(x) + x·φ(x). */
    public static void backwardRef(double[] dx, double[] dy, double[] x, int n, int acc, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            double v = x[i], d = 0.5 * (1 + erf(v * SQRT_HALF)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
            dx[i] = acc != 0 ? dx[i] + dy[i] * d : dy[i] * d;
        }
    }

    public static void backwardJvm(float[] dx, float[] dy, float[] x, int n, int acc, int lo, int hi) {
        backwardJvm(dx, dy, 0, x, acc, lo, hi);
    }

    /** The same with dy's element i at dy[i − dyShift] (a block of it in scratch). */
    public static void backwardJvm(float[] dx, float[] dy, int dyShift, float[] x, int acc, int lo, int hi) {
        int i = lo;
        for (; i + L <= hi; i += L) {
            FloatVector v = FloatVector.fromArray(SP, x, i);
            FloatVector e = VectorExp.exp(v.mul(v).mul(-0.5f));
            FloatVector d = erfPlusOne(v, e).mul(0.5f).add(v.mul(e).mul((float) INV_SQRT_2PI));
            FloatVector g = FloatVector.fromArray(SP, dy, i - dyShift).mul(d);
            if (acc != 0) g = g.add(FloatVector.fromArray(SP, dx, i));
            g.intoArray(dx, i);
        }
        for (; i < hi; i++) {
            float v = x[i], e = VectorExp.exp(v * v * -0.5f);
            float d = erfPlusOne(v, e) * 0.5f + v * e * (float) INV_SQRT_2PI;
            float g = dy[i - dyShift] * d;
            dx[i] = acc != 0 ? g + dx[i] : g;
        }
    }

    /**
     * y = GELU(x) and, in x's place, its slope GELU'(x) = Φ(x) + x·φ(x), from one exp and one erf: the fused forward
     * leaves the backward a multiply ({@link #slopeBackwardJvm}). The same float operations as {@link #forwardJvm}
     * and {@link #backwardJvm}, so the bits of both.
     */
    public static void forwardSlopeJvm(float[] y, float[] x, int lo, int hi) {
        int i = lo;
        for (; i + L <= hi; i += L) {
            FloatVector v = FloatVector.fromArray(SP, x, i);
            FloatVector e = VectorExp.exp(v.mul(v).mul(-0.5f));
            FloatVector p = erfPlusOne(v, e);
            v.mul(0.5f).mul(p).intoArray(y, i);
            p.mul(0.5f).add(v.mul(e).mul((float) INV_SQRT_2PI)).intoArray(x, i);
        }
        for (; i < hi; i++) {
            float v = x[i], e = VectorExp.exp(v * v * -0.5f), p = erfPlusOne(v, e);
            y[i] = v * 0.5f * p;
            x[i] = p * 0.5f + v * e * (float) INV_SQRT_2PI;
        }
    }

    public static void forwardSlopeRef(double[] y, double[] x, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            double v = x[i], phi = 0.5 * (1 + erf(v * SQRT_HALF));
            y[i] = v * phi;
            x[i] = phi + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
        }
    }

    /** dx (+)= dy·d for d = GELU'(x) as {@link #forwardSlopeJvm} stored it; dy's element i at dy[i − dyShift]. */
    public static void slopeBackwardJvm(float[] dx, float[] dy, int dyShift, float[] d, int acc, int lo, int hi) {
        int i = lo;
        for (; i + L <= hi; i += L) {
            FloatVector g = FloatVector.fromArray(SP, dy, i - dyShift).mul(FloatVector.fromArray(SP, d, i));
            if (acc != 0) g = g.add(FloatVector.fromArray(SP, dx, i));
            g.intoArray(dx, i);
        }
        for (; i < hi; i++) {
            float g = dy[i - dyShift] * d[i];
            dx[i] = acc != 0 ? g + dx[i] : g;
        }
    }

    public static void slopeBackwardRef(double[] dx, double[] dy, double[] d, int acc, int lo, int hi) {
        for (int i = lo; i < hi; i++) dx[i] = acc != 0 ? dx[i] + dy[i] * d[i] : dy[i] * d[i];
    }

    /** erf to double precision (≈1e-15): a positive-term series below 3, erfc's continued fraction above. */
    public static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax, sum = ax, x2 = 2 * ax * ax;
            for (int n = 1; term > 1e-17 * sum; n++) {
                term *= x2 / (2 * n + 1);
                sum += term;
            }
            r = TWO_OVER_SQRT_PI * Math.exp(-ax * ax) * sum;
        } else {
            double f = ax;
            for (int k = 60; k >= 1; k--) f = ax + (k * 0.5) / f;
            r = 1 - Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
        }
        return x < 0 ? -r : r;
    }

    /**
     * The scalar twin of the vector {@link #erfPlusOne(FloatVector, FloatVector)}, operation for operation, so an
     * element gives the same bits whichever loop (and so whichever thread split) computes it.
     */
    static float erfPlusOne(float v, float e) {
        float ax = Math.abs(v) * (float) SQRT_HALF;
        float t = 1f / Math.fma(ax, 0.3275911f, 1f);
        float poly = Math.fma(Math.fma(Math.fma(Math.fma(t, 1.061405429f, -1.453152027f), t, 1.421413741f), t, -0.284496736f),
                t, 0.254829592f) * t;
        float tailErf = poly * e;
        return v < 0 ? tailErf : -tailErf + 2f;
    }

    /** Abramowitz–Stegun 7.1.26 in float: within 5e-7 of erf (1.5e-7 for the formula, the rest float rounding). */
    public static float erfFloat(float x) {
        float ax = Math.abs(x);
        float t = 1f / (1f + 0.3275911f * ax);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float r = 1f - poly * VectorExp.exp(-ax * ax);
        return x < 0 ? -r : r;
    }
}
