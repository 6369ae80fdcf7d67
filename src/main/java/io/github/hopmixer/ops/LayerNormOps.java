package io.github.hopmixer.ops;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Tape;

import static io.github.hopmixer.kernels.LayerNorm.*;

/** Row-wise LayerNorm with affine (eps 1e-6), forward and its two backward halves. */
public final class LayerNormOps {
    private LayerNormOps() {}

    /** Buffers y, mean, rstd, x, gamma, beta; the statistics are kept for the backward. */
    public record LayerNorm(int rows, int dim) implements Op {
        @Override public String name() { return "LAYERNORM"; }

        @Override
        public long[] minSizes() {
            long n = (long) rows * dim;
            return new long[] {n, rows, rows, n, dim, dim};
        }

        @Override public int[] outputs() { return new int[] {0, 1, 2}; }
        @Override public boolean readsOutput() { return false; }
        @Override public int parallelism() { return rows; }
        @Override public int grain() { return 1; }
        @Override public void ref(double[][] d, int lo, int hi) { forwardRef(d[0], d[1], d[2], d[3], d[4], d[5], rows, dim, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { forwardJvm(d[0], d[1], d[2], d[3], d[4], d[5], rows, dim, lo, hi); }
    }

    /** dx (+)= ∂y/∂x·dy; buffers dx, dy, x, mean, rstd, gamma. */
    public record LayerNormBackwardInput(int rows, int dim, boolean acc) implements Op {
        @Override public String name() { return "LAYERNORM_BACKWARD_INPUT"; }

        @Override
        public long[] minSizes() {
            long n = (long) rows * dim;
            return new long[] {n, n, n, rows, rows, dim};
        }

        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return acc; }
        @Override public int parallelism() { return rows; }
        @Override public int grain() { return 1; }

        @Override
        public void ref(double[][] d, int lo, int hi) {
            backwardInputRef(d[0], d[1], d[2], d[3], d[4], d[5], rows, dim, acc ? 1 : 0, lo, hi);
        }

        @Override
        public void jvm(float[][] d, int lo, int hi) {
            backwardInputJvm(d[0], d[1], d[2], d[3], d[4], d[5], rows, dim, acc ? 1 : 0, lo, hi);
        }
    }

    /** dgamma, dbeta (+)= sums over rows; buffers dgamma, dbeta, dy, x, mean, rstd; work items are columns. */
    public record LayerNormBackwardParams(int rows, int dim, boolean acc) implements Op {
        @Override public String name() { return "LAYERNORM_BACKWARD_PARAMS"; }

        @Override
        public long[] minSizes() {
            long n = (long) rows * dim;
            return new long[] {dim, dim, n, n, rows, rows};
        }

        @Override public int[] outputs() { return new int[] {0, 1}; }
        @Override public boolean readsOutput() { return acc; }
        @Override public int parallelism() { return dim; }
        /** 64 columns: whole groups of the kernel's 4 vectors (64 floats with AVX-512, 32 with AVX2). */
        @Override public int grain() { return 64; }

        @Override
        public void ref(double[][] d, int lo, int hi) {
            backwardParamsRef(d[0], d[1], d[2], d[3], d[4], d[5], rows, dim, acc ? 1 : 0, lo, hi);
        }

        @Override
        public void jvm(float[][] d, int lo, int hi) {
            backwardParamsJvm(d[0], d[1], d[2], d[3], d[4], d[5], rows, dim, acc ? 1 : 0, lo, hi);
        }
    }

    public static Buffer layerNorm(Tape g, String name, Buffer x, Buffer gamma, Buffer beta, int rows, int dim) {
        Buffer y = g.result(name, g.needs(x) || g.needs(gamma) || g.needs(beta), x.shape());
        Buffer mean = g.activation(name + ".mean", rows), rstd = g.activation(name + ".rstd", rows);
        g.call(new LayerNorm(rows, dim), y, mean, rstd, x, gamma, beta);
        g.onBackward(() -> {
            if (!g.hasGrad(y)) return;
            if (g.needs(x)) g.call(new LayerNormBackwardInput(rows, dim, g.acc(x)), g.grad(x), g.grad(y), x, mean, rstd, gamma);
            if (g.needs(gamma) || g.needs(beta)) {
                // One kernel writes both: they must both overwrite or both add.
                boolean a = g.acc(gamma);
                if (g.acc(beta) != a) throw new IllegalStateException("γ and β of " + name + " accumulate differently");
                g.call(new LayerNormBackwardParams(rows, dim, a), g.grad(gamma), g.grad(beta), g.grad(y), x, mean, rstd);
            }
        });
        return y;
    }
}
