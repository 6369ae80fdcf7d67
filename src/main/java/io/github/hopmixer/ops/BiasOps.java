package io.github.hopmixer.ops;

import io.github.hopmixer.kernels.Bias;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Tape;

/** A linear layer's bias over y viewed as (outer, n, inner): inner is 1 for channel layers, C for token layers. */
public final class BiasOps {
    private BiasOps() {}

    /** y[o, j, r] += bias[j] in place; buffers y, bias. */
    public record AddBias(int outer, int n, int inner) implements Op {
        @Override public String name() { return "ADD_BIAS"; }
        @Override public long[] minSizes() { return new long[] {(long) outer * n * inner, n}; }
        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return true; }
        @Override public int parallelism() { return outer; }
        @Override public void ref(double[][] d, int lo, int hi) { Bias.addRef(d[0], d[1], outer, n, inner, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { Bias.addJvm(d[0], d[1], outer, n, inner, lo, hi); }
    }

    /** db[j] (+)= Σ_{o,r} dy[o, j, r]; buffers db, dy; work items are the n entries of db. */
    public record BiasGrad(int outer, int n, int inner, boolean acc) implements Op {
        @Override public String name() { return "BIAS_GRAD"; }
        @Override public long[] minSizes() { return new long[] {n, (long) outer * n * inner}; }
        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return acc; }
        @Override public int parallelism() { return n; }
        @Override public void ref(double[][] d, int lo, int hi) { Bias.gradRef(d[0], d[1], outer, n, inner, acc ? 1 : 0, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { Bias.gradJvm(d[0], d[1], outer, n, inner, acc ? 1 : 0, lo, hi); }
    }

    /** y[o, j, r] += bias[j] in place, for y (a fresh matmul output) viewed as (outer, n, inner). */
    public static Buffer addBias(Tape g, Buffer y, Buffer bias, int outer, int n, int inner) {
        if (g.needs(bias)) g.requiresGrad(y);
        g.call(new AddBias(outer, n, inner), y, bias);
        g.onBackward(() -> {
            // Runs before the matmul's backward: y's gradient is complete here, and matmul needs only its inputs.
            if (g.hasGrad(y) && g.needs(bias)) g.call(new BiasGrad(outer, n, inner, g.acc(bias)), g.grad(bias), g.grad(y));
        });
        return y;
    }
}
