package io.github.hopmixer.ops;

import io.github.hopmixer.kernels.GemmColumns;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Tape;

/** The matrix product: its op record and its tape rule (forward and backward). */
public final class GemmOps {
    private GemmOps() {}

    /**
     * c[b] (+)= op(a[b]) · op(b[b]) for b in batch, op(a) M×K and op(b) K×N; buffers c, a, b. A stride of 0 means one
     * matrix for the whole batch: a weight as an operand, or, for c, a weight gradient summed over the batch.
     */
    public record Gemm(int batch, int m, int n, int k, boolean transA, boolean transB,
                       int strideA, int strideB, int strideC, boolean acc) implements Op {

        /** Every image adds into the same c (a weight gradient): work items are rows of c, the batch loop inside. */
        public boolean batchSummed() {
            return io.github.hopmixer.kernels.Gemm.batchSummed(batch, strideC);
        }

        /** How many c matrices it writes: 1 when the batch is summed, else one per image. */
        public int outputMatrices() { return batchSummed() ? 1 : batch; }

        @Override public String name() { return "GEMM"; }

        @Override public long matmulFlops() { return 2L * batch * m * n * k; }

        @Override
        public long[] minSizes() {
            return new long[] {
                    (long) (batch - 1) * strideC + (long) m * n,
                    (long) (batch - 1) * strideA + (long) m * k,
                    (long) (batch - 1) * strideB + (long) k * n};
        }

        @Override public int[] outputs() { return new int[] {0}; }

        @Override public boolean readsOutput() { return acc; }

        /**
         * Whether work items are (column block, row) pairs instead of rows: one c with fewer rows than columns (a
         * weight gradient such as the channel MLP's 128×512), so that each thread packs only its own columns of b.
         */
        public boolean splitsColumns() {
            return GemmColumns.splits(batch, m, n);
        }

        /** Chunks of rows ({@link io.github.hopmixer.kernels.Gemm#grain}); a column split keeps one range per thread. */
        @Override
        public int grain() {
            return splitsColumns() ? 0 : io.github.hopmixer.kernels.Gemm.grain(batch, m, n, k, bit(transB), strideA, strideC);
        }

        /** Rows of c: per image, or once when the batch is summed; or (column block, row) pairs. */
        @Override public int parallelism() { return splitsColumns() ? GemmColumns.items(m, n) : outputMatrices() * m; }

        @Override
        public void ref(double[][] d, int lo, int hi) {
            if (splitsColumns()) {
                GemmColumns.ref(d[0], d[1], d[2], m, n, k, bit(transA), bit(transB), bit(acc), lo, hi);
                return;
            }
            // The kernel class shares the record's name: spelled in full.
            io.github.hopmixer.kernels.Gemm.ref(d[0], d[1], d[2], batch, m, n, k, bit(transA), bit(transB),
                    strideA, strideB, strideC, bit(acc), lo, hi);
        }

        @Override
        public void jvm(float[][] d, int lo, int hi) {
            if (splitsColumns()) {
                GemmColumns.jvm(d[0], d[1], d[2], m, n, k, bit(transA), bit(transB), bit(acc), lo, hi);
                return;
            }
            io.github.hopmixer.kernels.Gemm.jvm(d[0], d[1], d[2], batch, m, n, k, bit(transA), bit(transB),
                    strideA, strideB, strideC, bit(acc), lo, hi);
        }

        @Override
        public String label() {
            return String.format("GEMM %dx%dx%dx%d t%d%d%s", batch, m, n, k, bit(transA), bit(transB), batchSummed() ? " sum" : "");
        }
    }

    /** One term op(a)·op(b) of a matrix product; weights (parameters, or results marked batch-shared) serve every image. */
    public record Term(Buffer a, boolean transA, Buffer b, boolean transB) {}

    /**
     * out[bt] = Σ terms op(a[bt])·op(b[bt]) for bt in batch, each M×K times K×N. A parameter operand (or a result the
     * tape marks batch-shared) has batch stride 0 (the same weight for every image); its gradient sums over the batch.
     */
    public static Buffer matmul(Tape g, String name, int batch, int m, int n, int k, int[] outShape, Term... terms) {
        boolean grad = false;
        for (Term t : terms) grad |= g.needs(t.a) || g.needs(t.b);
        Buffer out = g.result(name, grad, outShape);
        int strideC = batch > 1 ? m * n : 0;
        for (int i = 0; i < terms.length; i++) {
            Term t = terms[i];
            g.call(new Gemm(batch, m, n, k, t.transA, t.transB, stride(g, t.a, m * k, batch), stride(g, t.b, k * n, batch),
                    strideC, i > 0), out, t.a, t.b);
        }
        g.onBackward(() -> {
            if (!g.hasGrad(out)) return;
            Buffer dc = g.grad(out);
            for (Term t : terms) {
                int sa = stride(g, t.a, m * k, batch), sb = stride(g, t.b, k * n, batch);
                if (g.needs(t.a)) {
                    // dA = dC·op(B)ᵀ, written as Aᵀ's product when A is stored transposed.
                    Buffer da = g.grad(t.a);
                    if (!t.transA) g.call(new Gemm(batch, m, k, n, false, !t.transB, strideC, sb, sa, g.acc(t.a)), da, dc, t.b);
                    else g.call(new Gemm(batch, k, m, n, t.transB, true, sb, strideC, sa, g.acc(t.a)), da, t.b, dc);
                }
                if (g.needs(t.b)) {
                    Buffer db = g.grad(t.b);
                    if (!t.transB) g.call(new Gemm(batch, k, n, m, !t.transA, false, sa, strideC, sb, g.acc(t.b)), db, t.a, dc);
                    else g.call(new Gemm(batch, n, k, m, true, t.transA, strideC, sa, sb, g.acc(t.b)), db, dc, t.a);
                }
            }
        });
        return out;
    }

    /** 0 for one matrix serving the whole batch: a parameter, or a result the tape marks so (asymmixer's W2 + W1ᵀ). */
    private static int stride(Tape g, Buffer operand, int perBatch, int batch) {
        return g.isBatchShared(operand) || batch == 1 ? 0 : perBatch;
    }

    static int bit(boolean b) { return b ? 1 : 0; }
}
