package io.github.hopmixer.tornado.kernels;

import io.github.hopmixer.plan.Scalars;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * PyTorch's AdamW (see {@code io.github.hopmixer.kernels.AdamW}), reading lr, β, ε, weight decay and the bias
 * corrections from the SCALARS buffer, which the host rewrites every step (scalar task arguments would be compiled
 * into the kernel as constants). One work-item per element.
 */
public final class OptimizerKernels {
    private OptimizerKernels() {}

    public static void adamW(KernelContext kc, FloatArray p, FloatArray g, FloatArray m, FloatArray v, FloatArray s, int n, int decay) {
        int i = kc.globalIdx;
        if (i < n) {
            float lr = s.get(Scalars.LR);
            float b1 = s.get(Scalars.BETA1);
            float b2 = s.get(Scalars.BETA2);
            float eps = s.get(Scalars.EPS);
            float wd = 0f;
            if (decay != 0) {
                wd = s.get(Scalars.WEIGHT_DECAY);
            }
            float step = lr / s.get(Scalars.BC1);
            float sqrtBc2 = TornadoMath.sqrt(s.get(Scalars.BC2));
            float gi = g.get(i);
            float mi = b1 * m.get(i) + s.get(Scalars.ONE_MINUS_BETA1) * gi;
            float vi = b2 * v.get(i) + s.get(Scalars.ONE_MINUS_BETA2) * gi * gi;
            float pi = p.get(i) * (1f - lr * wd);
            p.set(i, pi - step * mi / (TornadoMath.sqrt(vi) / sqrtBc2 + eps));
            m.set(i, mi);
            v.set(i, vi);
        }
    }
}
