package io.github.hopmixer.ops;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Tape;

import static io.github.hopmixer.kernels.Residual.*;

/**
 * The residual sum behind DropPath, and its backward: a masked add for the branch, and for the skip path y's gradient
 * itself (shared storage), or an add when the skip input already has gradient terms.
 */
public final class ResidualOps {
    private ResidualOps() {}

    /** y = x + mask[b]·u; buffers y, x, u, mask. */
    public record Residual(int batch, int rowLen) implements Op {
        @Override public String name() { return "RESIDUAL"; }

        @Override
        public long[] minSizes() {
            long n = (long) batch * rowLen;
            return new long[] {n, n, n, batch};
        }

        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return false; }
        @Override public int parallelism() { return batch * rowLen; }
        @Override public int grain() { return ELEMENTS; }
        @Override public void ref(double[][] d, int lo, int hi) { forwardRef(d[0], d[1], d[2], d[3], batch, rowLen, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { forwardJvm(d[0], d[1], d[2], d[3], batch, rowLen, lo, hi); }
    }

    /** dx (+)= mask[b]·dy, DropPath's backward; buffers dx, dy, mask. */
    public record MaskedAdd(int batch, int rowLen, boolean acc) implements Op {
        @Override public String name() { return "MASKED_ADD"; }

        @Override
        public long[] minSizes() {
            long n = (long) batch * rowLen;
            return new long[] {n, n, batch};
        }

        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return acc; }
        @Override public int parallelism() { return batch * rowLen; }
        @Override public int grain() { return ELEMENTS; }

        @Override
        public void ref(double[][] d, int lo, int hi) { maskedAddRef(d[0], d[1], d[2], batch, rowLen, acc ? 1 : 0, lo, hi); }

        @Override
        public void jvm(float[][] d, int lo, int hi) { maskedAddJvm(d[0], d[1], d[2], batch, rowLen, acc ? 1 : 0, lo, hi); }
    }

    /** dst (+)= src; buffers dst, src. */
    public record Add(int n, boolean acc) implements Op {
        @Override public String name() { return "ADD"; }
        @Override public long[] minSizes() { return new long[] {n, n}; }
        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return acc; }
        @Override public int parallelism() { return n; }
        @Override public int grain() { return ELEMENTS; }
        @Override public void ref(double[][] d, int lo, int hi) { addRef(d[0], d[1], n, acc ? 1 : 0, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { addJvm(d[0], d[1], n, acc ? 1 : 0, lo, hi); }
    }

    /** x + mask[b]·u: a residual branch behind DropPath (mask 1 when DropPath is off). */
    public static Buffer residual(Tape g, String name, Buffer x, Buffer u, Buffer mask, int batch) {
        Buffer y = g.result(name, g.needs(x) || g.needs(u), x.shape());
        int rowLen = x.size() / batch;
        g.call(new Residual(batch, rowLen), y, x, u, mask);
        g.onBackward(() -> {
            if (!g.hasGrad(y)) return;
            if (g.needs(u)) g.call(new MaskedAdd(batch, rowLen, g.acc(u)), g.grad(u), g.grad(y), mask);
            // The skip path's gradient is y's: x takes y's buffer unless x already has gradient terms (a 4 MB copy per
            // residual of the nano step saved).
            if (g.needs(x) && !g.shareGrad(x, y)) g.call(new Add(x.size(), g.acc(x)), g.grad(x), g.grad(y));
        });
        return y;
    }
}
