package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Linear-layer bias over y viewed as (outer, n, inner) (see {@code io.github.hopmixer.kernels.Bias}). */
public final class BiasKernels {
    private BiasKernels() {}

    /** ADD_BIAS: y[o, j, r] += bias[j]; one work-item per element of y. */
    public static void addBias(KernelContext kc, FloatArray y, FloatArray bias, int outer, int n, int inner) {
        int i = kc.globalIdx;
        if (i < outer * n * inner) {
            y.set(i, y.get(i) + bias.get((i / inner) % n));
        }
    }

    /** BIAS_GRAD: db[j] (+)= Σ_{o,r} dy[o, j, r]; one work-item per entry of db. */
    public static void biasGrad(KernelContext kc, FloatArray db, FloatArray dy, int outer, int n, int inner, int acc) {
        int j = kc.globalIdx;
        if (j < n) {
            float s = 0f;
            for (int o = 0; o < outer; o++) {
                int base = (o * n + j) * inner;
                for (int r = 0; r < inner; r++) {
                    s += dy.get(base + r);
                }
            }
            if (acc != 0) {
                s = db.get(j) + s;
            }
            db.set(j, s);
        }
    }
}
