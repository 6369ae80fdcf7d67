package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * LayerNorm over the last dim entries of each row, affine, eps 1e-6 (see {@code io.github.hopmixer.kernels.LayerNorm}).
 * Forward and the input gradient: one work-item per row; the parameter gradients: one work-item per column.
 */
public final class LayerNormKernels {
    private LayerNormKernels() {}

    public static final float EPS = 1e-6f;

    /** LAYERNORM: y = (x − μ)·rs·γ + β, saving μ and rs = 1/√(var + eps) per row. */
    public static void forward(KernelContext kc, FloatArray y, FloatArray mean, FloatArray rstd, FloatArray x, FloatArray gamma,
                               FloatArray beta, int rows, int dim) {
        int r = kc.globalIdx;
        if (r < rows) {
            int o = r * dim;
            float mu = 0f;
            for (int i = 0; i < dim; i++) {
                mu += x.get(o + i);
            }
            mu = mu / dim;
            float var = 0f;
            for (int i = 0; i < dim; i++) {
                float d = x.get(o + i) - mu;
                var += d * d;
            }
            float rs = 1f / TornadoMath.sqrt(var / dim + EPS);
            for (int i = 0; i < dim; i++) {
                y.set(o + i, (x.get(o + i) - mu) * rs * gamma.get(i) + beta.get(i));
            }
            mean.set(r, mu);
            rstd.set(r, rs);
        }
    }

    /** LAYERNORM_BACKWARD_INPUT: dx (+)= rs·(g − mean(g) − x̂·mean(g·x̂)), g = dy·γ. */
    public static void backwardInput(KernelContext kc, FloatArray dx, FloatArray dy, FloatArray x, FloatArray mean, FloatArray rstd,
                                     FloatArray gamma, int rows, int dim, int acc) {
        int r = kc.globalIdx;
        if (r < rows) {
            int o = r * dim;
            float mu = mean.get(r);
            float rs = rstd.get(r);
            float sumG = 0f;
            float sumGX = 0f;
            for (int i = 0; i < dim; i++) {
                float g = dy.get(o + i) * gamma.get(i);
                sumG += g;
                sumGX += g * (x.get(o + i) - mu) * rs;
            }
            sumG = sumG / dim;
            sumGX = sumGX / dim;
            for (int i = 0; i < dim; i++) {
                float xh = (x.get(o + i) - mu) * rs;
                float v = rs * (dy.get(o + i) * gamma.get(i) - sumG - xh * sumGX);
                if (acc != 0) {
                    v = dx.get(o + i) + v;
                }
                dx.set(o + i, v);
            }
        }
    }

    /** LAYERNORM_BACKWARD_PARAMS: dγ[i] (+)= Σ_r dy·x̂, dβ[i] (+)= Σ_r dy. */
    public static void backwardParams(KernelContext kc, FloatArray dgamma, FloatArray dbeta, FloatArray dy, FloatArray x, FloatArray mean,
                                      FloatArray rstd, int rows, int dim, int acc) {
        int i = kc.globalIdx;
        if (i < dim) {
            float sg = 0f;
            float sb = 0f;
            for (int r = 0; r < rows; r++) {
                int idx = r * dim + i;
                float d = dy.get(idx);
                sg += d * (x.get(idx) - mean.get(r)) * rstd.get(r);
                sb += d;
            }
            if (acc != 0) {
                sg = dgamma.get(i) + sg;
                sb = dbeta.get(i) + sb;
            }
            dgamma.set(i, sg);
            dbeta.set(i, sb);
        }
    }
}
