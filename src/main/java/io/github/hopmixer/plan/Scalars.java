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
    /**
     * 1 − β₁ and 1 − β₂ computed in double, then rounded: PyTorch's AdamW passes {@code alpha=1 - beta1} and
     * {@code value=1 - beta2} from Python floats. 1f − 0.999f is 0.00099998713, 1.3e-5 below float(0.001):
     * a kernel that subtracted in float biased every second moment by that much (found by the trajectory replay).
     */
    public static final int ONE_MINUS_BETA1 = 8;
    public static final int ONE_MINUS_BETA2 = 9;
    public static final int SIZE = 10;

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
        s[ONE_MINUS_BETA1] = (float) (1 - 0.9);
        s[ONE_MINUS_BETA2] = (float) (1 - 0.999);
        return s;
    }
}
