package io.github.hopmixer.ops;

import java.util.List;

/**
 * A kernel call's arguments, one record per op: named sizes and flags, with what follows from them (work items,
 * the least buffer sizes, which buffers it writes) and the reference and JVM kernels it runs. Each record lives in
 * its concern's file ({@code GemmOps}, {@code LayerNormOps}, ...) beside the tape rule that emits it and its
 * backward; the devices dispatch through {@link #ref} and {@link #jvm}, and TornadoVM's profile switches over this
 * sealed set, so the compiler finds a device that misses an op. Buffer arguments stay positional (in the order
 * each record documents): a plan is flat data, and every device binds them to arrays once.
 *
 * <p>An {@code acc} flag adds into the output instead of overwriting it (gradients with several uses).
 */
public sealed interface Op permits GemmOps.Gemm, BiasOps.AddBias, BiasOps.BiasGrad, LayerNormOps.LayerNorm,
        LayerNormOps.LayerNormBackwardInput, LayerNormOps.LayerNormBackwardParams, GeluOps.Gelu, GeluOps.GeluBackward,
        ResidualOps.Residual, ResidualOps.MaskedAdd, ResidualOps.Add, TokenMeanOps.TokenMean,
        TokenMeanOps.TokenMeanBackward, PatchifyOps.Patchify, CrossEntropyOps.CrossEntropy, PenaltyOps.SumSquares,
        PenaltyOps.L2Grad, AdamWOps.AdamW, FusedOps.GemmBiasGelu, FusedOps.GemmGeluBackward,
        FusedOps.GemmBiasResidual,
        WeightSumOps.TransposeAdd {

    /** The op's name in messages and profiles, e.g. {@code GEMM}. */
    String name();

    /**
     * The least number of floats each buffer argument must hold: the plan's shape check. Its length is the number
     * of buffer arguments.
     */
    long[] minSizes();

    /** The buffer arguments it writes. */
    int[] outputs();

    /** Whether it reads its outputs first (accumulates, or updates in place). */
    boolean readsOutput();

    /** How many independent work items it splits into (rows, columns, ...), for threads or a device grid. */
    int parallelism();

    /**
     * The least work items per chunk when the JVM device balances an invocation over chunks that its threads claim
     * one by one; 0 (the default) for one range per thread, where each range repeats costly setup.
     */
    default int grain() { return 0; }

    /** The grain of elementwise ops: 4096 floats, 16 KB of each operand. */
    int ELEMENTS = 4096;

    /** The double-precision reference over work items [lo, hi); {@code d} are the buffer arguments in order. */
    void ref(double[][] d, int lo, int hi);

    /** The float JVM kernel over work items [lo, hi). */
    void jvm(float[][] d, int lo, int hi);

    /**
     * Floating-point operations of its matrix product, 2·batch·m·n·k; 0 for an op without one. A step's GFLOP/s counts
     * these only: the other ops add under 2 % of a step's arithmetic.
     */
    default long matmulFlops() { return 0; }

    /** Its label in a profile of a step's time: the name, and a GEMM's shape. */
    default String label() { return name(); }

    default int arity() { return minSizes().length; }

    default boolean writes(int arg) {
        for (int w : outputs()) if (w == arg) return true;
        return false;
    }

    /** The sealed set, for catalogues that must cover every op. */
    static List<Class<?>> kinds() {
        return List.of(Op.class.getPermittedSubclasses());
    }
}
