package io.github.hopmixer.kernels;

import static io.github.hopmixer.plan.Scalars.*;

/**
 * PyTorch's AdamW step (decoupled weight decay first, then the Adam update with bias corrections), reading the
 * step's hyper-parameters from the scalar buffer. {@code decay} is 1 for timm's decayed group (2+-D weights).
 */
public final class AdamW {
    private AdamW() {}

    public static void ref(double[] p, double[] g, double[] m, double[] v, double[] s, int n, int decay, int lo, int hi) {
        double lr = s[LR], b1 = s[BETA1], b2 = s[BETA2], eps = s[EPS], wd = decay != 0 ? s[WEIGHT_DECAY] : 0;
        double c1 = s[ONE_MINUS_BETA1], c2 = s[ONE_MINUS_BETA2];
        double step = lr / s[BC1], sqrtBc2 = Math.sqrt(s[BC2]);
        for (int i = lo; i < hi; i++) {
            p[i] *= 1 - lr * wd;
            m[i] = b1 * m[i] + c1 * g[i];
            v[i] = b2 * v[i] + c2 * g[i] * g[i];
            p[i] -= step * m[i] / (Math.sqrt(v[i]) / sqrtBc2 + eps);
        }
    }

    public static void jvm(float[] p, float[] g, float[] m, float[] v, float[] s, int n, int decay, int lo, int hi) {
        float lr = s[LR], b1 = s[BETA1], b2 = s[BETA2], eps = s[EPS], wd = decay != 0 ? s[WEIGHT_DECAY] : 0f;
        float c1 = s[ONE_MINUS_BETA1], c2 = s[ONE_MINUS_BETA2];
        float step = lr / s[BC1], sqrtBc2 = (float) Math.sqrt(s[BC2]), keep = 1f - lr * wd;
        for (int i = lo; i < hi; i++) {
            float gi = g[i];
            p[i] *= keep;
            m[i] = b1 * m[i] + c1 * gi;
            v[i] = b2 * v[i] + c2 * gi * gi;
            p[i] -= step * m[i] / ((float) Math.sqrt(v[i]) / sqrtBc2 + eps);
        }
    }
}
