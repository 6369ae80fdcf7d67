package io.github.hopmixer.ops;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Tape;

import static io.github.hopmixer.kernels.Gelu.*;

/** Exact (erf) GELU and its backward. */
public final class GeluOps {
    private GeluOps() {}

    /** y = GELU(x); buffers y, x. */
    public record Gelu(int n) implements Op {
        @Override public String name() { return "GELU"; }
        @Override public long[] minSizes() { return new long[] {n, n}; }
        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return false; }
        @Override public int parallelism() { return n; }
        @Override public int grain() { return ELEMENTS; }
        @Override public void ref(double[][] d, int lo, int hi) { forwardRef(d[0], d[1], n, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { forwardJvm(d[0], d[1], n, lo, hi); }
    }

    /** dx (+)= GELU'(x)·dy; buffers dx, dy, x. */
    public record GeluBackward(int n, boolean acc) implements Op {
        @Override public String name() { return "GELU_BACKWARD"; }
        @Override public long[] minSizes() { return new long[] {n, n, n}; }
        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return acc; }
        @Override public int parallelism() { return n; }
        @Override public int grain() { return ELEMENTS; }
        @Override public void ref(double[][] d, int lo, int hi) { backwardRef(d[0], d[1], d[2], n, acc ? 1 : 0, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { backwardJvm(d[0], d[1], d[2], n, acc ? 1 : 0, lo, hi); }
    }

    public static Buffer gelu(Tape g, String name, Buffer x) {
        Buffer y = g.result(name, g.needs(x), x.shape());
        g.call(new Gelu(x.size()), y, x);
        g.onBackward(() -> {
            if (g.hasGrad(y) && g.needs(x)) g.call(new GeluBackward(x.size(), g.acc(x)), g.grad(x), g.grad(y), x);
        });
        return y;
    }
}
