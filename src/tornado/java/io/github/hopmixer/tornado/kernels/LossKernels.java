package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Soft-target cross-entropy and the asymmetric penalty λ·Σ‖W2‖² (see {@code CrossEntropy} and {@code Penalty}).
 */
public final class LossKernels {
    private LossKernels() {}

    /** CROSS_ENTROPY: losses[b] = Σ t·(lse − z), dlogits = (softmax·Σt − t)/B; one work-item per image. */
    public static void crossEntropy(KernelContext kc, FloatArray losses, FloatArray dlogits, FloatArray logits, FloatArray targets,
                                    int batch, int k) {
        int b = kc.globalIdx;
        if (b < batch) {
            int o = b * k;
            float max = logits.get(o);
            for (int j = 1; j < k; j++) {
                max = TornadoMath.max(max, logits.get(o + j));
            }
            float sum = 0f;
            for (int j = 0; j < k; j++) {
                sum += TornadoMath.exp(logits.get(o + j) - max);
            }
            float lse = max + TornadoMath.log(sum);
            float loss = 0f;
            float mass = 0f;
            for (int j = 0; j < k; j++) {
                float t = targets.get(o + j);
                loss += t * (lse - logits.get(o + j));
                mass += t;
            }
            for (int j = 0; j < k; j++) {
                dlogits.set(o + j, (TornadoMath.exp(logits.get(o + j) - lse) * mass - targets.get(o + j)) / batch);
            }
            losses.set(b, loss);
        }
    }

    /**
     * SUM_SQUARES: out[slot] = Σ w². One work-item; 16 interleaved float partial sums keep the rounding error near
     * that of a double accumulator without needing fp64 on the device.
     */
    public static void sumSquares(KernelContext kc, FloatArray out, FloatArray w, int n, int slot) {
        if (kc.globalIdx == 0) {
            float total = 0f;
            for (int lane = 0; lane < 16; lane++) {
                float s = 0f;
                for (int i = lane; i < n; i += 16) {
                    float v = w.get(i);
                    s += v * v;
                }
                total += s;
            }
            out.set(slot, total);
        }
    }

    /** L2_GRAD: grad += 2·scalars[idx]·w; one work-item per element. */
    public static void l2Grad(KernelContext kc, FloatArray grad, FloatArray w, FloatArray scalars, int n, int idx) {
        int i = kc.globalIdx;
        if (i < n) {
            grad.set(i, grad.get(i) + 2f * scalars.get(idx) * w.get(i));
        }
    }
}
