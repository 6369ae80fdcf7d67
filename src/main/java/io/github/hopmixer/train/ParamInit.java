package io.github.hopmixer.train;

import io.github.hopmixer.model.ParamSpec;

import java.util.SplittableRandom;

/**
 * The official {@code _init_weights}: Linear xavier-uniform, MLP biases N(0, 1e-6), head zero, patch conv
 * lecun-normal (truncated at ±2σ, timm's {@code lecun_normal_}) with zero bias, LayerNorm 1 and 0.
 */
public final class ParamInit {
    private ParamInit() {}

    public static float[] init(ParamSpec p, SplittableRandom rnd) {
        int[] s = p.shape();
        float[] v = new float[(int) p.size()];
        switch (p.init()) {
            case ZEROS -> {}
            case ONES -> java.util.Arrays.fill(v, 1f);
            case NORMAL_1E_6 -> {
                for (int i = 0; i < v.length; i++) v[i] = (float) (gaussian(rnd) * 1e-6);
            }
            case XAVIER_UNIFORM -> {
                int receptive = v.length / (s[0] * s[1]);
                double limit = Math.sqrt(6.0 / ((double) s[1] * receptive + (double) s[0] * receptive));
                for (int i = 0; i < v.length; i++) v[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
            }
            case LECUN_NORMAL -> {
                int fanIn = v.length / s[0];
                // timm variance_scaling_(mode='fan_in', 'truncated_normal'): the constant undoes truncation's shrinkage.
                double std = Math.sqrt(1.0 / fanIn) / .87962566103423978;
                for (int i = 0; i < v.length; i++) {
                    double z;
                    do z = gaussian(rnd); while (Math.abs(z) > 2);
                    v[i] = (float) (z * std);
                }
            }
        }
        return v;
    }

    static double gaussian(SplittableRandom r) {
        // Box–Muller: SplittableRandom has no nextGaussian on every JDK we target.
        double u = 1 - r.nextDouble(), w = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }
}
