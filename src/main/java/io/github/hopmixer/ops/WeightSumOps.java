package io.github.hopmixer.ops;

import io.github.hopmixer.ops.ResidualOps.Add;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Tape;

import static io.github.hopmixer.ops.GemmOps.bit;

/**
 * The asymmetric mixer's second-layer weight W2 + W1ᵀ. Its output W1ᵀ·a + W2·a is linear in the weights, so one
 * product with their sum gives it: the two terms would cost a forward and two backward products more per MLP.
 */
public final class WeightSumOps {
    private WeightSumOps() {}

    /** dst (+)= srcᵀ, dst rows × cols, src cols × rows; buffers dst, src. */
    public record TransposeAdd(int rows, int cols, boolean acc) implements Op {
        @Override public String name() { return "TRANSPOSE_ADD"; }

        @Override
        public long[] minSizes() {
            long n = (long) rows * cols;
            return new long[] {n, n};
        }

        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return acc; }
        @Override public int parallelism() { return rows; }

        @Override
        public void ref(double[][] d, int lo, int hi) {
            io.github.hopmixer.kernels.Transpose.addRef(d[0], d[1], rows, cols, bit(acc), lo, hi);
        }

        @Override
        public void jvm(float[][] d, int lo, int hi) {
            io.github.hopmixer.kernels.Transpose.addJvm(d[0], d[1], rows, cols, bit(acc), lo, hi);
        }
    }

    /** w2 + w1ᵀ for w2 (rows × cols) and w1 (cols × rows); its gradient flows to w2 as it is and to w1 transposed. */
    public static Buffer weightSum(Tape g, String name, Buffer w2, Buffer w1) {
        int rows = w2.shape()[0], cols = w2.shape()[1];
        Buffer s = g.result(name, g.needs(w2) || g.needs(w1), rows, cols);
        g.batchShared(s);
        g.call(new Add(s.size(), false), s, w2);
        g.call(new TransposeAdd(rows, cols, true), s, w1);
        g.onBackward(() -> {
            if (!g.hasGrad(s)) return;
            if (g.needs(w2)) g.call(new Add(s.size(), g.acc(w2)), g.grad(w2), g.grad(s));
            if (g.needs(w1)) g.call(new TransposeAdd(cols, rows, g.acc(w1)), g.grad(w1), g.grad(s));
        });
        return s;
    }
}
