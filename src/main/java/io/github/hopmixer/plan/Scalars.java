package io.github.hopmixer.plan;

/** Slots of the plan's scalar buffer: values that change every step live here, not in kernel arguments. */
public final class Scalars {
    public static final int LR = 0;
    public static final int BETA1 = 1;
    public static final int BETA2 = 2;
    public static final int EPS = 3;
    public static final int WEIGHT_DECAY = 4;
    /** AdamW bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
    public static final int BC1 = 5;
    public static final int BC2 = 6;
    /** λ of the asymmetric penalty λ·Σ‖W2‖². */
    public static final int LAMBDA = 7;
    public static final int SIZE = 8;

    private Scalars() {}

    /** The scalar buffer for AdamW step {@code t} (1-based; β 0.9/0.999, ε 1e-8, as timm) and penalty λ. */
    public static float[] adamW(double lr, double weightDecay, long t, double lambda) {
        float[] s = new float[SIZE];
        s[LR] = (float) lr;
        s[BETA1] = 0.9f;
        s[BETA2] = 0.999f;
        s[EPS] = 1e-8f;
        s[WEIGHT_DECAY] = (float) weightDecay;
        s[BC1] = (float) (1 - Math.pow(0.9, t));
        s[BC2] = (float) (1 - Math.pow(0.999, t));
        s[LAMBDA] = (float) lambda;
        return s;
    }
}
