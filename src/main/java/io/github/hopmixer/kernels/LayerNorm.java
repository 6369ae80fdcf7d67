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
     * interpreter's fallback do differ: results would depend on JIT timing.
     */
    private static float sum(FloatVector v) {
        float[] t = LANES.get();
        v.intoArray(t, 0);
        float s = 0f;
        for (float x : t) s += x;
        return s;
    }

    /** Vector API, one row per work item: lane-wise partial sums, then one reduction per row. */
    public static void forwardJvm(float[] y, float[] mean, float[] rstd, float[] x, float[] gamma, float[] beta,
                                  int rows, int dim, int lo, int hi) {
        int vEnd = SP.loopBound(dim);
        for (int r = lo; r < hi; r++) {
            int o = r * dim;
            FloatVector acc = FloatVector.zero(SP);
            for (int i = 0; i < vEnd; i += L) acc = acc.add(FloatVector.fromArray(SP, x, o + i));
            float sum = sum(acc);
            for (int i = vEnd; i < dim; i++) sum += x[o + i];
            float mu = sum / dim;
            acc = FloatVector.zero(SP);
            for (int i = 0; i < vEnd; i += L) {
                FloatVector d = FloatVector.fromArray(SP, x, o + i).sub(mu);
                acc = d.fma(d, acc);
            }
            float var = sum(acc);
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
            float sumG = sum(sg), sumGX = sum(sgx);
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
        if (acc == 0) {
            java.util.Arrays.fill(dgamma, lo, hi, 0f);
            java.util.Arrays.fill(dbeta, lo, hi, 0f);
        }
        // Row-outer order keeps the reads contiguous; each work range owns its columns, so no races.
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            float mu = mean[r], rs = rstd[r];
            for (int i = lo; i < hi; i++) {
                float d = dy[o + i];
                dgamma[i] += d * (x[o + i] - mu) * rs;
                dbeta[i] += d;
            }
        }
    }
}
