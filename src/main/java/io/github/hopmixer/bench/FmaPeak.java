package io.github.hopmixer.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.CyclicBarrier;

/**
 * The machine's float fused-multiply-add rate through the Vector API: every thread runs 16 independent chains of
 * vector FMAs (enough to cover the FMA latency of every pipe), no memory traffic. No matrix product can beat it, so
 * a step's GFLOP/s over it says how much room is left, and what a speed target asks of the machine.
 */
public final class FmaPeak {
    private FmaPeak() {}

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    /** FMAs of one pass over the 16 chains, per lane. */
    private static final int CHAINS = 16;

    /**
     * GFLOP/s of {@code threads} threads at once, the best of {@code rounds} rounds of about {@code millis} ms each.
     */
    public static double gflops(int threads, int rounds, int millis) {
        for (int i = 0; i < 200; i++) chains(1 << 12); // C2 compiles the loop before it is sized or timed
        long iters = 1 << 16;
        // Size a round by one thread alone, then run the threads together on the same count.
        while (true) {
            long t0 = System.nanoTime();
            chains(iters);
            if (System.nanoTime() - t0 > millis * 1_000_000L || iters > (1L << 40)) break;
            iters *= 2;
        }
        double best = 0;
        for (int r = 0; r < rounds; r++) best = Math.max(best, together(threads, iters));
        return best;
    }

    /** All threads' FMAs over the time from the first start to the last end (each thread reads its own clock). */
    private static double together(int threads, long iters) {
        CyclicBarrier start = new CyclicBarrier(threads);
        Thread[] ts = new Thread[threads];
        float[] sink = new float[threads];
        long[] begin = new long[threads], end = new long[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                await(start);
                begin[id] = System.nanoTime();
                sink[id] = chains(iters);
                end[id] = System.nanoTime();
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring the FMA peak", e);
            }
        }
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        float all = 0;
        for (int t = 0; t < threads; t++) {
            first = Math.min(first, begin[t]);
            last = Math.max(last, end[t]);
            all += sink[t];
        }
        if (Float.isNaN(all)) throw new IllegalStateException("the FMA chains gave NaN"); // keeps the chains live
        return threads * iters * CHAINS * SP.length() * 2.0 / ((last - first) / 1e9) / 1e9;
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException("the FMA peak's threads did not start together", e);
        }
    }

    /** {@code iters} passes over 16 independent FMA chains; x·y + acc with x just under 1 stays finite. */
    static float chains(long iters) {
        FloatVector x = FloatVector.broadcast(SP, 0.999999f), y = FloatVector.broadcast(SP, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(SP, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < iters; i++) {
            a0 = a0.fma(x, y); a1 = a1.fma(x, y); a2 = a2.fma(x, y); a3 = a3.fma(x, y);
            a4 = a4.fma(x, y); a5 = a5.fma(x, y); a6 = a6.fma(x, y); a7 = a7.fma(x, y);
            a8 = a8.fma(x, y); a9 = a9.fma(x, y); a10 = a10.fma(x, y); a11 = a11.fma(x, y);
            a12 = a12.fma(x, y); a13 = a13.fma(x, y); a14 = a14.fma(x, y); a15 = a15.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .add(a12).add(a13).add(a14).add(a15).reduceLanes(VectorOperators.ADD);
    }
}
