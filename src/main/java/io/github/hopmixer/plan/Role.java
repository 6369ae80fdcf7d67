package io.github.hopmixer.plan;

/** What a buffer of the step plan holds; devices keep every role but ACTIVATION resident between steps. */
public enum Role {
    /** Model weights, named as in the official PyTorch {@code state_dict}. */
    PARAM,
    /** Gradient of a parameter. */
    GRAD,
    /** AdamW moments. */
    OPT_STATE,
    /** Forward activations and their gradients; scratch for one step. */
    ACTIVATION,
    /** Written by the host before each step: images, soft targets, DropPath masks. */
    INPUT,
    /** Read by the host after a step: per-sample losses, logits, penalty sums. */
    OUTPUT,
    /** Step-varying scalars (learning rate, bias corrections, λ) kept in a buffer, never in kernel arguments. */
    SCALARS
}
