package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * LayerNorm shaped for GPUs (the same maths as {@link LayerNormKernels}): forward and the input gradient run one
 * work-group per row, each work-item summing every size-th entry and a tree in local memory combining the group's
 * sums; the parameter gradients sum columns, {@code cols} adjacent columns per work-group (so neighbouring
 * work-items read neighbouring floats) with the group's other work-items ("lanes") splitting the rows.
 *
 * <p>Every work-item reaches every barrier (no early return); the grids hold exactly one group per row or column
 * block. The tree is written out in each kernel: TornadoVM keeps local arrays in the kernel that allocates them.
 */
public final class LayerNormGroupKernels {
    private LayerNormGroupKernels() {}

    /** Floats of each local array: the largest work-group these kernels take (reduce.local). */
    public static final int LOCAL = 256;

    /** LAYERNORM: y = (x − μ)·rs·γ + β, saving μ and rs per row; work-group r normalises row r. */
    public static void forward(KernelContext kc, FloatArray y, FloatArray mean, FloatArray rstd, FloatArray x, FloatArray gamma,
                               FloatArray beta, int rows, int dim) {
        float[] part = kc.allocateFloatLocalArray(LOCAL);
        int r = kc.groupIdx;
        int l = kc.localIdx;
        int size = kc.localGroupSizeX;
        int o = r * dim;
        float s = 0f;
        for (int i = l; i < dim; i += size) {
            s += x.get(o + i);
        }
        part[l] = s;
        for (int st = size / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (l < st) {
                part[l] += part[l + st];
            }
        }
        kc.localBarrier();
        float mu = part[0] / dim;
        // every work-item has read part[0] before the second sum overwrites it
        kc.localBarrier();
        float v = 0f;
        for (int i = l; i < dim; i += size) {
            float d = x.get(o + i) - mu;
            v += d * d;
        }
        part[l] = v;
        for (int st = size / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (l < st) {
                part[l] += part[l + st];
            }
        }
        kc.localBarrier();
        float rs = 1f / TornadoMath.sqrt(part[0] / dim + LayerNormKernels.EPS);
        for (int i = l; i < dim; i += size) {
            y.set(o + i, (x.get(o + i) - mu) * rs * gamma.get(i) + beta.get(i));
        }
        if (l == 0) {
            mean.set(r, mu);
            rstd.set(r, rs);
        }
    }

    /** LAYERNORM_BACKWARD_INPUT: dx (+)= rs·(g − mean(g) − x̂·mean(g·x̂)), g = dy·γ; work-group r takes row r. */
    public static void backwardInput(KernelContext kc, FloatArray dx, FloatArray dy, FloatArray x, FloatArray mean, FloatArray rstd,
                                     FloatArray gamma, int rows, int dim, int acc) {
        float[] pg = kc.allocateFloatLocalArray(LOCAL);
        float[] pgx = kc.allocateFloatLocalArray(LOCAL);
        int r = kc.groupIdx;
        int l = kc.localIdx;
        int size = kc.localGroupSizeX;
        int o = r * dim;
        float mu = mean.get(r);
        float rs = rstd.get(r);
        float sg = 0f;
        float sgx = 0f;
        for (int i = l; i < dim; i += size) {
            float g = dy.get(o + i) * gamma.get(i);
            sg += g;
            sgx += g * (x.get(o + i) - mu) * rs;
        }
        pg[l] = sg;
        pgx[l] = sgx;
        for (int st = size / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (l < st) {
                pg[l] += pg[l + st];
                pgx[l] += pgx[l + st];
            }
        }
        kc.localBarrier();
        float mg = pg[0] / dim;
        float mgx = pgx[0] / dim;
        for (int i = l; i < dim; i += size) {
            float xh = (x.get(o + i) - mu) * rs;
            float v = rs * (dy.get(o + i) * gamma.get(i) - mg - xh * mgx);
            if (acc != 0) {
                v = dx.get(o + i) + v;
            }
            dx.set(o + i, v);
        }
    }

    /**
     * LAYERNORM_BACKWARD_PARAMS: dγ[i] (+)= Σ_r dy·x̂, dβ[i] (+)= Σ_r dy. Work-group g takes columns g·cols ..
     * g·cols + cols − 1; work-item l their column l mod cols, rows l / cols, l / cols + lanes, ...
     */
    public static void backwardParams(KernelContext kc, FloatArray dgamma, FloatArray dbeta, FloatArray dy, FloatArray x, FloatArray mean,
                                      FloatArray rstd, int rows, int dim, int acc, int cols) {
        float[] pg = kc.allocateFloatLocalArray(LOCAL);
        float[] pb = kc.allocateFloatLocalArray(LOCAL);
        int l = kc.localIdx;
        int lanes = kc.localGroupSizeX / cols;
        int c = l % cols;
        int lane = l / cols;
        int i = kc.groupIdx * cols + c;
        float sg = 0f;
        float sb = 0f;
        if (i < dim) {
            for (int r = lane; r < rows; r += lanes) {
                int idx = r * dim + i;
                float d = dy.get(idx);
                sg += d * (x.get(idx) - mean.get(r)) * rstd.get(r);
                sb += d;
            }
        }
        pg[l] = sg;
        pb[l] = sb;
        for (int st = lanes / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (lane < st) {
                pg[l] += pg[l + st * cols];
                pb[l] += pb[l + st * cols];
            }
        }
        if (lane == 0 && i < dim) {
            float g = pg[l];
            float b = pb[l];
            if (acc != 0) {
                g = dgamma.get(i) + g;
                b = dbeta.get(i) + b;
            }
            dgamma.set(i, g);
            dbeta.set(i, b);
        }
    }
}
