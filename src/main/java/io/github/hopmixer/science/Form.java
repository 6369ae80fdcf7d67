package io.github.hopmixer.science;

/** How a hidden layer's units couple to the visible (S, C) slab. */
public enum Form {
    /**
     * (i) The Mixer's MLPs: token-mixing hidden units per channel (H_t × C units, h = W·z along S for every column),
     * channel-mixing hidden units per token (S × H_c units). The Euler step of this network is the parallel block.
     */
    PER_AXIS("per-axis"),
    /**
     * (ii) The official notebook's small network: H_t (H_c) hidden units shared across the other axis, each seeing
     * the slab summed over that axis before the GELU, h = W·(z·1), and feeding back the same value to every entry
     * of a row (column).
     */
    SHARED("shared");

    public final String label;

    Form(String label) { this.label = label; }
}
