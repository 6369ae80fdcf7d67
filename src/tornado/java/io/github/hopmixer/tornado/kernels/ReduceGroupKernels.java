package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Bias gradients, token mean, cross-entropy and the sum of squares shaped for GPUs (the maths of
 * {@link BiasKernels}, {@link TokenKernels} and {@link LossKernels}): work-items sum strided parts, a tree in local
 * memory combines a work-group's sums. Column sums put {@code cols} adjacent outputs in a group, its other work-items
 * ("lanes") splitting the terms, as {@link LayerNormGroupKernels#backwardParams}. Every work-item reaches every
 * barrier; the grids hold exactly the groups the outputs need.
 */
public final class ReduceGroupKernels {
    private ReduceGroupKernels() {}

    /** Floats of each local array: the largest work-group these kernels take (reduce.local). */
    public static final int LOCAL = LayerNormGroupKernels.LOCAL;

    /** BIAS_GRAD: db[j] (+)= Σ_{o,r} dy[o, j, r]; output j = group·cols + l mod cols, terms t = (o, r) split over lanes. */
    public static void biasGrad(KernelContext kc, FloatArray db, FloatArray dy, int outer, int n, int inner, int acc, int cols) {
        float[] part = kc.allocateFloatLocalArray(LOCAL);
        int l = kc.localIdx;
        int lanes = kc.localGroupSizeX / cols;
        int lane = l / cols;
        int j = kc.groupIdx * cols + l % cols;
        float s = 0f;
        if (j < n) {
            for (int t = lane; t < outer * inner; t += lanes) {
                int o = t / inner;
                s += dy.get((o * n + j) * inner + t - o * inner);
            }
        }
        part[l] = s;
        for (int st = lanes / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (lane < st) {
                part[l] += part[l + st * cols];
            }
        }
        if (lane == 0 && j < n) {
            float v = part[l];
            if (acc != 0) {
                v = db.get(j) + v;
            }
            db.set(j, v);
        }
    }

    /** TOKEN_MEAN: y[b, c] = mean_s x[b, s, c]; output w = group·cols + l mod cols, tokens split over lanes. */
    public static void mean(KernelContext kc, FloatArray y, FloatArray x, int batch, int s, int c, int cols) {
        float[] part = kc.allocateFloatLocalArray(LOCAL);
        int l = kc.localIdx;
        int lanes = kc.localGroupSizeX / cols;
        int lane = l / cols;
        int w = kc.groupIdx * cols + l % cols;
        float sum = 0f;
        if (w < batch * c) {
            int b = w / c;
            int j = w - b * c;
            for (int t = lane; t < s; t += lanes) {
                sum += x.get((b * s + t) * c + j);
            }
        }
        part[l] = sum;
        for (int st = lanes / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (lane < st) {
                part[l] += part[l + st * cols];
            }
        }
        if (lane == 0 && w < batch * c) {
            y.set(w, part[l] / s);
        }
    }

    /** CROSS_ENTROPY: losses[b] = Σ t·(lse − z), dlogits = (softmax·Σt − t)/B; work-group b takes image b. */
    public static void crossEntropy(KernelContext kc, FloatArray losses, FloatArray dlogits, FloatArray logits, FloatArray targets,
                                    int batch, int k) {
        float[] pa = kc.allocateFloatLocalArray(LOCAL);
        float[] pb = kc.allocateFloatLocalArray(LOCAL);
        int b = kc.groupIdx;
        int l = kc.localIdx;
        int size = kc.localGroupSizeX;
        int o = b * k;
        float max = logits.get(o);
        for (int j = l; j < k; j += size) {
            max = TornadoMath.max(max, logits.get(o + j));
        }
        pa[l] = max;
        for (int st = size / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (l < st) {
                pa[l] = TornadoMath.max(pa[l], pa[l + st]);
            }
        }
        kc.localBarrier();
        max = pa[0];
        kc.localBarrier();
        float sum = 0f;
        for (int j = l; j < k; j += size) {
            sum += TornadoMath.exp(logits.get(o + j) - max);
        }
        pa[l] = sum;
        for (int st = size / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (l < st) {
                pa[l] += pa[l + st];
            }
        }
        kc.localBarrier();
        float lse = max + TornadoMath.log(pa[0]);
        kc.localBarrier();
        float loss = 0f;
        float mass = 0f;
        for (int j = l; j < k; j += size) {
            float t = targets.get(o + j);
            loss += t * (lse - logits.get(o + j));
            mass += t;
        }
        pa[l] = loss;
        pb[l] = mass;
        for (int st = size / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (l < st) {
                pa[l] += pa[l + st];
                pb[l] += pb[l + st];
            }
        }
        kc.localBarrier();
        mass = pb[0];
        for (int j = l; j < k; j += size) {
            dlogits.set(o + j, (TornadoMath.exp(logits.get(o + j) - lse) * mass - targets.get(o + j)) / batch);
        }
        if (l == 0) {
            losses.set(b, pa[0]);
        }
    }

    /**
     * SUM_SQUARES, first pass: partials[g] = Σ w² over the entries g·size + l, stepping by the whole grid
     * ({@code step} work-items); one partial sum per work-group.
     */
    public static void sumSquaresPartial(KernelContext kc, FloatArray partials, FloatArray w, int n, int step) {
        float[] part = kc.allocateFloatLocalArray(LOCAL);
        int l = kc.localIdx;
        int size = kc.localGroupSizeX;
        float s = 0f;
        for (int i = kc.globalIdx; i < n; i += step) {
            float v = w.get(i);
            s += v * v;
        }
        part[l] = s;
        for (int st = size / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (l < st) {
                part[l] += part[l + st];
            }
        }
        if (l == 0) {
            partials.set(kc.groupIdx, part[0]);
        }
    }

    /** SUM_SQUARES, second pass: out[slot] = Σ of the first pass's {@code groups} partial sums; one work-group. */
    public static void sumSquaresFinal(KernelContext kc, FloatArray out, FloatArray partials, int groups, int slot) {
        float[] part = kc.allocateFloatLocalArray(LOCAL);
        int l = kc.localIdx;
        int size = kc.localGroupSizeX;
        float s = 0f;
        for (int i = l; i < groups; i += size) {
            s += partials.get(i);
        }
        part[l] = s;
        for (int st = size / 2; st > 0; st /= 2) {
            kc.localBarrier();
            if (l < st) {
                part[l] += part[l + st];
            }
        }
        if (l == 0) {
            out.set(slot, part[0]);
        }
    }
}
