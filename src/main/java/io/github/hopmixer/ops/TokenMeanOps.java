package io.github.hopmixer.ops;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Tape;

import static io.github.hopmixer.kernels.TokenMean.*;

/** Global average pooling over tokens before the head. */
public final class TokenMeanOps {
    private TokenMeanOps() {}

    /** y[b, c] = mean_s x[b, s, c]; buffers y, x. */
    public record TokenMean(int batch, int s, int c) implements Op {
        @Override public String name() { return "TOKEN_MEAN"; }
        @Override public long[] minSizes() { return new long[] {(long) batch * c, (long) batch * s * c}; }
        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return false; }
        @Override public int parallelism() { return batch; }
        @Override public void ref(double[][] d, int lo, int hi) { forwardRef(d[0], d[1], batch, s, c, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { forwardJvm(d[0], d[1], batch, s, c, lo, hi); }
    }

    /** dx[b, s, c] (+)= dy[b, c] / S; buffers dx, dy. */
    public record TokenMeanBackward(int batch, int s, int c, boolean acc) implements Op {
        @Override public String name() { return "TOKEN_MEAN_BACKWARD"; }
        @Override public long[] minSizes() { return new long[] {(long) batch * s * c, (long) batch * c}; }
        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return acc; }
        @Override public int parallelism() { return batch; }
        @Override public void ref(double[][] d, int lo, int hi) { backwardRef(d[0], d[1], batch, s, c, acc ? 1 : 0, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { backwardJvm(d[0], d[1], batch, s, c, acc ? 1 : 0, lo, hi); }
    }

    public static Buffer tokenMean(Tape g, String name, Buffer x, int batch, int s, int c) {
        Buffer y = g.result(name, g.needs(x), batch, c);
        g.call(new TokenMean(batch, s, c), y, x);
        g.onBackward(() -> {
            if (g.hasGrad(y) && g.needs(x)) g.call(new TokenMeanBackward(batch, s, c, g.acc(x)), g.grad(x), g.grad(y));
        });
        return y;
    }
}
