package io.github.hopmixer.model;

/** The model families of the official {@code models/mixers.py}, plus timm's standard Mixer as the baseline. */
public enum Family {
    /** Serial blocks, untied MLPs, joint (S, C) LayerNorms, no bias: official {@code vMixerBlock} + {@code vMlp}. */
    VANILLAMIXER("vanillamixer", false, MlpKind.UNTIED, true),
    /** Parallel blocks (one norm, token and channel MLPs summed into the residual), untied MLPs. */
    PARAMIXER("paramixer", true, MlpKind.UNTIED, true),
    /** Parallel blocks with tied MLPs Wᵀ·GELU(W·z): the three-layer Hopfield network's update. */
    SYMMIXER("symmixer", true, MlpKind.TIED, true),
    /** Parallel blocks with symmetry breaking W1ᵀ·GELU(W1·z) + W2·GELU(W1·z) and the penalty λ·Σ‖W2‖². */
    ASYMMIXER("asymmixer", true, MlpKind.BROKEN, true),
    /** timm's MLP-Mixer: serial blocks, per-token LayerNorm over C, MLPs with biases. */
    MIXER("mixer", false, MlpKind.UNTIED, false);

    /** How an MLP's two matrices relate. */
    public enum MlpKind { UNTIED, TIED, BROKEN }

    public final String prefix;
    public final boolean parallel;
    public final MlpKind mlp;
    /** LayerNorm over the whole (S, C) slab with (S, C) affine (the paper's), else per token over C (timm's). */
    public final boolean jointNorm;

    Family(String prefix, boolean parallel, MlpKind mlp, boolean jointNorm) {
        this.prefix = prefix;
        this.parallel = parallel;
        this.mlp = mlp;
        this.jointNorm = jointNorm;
    }

    /** timm's Mixer has MLP biases; the official Hopfield variants have none. */
    public boolean bias() {
        return this == MIXER;
    }
}
