package io.github.hopmixer.ops;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.plan.Tape;

/** PyTorch's AdamW, reading learning rate, betas, eps, decay and bias corrections from the scalar buffer. */
public final class AdamWOps {
    private AdamWOps() {}

    /** One parameter's update; buffers param, grad, m, v, scalars; {@code decay} for timm's decayed group. */
    public record AdamW(int n, boolean decay) implements Op {
        @Override public String name() { return "ADAMW"; }
        @Override public long[] minSizes() { return new long[] {n, n, n, n, Scalars.SIZE}; }
        @Override public int[] outputs() { return new int[] {0, 2, 3}; }
        @Override public boolean readsOutput() { return true; }
        @Override public int parallelism() { return n; }
        @Override public int grain() { return ELEMENTS; }

        @Override
        public void ref(double[][] d, int lo, int hi) {
            io.github.hopmixer.kernels.AdamW.ref(d[0], d[1], d[2], d[3], d[4], n, decay ? 1 : 0, lo, hi);
        }

        @Override
        public void jvm(float[][] d, int lo, int hi) {
            io.github.hopmixer.kernels.AdamW.jvm(d[0], d[1], d[2], d[3], d[4], n, decay ? 1 : 0, lo, hi);
        }
    }

    /** A step of p with its moments {@code adam.m/<name>}, {@code adam.v/<name>} (declared here, kept by the device). */
    public static void step(Tape g, Buffer p, boolean decay) {
        Buffer mom = g.state("adam.m/" + p.name(), p.shape()), vel = g.state("adam.v/" + p.name(), p.shape());
        g.call(new AdamW(p.size(), decay), p, g.grad(p), mom, vel, g.scalars());
    }
}
