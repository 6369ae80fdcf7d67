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
}
