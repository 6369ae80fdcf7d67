package io.github.hopmixer.ops;

import io.github.hopmixer.kernels.GemmEpilogue;
import io.github.hopmixer.ops.BiasOps.AddBias;
import io.github.hopmixer.ops.GeluOps.Gelu;
import io.github.hopmixer.ops.GeluOps.GeluBackward;
import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.ops.ResidualOps.Residual;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.github.hopmixer.ops.GemmOps.bit;

/**
 * Fused ops: a matrix product with the elementwise op after it done on each block of rows while the block is in
 * cache, so the step passes over the MLP's hidden activations once instead of three times. They are ordinary ops
 * (reference, JVM kernel, conformance and gradient checks); {@link #fuse} puts them into a finished step's
 * invocation list, for devices that run them ({@code Device.fusedOps()}); other devices get the unfused plan.
 */
public final class FusedOps {
    private FusedOps() {}

    /**
     * h = op(a)·op(b) (+ bias), y = GELU(h): a linear layer, its bias and its activation. The product is per image with
     * a dense output (as {@link Gemm} with strideC = m·n, or batch 1). Bias per column (channel layers) or per row of
     * each image (token layers); buffers h, y, a, b and, with a bias, the bias. With {@code slope} h's buffer holds
     * GELU'(h) instead of h: all its backward ({@link GemmGeluBackward} with slope) needs of h, computed here from the
     * exp and erf that GELU takes anyway.
     */
    public record GemmBiasGelu(int batch, int m, int n, int k, boolean transA, boolean transB, int strideA, int strideB,
                               boolean bias, boolean biasPerRow, boolean slope) implements Op {
        @Override public String name() { return "GEMM_BIAS_GELU"; }
        @Override public long matmulFlops() { return gemm().matmulFlops(); }

        Gemm gemm() { return new Gemm(batch, m, n, k, transA, transB, strideA, strideB, batch > 1 ? m * n : 0, false); }

        @Override
        public long[] minSizes() {
            long[] g = gemm().minSizes();
            return bias ? new long[] {g[0], g[0], g[1], g[2], biasPerRow ? m : n} : new long[] {g[0], g[0], g[1], g[2]};
        }

        @Override public int[] outputs() { return new int[] {0, 1}; }
        @Override public boolean readsOutput() { return false; }
        @Override public int parallelism() { return batch * m; }
        @Override public int grain() { return rowGrain(gemm()); }

        private int mode() { return biasMode(bias, biasPerRow); }

        @Override
        public void ref(double[][] d, int lo, int hi) {
            GemmEpilogue.forwardRef(d[0], d[1], d[2], d[3], bias ? d[4] : null, batch, m, n, k, bit(transA), bit(transB),
                    strideA, strideB, mode(), slope, lo, hi);
        }

        @Override
        public void jvm(float[][] d, int lo, int hi) {
            GemmEpilogue.forwardJvm(d[0], d[1], d[2], d[3], bias ? d[4] : null, batch, m, n, k, bit(transA), bit(transB),
                    strideA, strideB, mode(), slope, lo, hi);
        }

        @Override
        public String label() {
            return String.format("GEMM+%sGELU%s %dx%dx%dx%d t%d%d", bias ? "BIAS+" : "", slope ? "+SLOPE" : "", batch, m, n, k,
                    bit(transA), bit(transB));
        }
    }

    /**
     * dh (+)= GELU'(h)·g, g = [g's earlier terms +] op(a)·op(b): GELU's backward done on the product that gives the
     * activation's gradient g, which is never stored. Buffers dh, h, a, b and, with {@code sumInto}, the buffer holding
     * g's earlier terms (read only). {@code acc} adds into dh. With {@code slope} the h buffer holds GELU'(h), as
     * {@link GemmBiasGelu} with slope leaves it: dh (+)= GELU'(h)·g is then a multiply.
     */
    public record GemmGeluBackward(int batch, int m, int n, int k, boolean transA, boolean transB, int strideA,
                                   int strideB, boolean sumInto, boolean acc, boolean slope) implements Op {
        @Override public String name() { return "GEMM_GELU_BACKWARD"; }
        @Override public long matmulFlops() { return gemm().matmulFlops(); }

        Gemm gemm() { return new Gemm(batch, m, n, k, transA, transB, strideA, strideB, batch > 1 ? m * n : 0, sumInto); }

        @Override
        public long[] minSizes() {
            long[] g = gemm().minSizes();
            return sumInto ? new long[] {g[0], g[0], g[1], g[2], g[0]} : new long[] {g[0], g[0], g[1], g[2]};
        }

        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return acc; }
        @Override public int parallelism() { return batch * m; }
        @Override public int grain() { return rowGrain(gemm()); }

