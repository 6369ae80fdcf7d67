package io.github.hopmixer.ops;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Tape;

/** The loss: soft-target cross-entropy, which also seeds the backward pass. */
public final class CrossEntropyOps {
    private CrossEntropyOps() {}

    /** losses[b] and dlogits = (softmax − t)/B; buffers losses, dlogits, logits, targets. */
    public record CrossEntropy(int batch, int classes) implements Op {
        @Override public String name() { return "CROSS_ENTROPY"; }

        @Override
        public long[] minSizes() {
            long n = (long) batch * classes;
            return new long[] {batch, n, n, n};
        }

        @Override public int[] outputs() { return new int[] {0, 1}; }
        @Override public boolean readsOutput() { return false; }
        @Override public int parallelism() { return batch; }

        @Override
        public void ref(double[][] d, int lo, int hi) {
            io.github.hopmixer.kernels.CrossEntropy.ref(d[0], d[1], d[2], d[3], batch, classes, lo, hi);
        }

        @Override
        public void jvm(float[][] d, int lo, int hi) {
            io.github.hopmixer.kernels.CrossEntropy.jvm(d[0], d[1], d[2], d[3], batch, classes, lo, hi);
        }
    }

    /** Per-sample soft-target cross-entropy; seeds the backward pass with dlogits = (softmax − t)/B. */
    public static Buffer crossEntropy(Tape g, String name, Buffer logits, Buffer targets, int batch, int classes) {
        Buffer losses = g.output(name, batch);
        Buffer dlogits = g.training() ? g.grad(logits) : g.activation(name + ".dlogits", batch, classes);
        g.call(new CrossEntropy(batch, classes), losses, dlogits, logits, targets);
        if (g.training()) g.seeded(dlogits);
        return losses;
    }
}
