package io.github.hopmixer.kernels;

/**
 * Which run of an invocation this thread is working on, so that its chunks of one run share what a kernel packed
 * (a matrix product's panels of b): a thread claims several chunks of a run, and its operands do not change within
 * it. Outside a run (a kernel called directly), and at every new run, kernels pack afresh.
 */
public final class Reuse {
    private Reuse() {}

    private static final ThreadLocal<long[]> CURRENT = ThreadLocal.withInitial(() -> new long[1]);

    /** This thread now runs chunks of run {@code call} (a number unique to the run, not 0). */
    public static void begin(long call) {
        CURRENT.get()[0] = call;
    }

    /** This thread has ended its chunk. */
    public static void end() {
        CURRENT.get()[0] = 0;
    }

    /** The run this thread works on, or 0 outside one. */
    static long current() {
        return CURRENT.get()[0];
    }
}
