package io.github.hopmixer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * LayerNorm over the last {@code dim} entries of each row, with elementwise affine γ, β of length dim.
 * The paper's symmetric norm over the whole (S, C) slab is rows = B, dim = S·C; timm's per-token norm is
 * rows = B·S, dim = C. Forward saves mean and 1/σ per row for the backward pass.
 */
public final class LayerNorm {
    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length();
    public static final double EPS = 1e-6;

    private LayerNorm() {}

    public static void forwardRef(double[] y, double[] mean, double[] rstd, double[] x, double[] gamma, double[] beta,
                                  int rows, int dim, int lo, int hi) {
        for (int r = lo; r < hi; r++) {
            int o = r * dim;
            double mu = 0;
            for (int i = 0; i < dim; i++) mu += x[o + i];
            mu /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) var += (x[o + i] - mu) * (x[o + i] - mu);
            double rs = 1.0 / Math.sqrt(var / dim + EPS);
            for (int i = 0; i < dim; i++) y[o + i] = (x[o + i] - mu) * rs * gamma[i] + beta[i];
            mean[r] = mu;
            rstd[r] = rs;
        }
    }

    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    /**
     * Lanes summed in index order. {@code reduceLanes(ADD)} leaves the order open, and the intrinsic and the
     * interpreter's fallback do differ: results would depend on JIT timing. {@code t}: this thread's {@link #LANES},
     * fetched once per call (a lookup per row cost 7–14 % of the forward pass; measured here).
     */
    private static float sum(FloatVector v, float[] t) {
        v.intoArray(t, 0);
        float s = 0f;
        for (float x : t) s += x;
        return s;
    }

    /** Vector API, one row per work item: lane-wise partial sums, then one reduction per row. */
    public static void forwardJvm(float[] y, float[] mean, float[] rstd, float[] x, float[] gamma, float[] beta,
                                  int rows, int dim, int lo, int hi) {
        float[] lanes = LANES.get();
        int vEnd = SP.loopBound(dim);
        for (int r = lo; r < hi; r++) {
            int o = r * dim;
            FloatVector acc = FloatVector.zero(SP);
            for (int i = 0; i < vEnd; i += L) acc = acc.add(FloatVector.fromArray(SP, x, o + i));
            float sum = sum(acc, lanes);
            for (int i = vEnd; i < dim; i++) sum += x[o + i];
            float mu = sum / dim;
            acc = FloatVector.zero(SP);
            for (int i = 0; i < vEnd; i += L) {
                FloatVector d = FloatVector.fromArray(SP, x, o + i).sub(mu);
                acc = d.fma(d, acc);
            }
            float var = sum(acc, lanes);
            for (int i = vEnd; i < dim; i++) var = Math.fma(x[o + i] - mu, x[o + i] - mu, var);
            float rs = (float) (1.0 / Math.sqrt(var / dim + EPS));
            int i = 0;
            for (; i < vEnd; i += L) {
                FloatVector g = FloatVector.fromArray(SP, gamma, i);
                FloatVector.fromArray(SP, x, o + i).sub(mu).mul(rs).fma(g, FloatVector.fromArray(SP, beta, i)).intoArray(y, o + i);
            }
            for (; i < dim; i++) y[o + i] = Math.fma((x[o + i] - mu) * rs, gamma[i], beta[i]);
            mean[r] = mu;
            rstd[r] = rs;
        }
    }

    /** dx = σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ; work items are rows. */
    public static void backwardInputRef(double[] dx, double[] dy, double[] x, double[] mean, double[] rstd, double[] gamma,
                                        int rows, int dim, int acc, int lo, int hi) {
        for (int r = lo; r < hi; r++) {
            int o = r * dim;
            double mu = mean[r], rs = rstd[r], sumG = 0, sumGX = 0;
            for (int i = 0; i < dim; i++) {
                double g = dy[o + i] * gamma[i];
                sumG += g;
                sumGX += g * (x[o + i] - mu) * rs;
            }
            sumG /= dim;
            sumGX /= dim;
            for (int i = 0; i < dim; i++) {
                double xh = (x[o + i] - mu) * rs;
                double v = rs * (dy[o + i] * gamma[i] - sumG - xh * sumGX);
                dx[o + i] = acc != 0 ? dx[o + i] + v : v;
            }
        }
    }

    public static void backwardInputJvm(float[] dx, float[] dy, float[] x, float[] mean, float[] rstd, float[] gamma,
                                        int rows, int dim, int acc, int lo, int hi) {
        float[] lanes = LANES.get();
        int vEnd = SP.loopBound(dim);
        for (int r = lo; r < hi; r++) {
            int o = r * dim;
            float mu = mean[r], rs = rstd[r];
            FloatVector sg = FloatVector.zero(SP), sgx = FloatVector.zero(SP);
            for (int i = 0; i < vEnd; i += L) {
                FloatVector g = FloatVector.fromArray(SP, dy, o + i).mul(FloatVector.fromArray(SP, gamma, i));
                sg = sg.add(g);
                sgx = g.fma(FloatVector.fromArray(SP, x, o + i).sub(mu).mul(rs), sgx);
            }
            float sumG = sum(sg, lanes), sumGX = sum(sgx, lanes);
            for (int i = vEnd; i < dim; i++) {
                float g = dy[o + i] * gamma[i];
                sumG += g;
                sumGX = Math.fma(g, (x[o + i] - mu) * rs, sumGX);
            }
            sumG /= dim;
            sumGX /= dim;
            int i = 0;
            for (; i < vEnd; i += L) {
                FloatVector xh = FloatVector.fromArray(SP, x, o + i).sub(mu).mul(rs);
                FloatVector g = FloatVector.fromArray(SP, dy, o + i).mul(FloatVector.fromArray(SP, gamma, i));
                FloatVector v = g.sub(sumG).sub(xh.mul(sumGX)).mul(rs);
                if (acc != 0) v = v.add(FloatVector.fromArray(SP, dx, o + i));
                v.intoArray(dx, o + i);
            }
            for (; i < dim; i++) {
                float xh = (x[o + i] - mu) * rs;
                float v = (dy[o + i] * gamma[i] - sumG - xh * sumGX) * rs;
                dx[o + i] = acc != 0 ? v + dx[o + i] : v;
            }
        }
    }

    /** dγ[i] (+)= Σ_r dy·x̂, dβ[i] (+)= Σ_r dy; work items are the dim columns. */
    public static void backwardParamsRef(double[] dgamma, double[] dbeta, double[] dy, double[] x, double[] mean, double[] rstd,
                                         int rows, int dim, int acc, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            double sg = 0, sb = 0;
            for (int r = 0; r < rows; r++) {
                int idx = r * dim + i;
                sg += dy[idx] * (x[idx] - mean[r]) * rstd[r];
                sb += dy[idx];
            }
            dgamma[i] = acc != 0 ? dgamma[i] + sg : sg;
            dbeta[i] = acc != 0 ? dbeta[i] + sb : sb;
        }
    }

    public static void backwardParamsJvm(float[] dgamma, float[] dbeta, float[] dy, float[] x, float[] mean, float[] rstd,
                                         int rows, int dim, int acc, int lo, int hi) {
        // Column groups summed over all rows in registers: one pass over dy and x per group and no load and store of
        // the sums per row (the row-outer scalar loop did both and ran at about half the memory bandwidth). Every
        // column still sums its rows in order with the same float operations, so the bits do not change.
        int i = lo;
        for (; i + 4 * L <= hi; i += 4 * L) paramsGroup4(dgamma, dbeta, dy, x, mean, rstd, rows, dim, acc, i);
        for (; i + L <= hi; i += L) paramsGroup1(dgamma, dbeta, dy, x, mean, rstd, rows, dim, acc, i);
        for (; i < hi; i++) {
            float sg = acc != 0 ? dgamma[i] : 0f, sb = acc != 0 ? dbeta[i] : 0f;
            for (int r = 0; r < rows; r++) {
                float d = dy[r * dim + i];
                sg += d * (x[r * dim + i] - mean[r]) * rstd[r];
                sb += d;
            }
            dgamma[i] = sg;
            dbeta[i] = sb;
        }
    }

    /** Columns [i, i + 4L) of {@link #backwardParamsJvm}. */
    private static void paramsGroup4(float[] dgamma, float[] dbeta, float[] dy, float[] x, float[] mean, float[] rstd,
                                     int rows, int dim, int acc, int i) {
        FloatVector g0 = start(dgamma, i, acc), g1 = start(dgamma, i + L, acc), g2 = start(dgamma, i + 2 * L, acc), g3 = start(dgamma, i + 3 * L, acc);
        FloatVector b0 = start(dbeta, i, acc), b1 = start(dbeta, i + L, acc), b2 = start(dbeta, i + 2 * L, acc), b3 = start(dbeta, i + 3 * L, acc);
        for (int r = 0; r < rows; r++) {
            int o = r * dim + i;
            float mu = mean[r], rs = rstd[r];
            FloatVector d0 = FloatVector.fromArray(SP, dy, o), d1 = FloatVector.fromArray(SP, dy, o + L);
            FloatVector d2 = FloatVector.fromArray(SP, dy, o + 2 * L), d3 = FloatVector.fromArray(SP, dy, o + 3 * L);
            g0 = g0.add(d0.mul(FloatVector.fromArray(SP, x, o).sub(mu)).mul(rs));
            g1 = g1.add(d1.mul(FloatVector.fromArray(SP, x, o + L).sub(mu)).mul(rs));
            g2 = g2.add(d2.mul(FloatVector.fromArray(SP, x, o + 2 * L).sub(mu)).mul(rs));
            g3 = g3.add(d3.mul(FloatVector.fromArray(SP, x, o + 3 * L).sub(mu)).mul(rs));
            b0 = b0.add(d0);
            b1 = b1.add(d1);
            b2 = b2.add(d2);
            b3 = b3.add(d3);
        }
        g0.intoArray(dgamma, i); g1.intoArray(dgamma, i + L); g2.intoArray(dgamma, i + 2 * L); g3.intoArray(dgamma, i + 3 * L);
        b0.intoArray(dbeta, i); b1.intoArray(dbeta, i + L); b2.intoArray(dbeta, i + 2 * L); b3.intoArray(dbeta, i + 3 * L);
    }

    /** Columns [i, i + L) of {@link #backwardParamsJvm}. */
    private static void paramsGroup1(float[] dgamma, float[] dbeta, float[] dy, float[] x, float[] mean, float[] rstd,
                                     int rows, int dim, int acc, int i) {
        FloatVector g = start(dgamma, i, acc), b = start(dbeta, i, acc);
        for (int r = 0; r < rows; r++) {
            int o = r * dim + i;
            FloatVector d = FloatVector.fromArray(SP, dy, o);
            g = g.add(d.mul(FloatVector.fromArray(SP, x, o).sub(mean[r])).mul(rstd[r]));
            b = b.add(d);
        }
        g.intoArray(dgamma, i);
        b.intoArray(dbeta, i);
    }

    private static FloatVector start(float[] sums, int i, int acc) {
        return acc != 0 ? FloatVector.fromArray(SP, sums, i) : FloatVector.zero(SP);
    }
}
