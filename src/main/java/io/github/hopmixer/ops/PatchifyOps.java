package io.github.hopmixer.ops;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Tape;

import static io.github.hopmixer.kernels.Patchify.*;

/** The stem's patch extraction (a stride-P convolution is then one GEMM). */
public final class PatchifyOps {
    private PatchifyOps() {}

    /** Image (B, Cin, H, W) to patch rows (B, S, Cin·P·P) in Conv2d weight order; buffers patches, image. */
    public record Patchify(int batch, int cin, int h, int w, int p) implements Op {
        /** Patches per image. */
        public int tokens() { return (h / p) * (w / p); }

        @Override public String name() { return "PATCHIFY"; }

        @Override
        public long[] minSizes() {
            return new long[] {batch * (long) tokens() * cin * p * p, (long) batch * cin * h * w};
        }

        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return false; }
        @Override public int parallelism() { return batch; }
        @Override public void ref(double[][] d, int lo, int hi) { forwardRef(d[0], d[1], batch, cin, h, w, p, lo, hi); }
        @Override public void jvm(float[][] d, int lo, int hi) { forwardJvm(d[0], d[1], batch, cin, h, w, p, lo, hi); }
    }

    /** Patch rows of an input image batch; inputs carry no gradient. */
    public static Buffer patchify(Tape g, String name, Buffer image, int batch, int cin, int h, int w, int p) {
        Patchify op = new Patchify(batch, cin, h, w, p);
        Buffer y = g.result(name, false, batch, op.tokens(), cin * p * p);
        g.call(op, y, image);
        return y;
    }
}