        @Override
        public void ref(double[][] d, int lo, int hi) {
            GemmEpilogue.backwardRef(d[0], d[1], d[2], d[3], sumInto ? d[4] : null, batch, m, n, k, bit(transA), bit(transB),
                    strideA, strideB, bit(acc), slope, lo, hi);
        }

        @Override
        public void jvm(float[][] d, int lo, int hi) {
            GemmEpilogue.backwardJvm(d[0], d[1], d[2], d[3], sumInto ? d[4] : null, batch, m, n, k, bit(transA), bit(transB),
                    strideA, strideB, bit(acc), slope, lo, hi);
        }

        @Override
        public String label() {
            return String.format("GEMM+GELU_BACKWARD%s %dx%dx%dx%d t%d%d", slope ? "+SLOPE" : "", batch, m, n, k, bit(transA),
                    bit(transB));
        }
    }

    /**
     * y = x + mask[w / rowsPerImage]·(op(a)·op(b) (+ bias)): an MLP's output layer added to the residual stream behind
     * DropPath (mask entry per image; rowsPerImage rows of c each). The product u is never stored. The product is per
     * image with a dense output, as {@link GemmBiasGelu}'s; bias per column or per row. Buffers y, x, a, b, mask and,
     * with a bias, the bias.
     */
    public record GemmBiasResidual(int batch, int m, int n, int k, boolean transA, boolean transB, int strideA,
                                   int strideB, boolean bias, boolean biasPerRow, int rowsPerImage) implements Op {
        @Override public String name() { return "GEMM_BIAS_RESIDUAL"; }
        @Override public long matmulFlops() { return gemm().matmulFlops(); }

        Gemm gemm() { return new Gemm(batch, m, n, k, transA, transB, strideA, strideB, batch > 1 ? m * n : 0, false); }

        /** Mask entries: one per image of the residual stream. */
        int images() { return gemm().outputMatrices() * m / rowsPerImage; }

        @Override
        public long[] minSizes() {
            long[] g = gemm().minSizes();
            return bias ? new long[] {g[0], g[0], g[1], g[2], images(), biasPerRow ? m : n}
                    : new long[] {g[0], g[0], g[1], g[2], images()};
        }

        @Override public int[] outputs() { return new int[] {0}; }
        @Override public boolean readsOutput() { return false; }
        @Override public int parallelism() { return batch * m; }
        @Override public int grain() { return rowGrain(gemm()); }

        private int mode() { return biasMode(bias, biasPerRow); }

        @Override
        public void ref(double[][] d, int lo, int hi) {
            GemmEpilogue.residualRef(d[0], d[1], d[2], d[3], d[4], bias ? d[5] : null, batch, m, n, k, bit(transA),
                    bit(transB), strideA, strideB, mode(), rowsPerImage, lo, hi);
        }

        @Override
        public void jvm(float[][] d, int lo, int hi) {
            GemmEpilogue.residualJvm(d[0], d[1], d[2], d[3], d[4], bias ? d[5] : null, batch, m, n, k, bit(transA),
                    bit(transB), strideA, strideB, mode(), rowsPerImage, lo, hi);
        }

        @Override
        public String label() {
            return String.format("GEMM+%sRESIDUAL %dx%dx%dx%d t%d%d", bias ? "BIAS+" : "", batch, m, n, k, bit(transA), bit(transB));
        }
    }

    /** Chunks of rows as the product's ({@link io.github.hopmixer.kernels.Gemm#grain}): a fused op never splits by columns. */
    static int rowGrain(Gemm g) {
        return io.github.hopmixer.kernels.Gemm.grain(g.batch(), g.m(), g.n(), g.k(), bit(g.transB()), g.strideA(), g.strideC());
    }

    /** The epilogue's bias mode for a fused record's flags. */
    static int biasMode(boolean bias, boolean perRow) {
        return !bias ? GemmEpilogue.NO_BIAS : perRow ? GemmEpilogue.BIAS_PER_ROW : GemmEpilogue.BIAS_PER_COLUMN;
    }

    /**
     * How an ADD_BIAS on p's output lays its bias: per column (channel layers), per row of each image (token layers),
     * or -1 when it is neither.
     */
    private static int biasMode(AddBias ab, Gemm p) {
        if (ab.inner() == 1 && ab.outer() == (long) p.outputMatrices() * p.m() && ab.n() == p.n()) return GemmEpilogue.BIAS_PER_COLUMN;
        if (ab.inner() == p.n() && ab.outer() == p.outputMatrices() && ab.n() == p.m()) return GemmEpilogue.BIAS_PER_ROW;
        return -1;
    }

    /** A product fit for an epilogue: per image with a dense output (row w at w·n), not summed over the batch. */
    static boolean dense(Gemm g) {
        return !g.batchSummed() && (g.batch() == 1 || g.strideC() == g.m() * g.n());
    }

    /**
     * The step with fused ops where they apply, the same computation otherwise:
     * <ul>
     * <li>GEMM(h) [, ADD_BIAS(h)], GELU(y, h), consecutive as the tape emits a linear layer and its activation, become
     *     one GEMM_BIAS_GELU;</li>
     * <li>GELU_BACKWARD(dh, g, h) takes the last product that wrote g (its activation's gradient) as a
     *     GEMM_GELU_BACKWARD in that product's place, when nothing between them touches dh or h and nothing after
     *     reads g (which is then never stored);</li>
     * <li>when every later use of a fused forward's h is such a backward, and the host does not read h ({@code keep}),
     *     the forward stores GELU'(h) in h's place and the backwards multiply by it (slope): GELU's exp and erf then
     *     run once per step instead of twice;</li>
     * <li>RESIDUAL(y, x, u, mask) whose branch u is a GEMM's [+ ADD_BIAS's] output that nothing else reads becomes one
     *     GEMM_BIAS_RESIDUAL in the residual's place (the product moves down to it: its operands are not written in
     *     between), and u is never stored.</li>
     * </ul>
     * Each element keeps its float operations, so the fused step gives the unfused step's bits.
     */
    public static List<Invocation> fuse(List<Invocation> in, Set<Buffer> keep) {
        List<Invocation> out = new ArrayList<>(in);
        for (int i = 0; i < out.size(); i++) {
            if (!(out.get(i).op() instanceof GeluBackward gb)) continue;
            Buffer dh = out.get(i).buffers()[0], g = out.get(i).buffers()[1], h = out.get(i).buffers()[2];
            int w = lastWriter(out, g, i);
            if (w < 0 || !(out.get(w).op() instanceof Gemm p) || !dense(p) || (long) p.outputMatrices() * p.m() * p.n() != gb.n()) continue;
            boolean clear = true;
            for (int j = w + 1; j < i; j++) clear &= !touches(out.get(j), dh) && !writes(out.get(j), h);
            for (int j = w + 1; j < out.size(); j++) clear &= j == i || !touches(out.get(j), g);
            if (!clear) continue;
            Buffer[] pb = out.get(w).buffers();
            Op fused = new GemmGeluBackward(p.batch(), p.m(), p.n(), p.k(), p.transA(), p.transB(), p.strideA(), p.strideB(),
                    p.acc(), gb.acc(), false);
            Buffer[] args = p.acc() ? new Buffer[] {dh, h, pb[1], pb[2], g} : new Buffer[] {dh, h, pb[1], pb[2]};
            out.set(w, new Invocation(fused, args));
            out.remove(i);
            i--;
        }
        for (int i = 0; i + 1 < out.size(); i++) {
            if (!(out.get(i).op() instanceof Gemm p) || p.acc() || !dense(p)) continue;
            Buffer h = out.get(i).buffers()[0];
            int next = i + 1;
            Buffer bias = null;
            boolean perRow = false;
            if (out.get(next).op() instanceof AddBias ab && out.get(next).buffers()[0] == h) {
                int mode = biasMode(ab, p);
                if (mode < 0) continue;
                perRow = mode == GemmEpilogue.BIAS_PER_ROW;
                bias = out.get(next).buffers()[1];
                next++;
            }
            if (next >= out.size() || !(out.get(next).op() instanceof Gelu) || out.get(next).buffers()[1] != h) continue;
            Buffer y = out.get(next).buffers()[0];
            Buffer[] pb = out.get(i).buffers();
            boolean slope = h.role() == Role.ACTIVATION && !keep.contains(h) && onlySlopeReaders(out, h, next + 1);
            Op fused = new GemmBiasGelu(p.batch(), p.m(), p.n(), p.k(), p.transA(), p.transB(), p.strideA(), p.strideB(),
                    bias != null, perRow, slope);
            Buffer[] args = bias != null ? new Buffer[] {h, y, pb[1], pb[2], bias} : new Buffer[] {h, y, pb[1], pb[2]};
            out.set(i, new Invocation(fused, args));
            for (int j = next; j > i; j--) out.remove(j);
            if (slope) {
                for (int j = i + 1; j < out.size(); j++) {
                    if (out.get(j).op() instanceof GemmGeluBackward b && out.get(j).buffers()[1] == h) {
                        out.set(j, new Invocation(new GemmGeluBackward(b.batch(), b.m(), b.n(), b.k(), b.transA(), b.transB(),
                                b.strideA(), b.strideB(), b.sumInto(), b.acc(), true), out.get(j).buffers()));
                    }
                }
            }
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).op() instanceof Residual r) i -= fuseResidual(out, i, r, keep);
        }
        return out;
    }

    /**
     * The residual at {@code i} with its branch's product and bias as one GEMM_BIAS_RESIDUAL in its place; returns how
     * many invocations before {@code i} were removed (0 when it does not apply).
     */
    private static int fuseResidual(List<Invocation> out, int i, Residual r, Set<Buffer> keep) {
        Buffer[] rb = out.get(i).buffers();
        Buffer y = rb[0], x = rb[1], u = rb[2], mask = rb[3];
        if (u.role() != Role.ACTIVATION || keep.contains(u) || u == x || u == y || x == y) return 0;
        int gi = lastWriter(out, u, i), bi = -1;
        if (gi < 0) return 0;
        Buffer bias = null;
        if (out.get(gi).op() instanceof AddBias && out.get(gi).buffers()[0] == u) {
            bi = gi;
            bias = out.get(bi).buffers()[1];
            gi = lastWriter(out, u, bi);
            if (gi < 0) return 0;
        }
        if (!(out.get(gi).op() instanceof Gemm p) || p.acc() || !dense(p)) return 0;
        long rows = (long) p.outputMatrices() * p.m();
        if (rows * p.n() != (long) r.batch() * r.rowLen() || rows % r.batch() != 0) return 0;
        int mode = bi >= 0 ? biasMode((AddBias) out.get(bi).op(), p) : GemmEpilogue.NO_BIAS;
        if (mode < 0) return 0;
        boolean perRow = mode == GemmEpilogue.BIAS_PER_ROW;
        Buffer[] pb = out.get(gi).buffers();
        Buffer a = pb[1], b = pb[2];
        for (int j = gi + 1; j < i; j++) {
            if (j == bi) continue;
            if (touches(out.get(j), u) || writes(out.get(j), a) || writes(out.get(j), b) || (bias != null && writes(out.get(j), bias))) return 0;
        }
        for (int j = i + 1; j < out.size(); j++) if (touches(out.get(j), u)) return 0;
        Op fused = new GemmBiasResidual(p.batch(), p.m(), p.n(), p.k(), p.transA(), p.transB(), p.strideA(), p.strideB(),
                bias != null, perRow, (int) (rows / r.batch()));
        out.set(i, new Invocation(fused, bias != null ? new Buffer[] {y, x, a, b, mask, bias} : new Buffer[] {y, x, a, b, mask}));
        if (bi >= 0) out.remove(bi);
        out.remove(gi);
        return bi >= 0 ? 2 : 1;
    }

    /** Whether h is used from {@code from} on, and only as the GELU input of fused backwards (nothing writes it). */
    private static boolean onlySlopeReaders(List<Invocation> list, Buffer h, int from) {
        boolean any = false;
        for (int j = from; j < list.size(); j++) {
            Buffer[] args = list.get(j).buffers();
            for (int a = 0; a < args.length; a++) {
                if (args[a] != h) continue;
                if (!(list.get(j).op() instanceof GemmGeluBackward) || a != 1) return false;
                any = true;
            }
        }
        return any;
    }

    private static int lastWriter(List<Invocation> list, Buffer b, int before) {
        for (int j = before - 1; j >= 0; j--) if (writes(list.get(j), b)) return j;
        return -1;
    }

    private static boolean writes(Invocation inv, Buffer b) {
        Buffer[] args = inv.buffers();
        for (int a = 0; a < args.length; a++) if (args[a] == b && inv.op().writes(a)) return true;
        return false;
    }

    private static boolean touches(Invocation inv, Buffer b) {
        for (Buffer x : inv.buffers()) if (x == b) return true;
        return false;
    }
}
