package io.github.hopmixer.kernels;

/**
 * LayerNorm over the last {@code dim} entries of each row, with elementwise affine γ, β of length dim.
 * The paper's symmetric norm over the whole (S, C) slab is rows = B, dim = S·C; timm's per-token norm is
 * rows = B·S, dim = C. Forward saves mean and 1/σ per row for the backward pass.
 */
public final class LayerNorm {
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

    public static void forwardJvm(float[] y, float[] mean, float[] rstd, float[] x, float[] gamma, float[] beta,
                                  int rows, int dim, int lo, int hi) {
        for (int r = lo; r < hi; r++) {
            int o = r * dim;
            float mu = 0f;
            for (int i = 0; i < dim; i++) mu += x[o + i];
            mu /= dim;
            float var = 0f;
            for (int i = 0; i < dim; i++) {
                float d = x[o + i] - mu;
                var += d * d;
            }
            float rs = (float) (1.0 / Math.sqrt(var / dim + EPS));
            for (int i = 0; i < dim; i++) y[o + i] = (x[o + i] - mu) * rs * gamma[i] + beta[i];
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
        for (int r = lo; r < hi; r++) {
            int o = r * dim;
            float mu = mean[r], rs = rstd[r], sumG = 0f, sumGX = 0f;
            for (int i = 0; i < dim; i++) {
                float g = dy[o + i] * gamma[i];
                sumG += g;
                sumGX += g * (x[o + i] - mu) * rs;
            }
            sumG /= dim;
            sumGX /= dim;
            for (int i = 0; i < dim; i++) {
                float xh = (x[o + i] - mu) * rs;
                float v = rs * (dy[o + i] * gamma[i] - sumG - xh * sumGX);
                dx[o + i] = acc != 0 ? dx[o + i] + v : v;
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
