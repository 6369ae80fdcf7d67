package io.github.hopmixer.plan;

/**
 * How a plan spends memory on its per-step buffers: {@code share} lets activations and their gradients whose
 * lifetimes do not overlap use the same storage ({@link Liveness}); {@code recompute} recomputes cheap activations
 * in the backward pass instead of keeping them from the forward ({@link Recompute}). Neither changes a result bit.
 */
public record Memory(boolean share, boolean recompute) {
    /** Every buffer its own storage, every activation kept: the plan as the tape wrote it. */
    public static final Memory PLAIN = new Memory(false, false);
    /** Liveness only. */
    public static final Memory SHARE = new Memory(true, false);
    /** Liveness and recomputation: the default. */
    public static final Memory LEAN = new Memory(true, true);

    /** The default, or {@code -Dhopmixer.plan.memory=plain|share|lean} (a debugging switch). */
    public static Memory defaults() {
        String v = System.getProperty("hopmixer.plan.memory", "lean");
        return switch (v) {
            case "plain" -> PLAIN;
            case "share" -> SHARE;
            case "lean" -> LEAN;
            default -> throw new IllegalArgumentException("-Dhopmixer.plan.memory=" + v + ": expected plain, share or lean");
        };
    }

    public String label() {
        return share ? (recompute ? "lean" : "share") : (recompute ? "recompute" : "plain");
    }
}
