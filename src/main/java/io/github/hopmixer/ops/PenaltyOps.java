package io.github.hopmixer.ops;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.plan.Tape;

import java.util.List;

import static io.github.hopmixer.kernels.Penalty.*;

/** The asymmetric mixer's λ·Σ‖W2‖²: its value (summed by the host) and its gradient 2λW, added after backprop. */
public final class PenaltyOps {
    private PenaltyOps() {}

    /** out[slot] = Σ w²; buffers out, w; one work item (a short serial reduction per matrix). */
    public record SumSquares(int n, int slot) implements Op {
        @Override public String name() { return "SUM_SQUARES"; }
        @Override public long[] minSizes() { return new long[] {slot + 1L, n}; }
        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return false; }
        @Override public int parallelism() { return 1; }
        @Override public void ref(double[][] d, int lo, int hi) { sumSquaresRef(d[0], d[1], n, slot); }
        @Override public void jvm(float[][] d, int lo, int hi) { sumSquaresJvm(d[0], d[1], n, slot); }
    }

    /** grad += 2·scalars[scalar]·w; buffers grad, w, scalars (λ is a scalar slot: it may change per step). */
    public record L2Grad(int n, int scalar) implements Op {
        @Override public String name() { return "L2_GRAD"; }
        @Override public long[] minSizes() { return new long[] {n, n, Scalars.SIZE}; }
        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return true; }
        @Override public int parallelism() { return n; }
        @Override public void ref(double[][] d, int lo, int hi) { gradRef(d[0], d[1], d[2], n, scalar, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { gradJvm(d[0], d[1], d[2], n, scalar, lo, hi); }
    }

    /** Σ‖w‖² of each weight into its slot of {@code sums}, and λ·2w into each weight's gradient. */
    public static void penalise(Tape g, Buffer sums, List<Buffer> weights) {
        for (int i = 0; i < weights.size(); i++) {
            Buffer w = weights.get(i);
            g.call(new SumSquares(w.size(), i), sums, w);
            g.call(new L2Grad(w.size(), Scalars.LAMBDA), g.grad(w), w, g.scalars());
        }
    }
}
