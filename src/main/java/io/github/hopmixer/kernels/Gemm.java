package io.github.hopmixer.kernels;

/**
 * Batched strided matrix product c[b] (+)= op(a[b]) · op(b[b]), the one kernel behind token mixing
 * (weight on the left, batch stride 0), channel mixing (batch folded into M), the head and all their gradients.
 * op(a) is M×K (stored K×M when transA), op(b) is K×N (stored N×K when transB), c is M×N.
 * When strideC is 0 every batch adds into the same c (a weight gradient), so work items are rows of c and the
 * batch loop runs inside; otherwise work items are (batch, row) pairs. The op splits one c with fewer rows than
 * columns by columns instead ({@link GemmColumns}), computing every element as this class does.
 */
public final class Gemm {
    private Gemm() {}

    /** Every image adds into the same c (a weight gradient): the one definition, used by the op record too. */
    public static boolean batchSummed(int batch, int strideC) {
        return strideC == 0 && batch > 1;
    }

    /** Double-precision reference; work items [lo, hi). */
    public static void ref(double[] c, double[] a, double[] b, int batch, int m, int n, int k,
                           int transA, int transB, int strideA, int strideB, int strideC, int acc, int lo, int hi) {
        boolean reduceBatch = batchSummed(batch, strideC);
        for (int w = lo; w < hi; w++) {
            int b0 = reduceBatch ? 0 : w / m, b1 = reduceBatch ? batch : b0 + 1, i = reduceBatch ? w : w % m;
            int cRow = b0 * strideC + i * n;
            if (reduceBatch) cRow = i * n;
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int bb = b0; bb < b1; bb++) {
                    int oa = bb * strideA, ob = bb * strideB;
                    for (int p = 0; p < k; p++) {
                        double x = transA != 0 ? a[oa + p * m + i] : a[oa + i * k + p];
                        double y = transB != 0 ? b[ob + j * k + p] : b[ob + p * n + j];
                        sum += x * y;
                    }
                }
                c[cRow + j] = acc != 0 ? c[cRow + j] + sum : sum;
            }
        }
    }

    /**
     * K is cut in blocks of 128 so that one packed panel of b (128 × 4L floats, 32 KB with AVX-512) stays in L1 while a block of
     * rows passes over it (measured here: 5–25 % faster than 256 on the weight gradients' K = 8192). K up to 512 runs
     * as one block: the nano step's K = 512 products then write c once, ~10–20 % faster. The block never changes a
     * result: c holds the running sums between blocks.
     */
    static int kBlock(int k) {
        return k <= 512 ? k : 128;
    }

    /**
     * The least work items (rows of c) per chunk when the JVM device balances a product over its threads, or 0 for one
     * range per thread where every range repeats the packing of all of b: a weight gradient summed over the batch
     * (every image's b), a transposed b with a column tail (copied whole), and several K blocks (each packed anew for
     * every range: the 224-px step ran 5 % slower chunked so). Otherwise a thread packs b once per run ({@link Reuse})
     * and a chunk of 48 rows (eight 6-row tiles) keeps each chunk's work well above its setup; with one a for every
     * image (strideA 0) chunks are whole images, so that every chunk cuts an image at the rows the others do and the
     * packed blocks of a serve them all ({@link #blockEnd}).
     */
    public static int grain(int batch, int m, int n, int k, int transB, int strideA, int strideC) {
        boolean repacks = batchSummed(batch, strideC) || transB != 0 && !GemmPanels.packsTransposed(n) || k > kBlock(k);
        if (repacks) return 0;
        return strideA == 0 && batch > 1 ? (ROWS_PER_CHUNK + m - 1) / m * m : ROWS_PER_CHUNK;
    }

    private static final int ROWS_PER_CHUNK = 48;

    /** Per-thread scratch for transposed operands: grows once, then no allocation inside a step. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /**
     * Float JVM version with the Vector API. b is packed in panels ({@link GemmPanels}), a transposed b straight from
     * its n×k rows when n is a whole number of panels (else it is first copied to k×n rows); tiles of c stay in
     * registers over a K block.
     * Every element sums its products in the same order (p ascending, fused multiply-adds) whatever the tile, the
     * block or the thread split, so results do not depend on the number of threads.
     */
    public static void jvm(float[] c, float[] a, float[] b, int batch, int m, int n, int k,
                           int transA, int transB, int strideA, int strideB, int strideC, int acc, int lo, int hi) {
        GemmPanels.startCall();
        if (batchSummed(batch, strideC) && transA == 0 && transB != 0 && !GemmPanels.packsTransposed(n)) {
            // The token weight gradient with a column tail. With whole panels of rows its transpose takes the panel
            // path; else dot products along K, no transposed copy per image. (With whole panels the per-image
            // product below packs b's rows directly and runs 1.5–1.6× faster: measured here on 128 images of 64×128.)
            if (GemmPanels.packsTransposed(m)) transposedSum(c, a, b, batch, m, n, k, strideA, strideB, acc, lo, hi);
            else GemmDots.dots(c, a, b, batch, m, n, k, strideA, strideB, acc, lo, hi);
            return;
        }
        boolean direct = transB != 0 && GemmPanels.packsTransposed(n);
        int tb = direct ? 1 : 0;
        if (batchSummed(batch, strideC)) {
            // A weight gradient summed over the batch: one image at a time, so a transposed operand is one small
            // k×n copy that stays in L1, and this thread's rows of c stay in cache between images.
            for (int bb = 0; bb < batch; bb++) {
                float[] bOp = b;
                int sB = strideB;
                if (transB != 0 && !direct) {
                    bOp = scratch(k * n);
                    if (strideB != 0 || bb == 0) {
                        transpose(b, bb * strideB, bOp, 0, n, k);
                        GemmPanels.forget();
                    }
                    sB = 0;
                }
                rows(c, a, bOp, bb, bb + 1, m, n, k, transA, tb, strideA, sB, 0, bb == 0 ? acc : 1, lo, hi, false);
            }
            return;
        }
        if (transB != 0 && !direct) {
            int copies = strideB == 0 ? 1 : batch;
            float[] bt = scratch(copies * k * n);
            for (int bb = 0; bb < copies; bb++) transpose(b, bb * strideB, bt, bb * k * n, n, k);
            b = bt;
            strideB = strideB == 0 ? 0 : k * n;
        }
        rows(c, a, b, 0, batch, m, n, k, transA, tb, strideA, strideB, strideC, acc, lo, hi, true);
    }

    /** Work items per block of {@link #blocks}: a block of c (32 rows of up to 512 floats) is still in L2 for the epilogue. */
    public static final int BLOCK = 32;

    /**
     * Work items per block of {@link #blocks} for c rows of n floats: 64 from n = 1024 on. Each block streams all of the
     * packed b (4 MB for the 224-px fc1, 2048 × 512) through L2; at 64 rows (a 512 KB block of c) the fused 224-px
     * products ran 2–7 % faster than at 32 (measured here, interleaved; the nano shapes, n ≤ 512, keep 32).
     */
    static int blockRows(int n) {
        return n >= 1024 ? 2 * BLOCK : BLOCK;
    }

    /** Per-thread scratch for a block of c that is not stored (a fused backward's product). */
    private static final ThreadLocal<float[][]> BLOCK_SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /** Receives each finished block of work items [lo, hi): element j of row w is y[w·n + j − shift]. */
    public interface Epilogue {
        void rows(float[] y, int shift, int lo, int hi);
    }

    /**
     * The per-image product with a dense c (c[b] at b·m·n; not batch-summed) over work items [lo, hi) in blocks of
     * {@link #blockRows}, each handed to {@code epilogue} while it is in cache: the fused ops' GEMM. With {@code toScratch}
     * the block goes to per-thread scratch instead of c (c then only supplies the prior values when acc). Each element
     * is computed exactly as {@link #jvm} computes it, so a fused op gives the bits of its unfused sequence.
     */
    public static void blocks(float[] c, float[] a, float[] b, int batch, int m, int n, int k, int transA, int transB,
                              int strideA, int strideB, int acc, int lo, int hi, boolean toScratch, Epilogue epilogue) {
        GemmPanels.startCall();
        int strideC = batch > 1 ? m * n : 0;
        int tb = transB != 0 && GemmPanels.packsTransposed(n) ? 1 : 0;
        if (transB != 0 && tb == 0) {
            int copies = strideB == 0 ? 1 : batch;
            float[] bt = scratch(copies * k * n);
            for (int bb = 0; bb < copies; bb++) transpose(b, bb * strideB, bt, bb * k * n, n, k);
            b = bt;
            strideB = strideB == 0 ? 0 : k * n;
        }
        int blk = blockRows(n);
        float[] y = c;
        if (toScratch) {
            float[][] holder = BLOCK_SCRATCH.get();
            if (holder[0].length < blk * n) holder[0] = new float[blk * n];
            y = holder[0];
        }
        int kb = kBlock(k);
        if (!toScratch && k > kb) {
            // Several K blocks: each block serves every row (as in rows(), its packed panels reused across the row
            // blocks), and a block of rows gets its epilogue right after its last K block.
            for (int p0 = 0; p0 < k; p0 += kb) {
                int p1 = Math.min(k, p0 + kb);
                for (int w0 = lo, w1; w0 < hi; w0 = w1) {
                    w1 = blockEnd(w0, hi, blk, m, strideA, batch);
                    rows(c, a, b, 0, batch, m, n, k, transA, tb, strideA, strideB, strideC, p0 == 0 ? acc : 1, w0, w1, true, 0, p0, p1);
                    if (p1 == k) epilogue.rows(c, 0, w0, w1);
                }
            }
            return;
        }
        for (int w0 = lo, w1; w0 < hi; w0 = w1) {
            w1 = blockEnd(w0, hi, blk, m, strideA, batch);
            int shift = toScratch ? w0 * n : 0;
            if (toScratch && acc != 0) System.arraycopy(c, w0 * n, y, 0, (w1 - w0) * n);
            rows(y, a, b, 0, batch, m, n, k, transA, tb, strideA, strideB, strideC, acc, w0, w1, true, shift);
            epilogue.rows(y, shift, w0, w1);
        }
    }

    /**
     * The end of the block of work items from w0: blk on, or less at hi. With one a for every image the block also
     * ends with its image, so that every image is cut at the same rows and its packed blocks of a, kept by row range
     * ({@link GemmTiles}), serve every image (blocks from the range's start packed a again for each image's offset).
     */
    private static int blockEnd(int w0, int hi, int blk, int m, int strideA, int batch) {
        int w1 = Math.min(hi, w0 + blk);
        return strideA == 0 && batch > 1 ? Math.min(w1, (w0 / m + 1) * m) : w1;
    }

    /**
     * c (+)= Σ_b a[b]·b[b]ᵀ (rows [lo, hi) of c) for an n with a column tail and an m of whole panels, as cᵀ = Σ b·aᵀ:
     * a's rows are then packed as panels straight from memory (the 224-px token weight gradient 256×196×512 ran
     * 1.8–2× faster than by dot products; measured here). cᵀ goes to scratch, this thread's rows of c widened to
     * whole panels (the extra columns are computed and dropped), then back into c. Every element is the chain of
     * fused multiply-adds, in (image, p) order from c's value or zero, that the panel path computes (fma is
     * symmetric in its factors), so the thread split changes no bit.
     */
    private static void transposedSum(float[] c, float[] a, float[] b, int batch, int m, int n, int k, int strideA,
                                      int strideB, int acc, int lo, int hi) {
        int nr = GemmPanels.NR, pl = lo / nr * nr, ph = Math.min(m, (hi + nr - 1) / nr * nr), w = ph - pl;
        float[] t = scratch(n * w);
        for (int j = 0; j < n; j++) {
            int o = j * w - pl;
            for (int i = pl; i < ph; i++) t[o + i] = acc != 0 && i >= lo && i < hi ? c[i * n + j] : 0f;
        }
        int kb = kBlock(k);
        for (int bb = 0; bb < batch; bb++)
            for (int p0 = 0; p0 < k; p0 += kb)
                GemmPanels.rows(t, -pl, b, a, bb, n, w, k, 0, 1, strideB, strideA, 1, 0, n, p0, Math.min(k, p0 + kb), pl, ph, false);
        for (int i = lo; i < hi; i++)
            for (int j = 0; j < n; j++) c[i * n + j] = t[j * w + i - pl];
    }

    /** dst (k×n) = srcᵀ for src (n×k). */
    static void transpose(float[] src, int srcOff, float[] dst, int dstOff, int n, int k) {
        // In 16 × 16 tiles: column by column, the writes' stride (n floats) maps every row of dst to a few cache sets,
        // so each write missed L1 (the nt GEMM's b, 128 × 512, took ~15 % of the product's time).
        for (int j0 = 0; j0 < n; j0 += 16)
            for (int p0 = 0; p0 < k; p0 += 16) {
                int j1 = Math.min(n, j0 + 16), p1 = Math.min(k, p0 + 16);
                for (int j = j0; j < j1; j++)
                    for (int p = p0; p < p1; p++) dst[dstOff + p * n + j] = src[srcOff + j * k + p];
            }
    }

    /**
     * Work items [lo, hi) as rows of c in tiles. With {@code perBatch} a work item is a (batch, row) pair of
     * c[b]; otherwise it is a row of one c, summing batches [b0, b1). {@code transB}: b as n×k rows (whole panels only).
     */
    private static void rows(float[] c, float[] a, float[] b, int b0, int b1, int m, int n, int k, int transA, int transB,
                             int strideA, int strideB, int strideC, int acc, int lo, int hi, boolean perBatch) {
        rows(c, a, b, b0, b1, m, n, k, transA, transB, strideA, strideB, strideC, acc, lo, hi, perBatch, 0);
    }

    /** As above, with c's element (row, column) at its usual index less {@code cShift} (a block held in scratch). */
    private static void rows(float[] c, float[] a, float[] b, int b0, int b1, int m, int n, int k, int transA, int transB,
                             int strideA, int strideB, int strideC, int acc, int lo, int hi, boolean perBatch, int cShift) {
        int kb = kBlock(k);
        for (int p0 = 0; p0 < k; p0 += kb) {
            rows(c, a, b, b0, b1, m, n, k, transA, transB, strideA, strideB, strideC, p0 == 0 ? acc : 1, lo, hi, perBatch, cShift,
                    p0, Math.min(k, p0 + kb));
        }
    }

    /** The products of p in [p0, p1) only (one K block), adding to c when acc: image by image, from packed panels of b. */
    private static void rows(float[] c, float[] a, float[] b, int b0, int b1, int m, int n, int k, int transA, int transB,
                             int strideA, int strideB, int strideC, int accBlock, int lo, int hi, boolean perBatch, int cShift,
                             int p0, int p1) {
        if (!perBatch && b1 - b0 != 1) throw new IllegalArgumentException("a row range sums one image at a time");
        boolean sharedA = perBatch && strideA == 0 && b1 - b0 > 1;
        int w = lo;
        while (w < hi) {
            int bb = perBatch ? w / m : b0, i = perBatch ? w % m : w;
            int rows = Math.min(hi - w, m - i);
            int cBase = (perBatch ? bb * strideC : 0) - cShift;
            GemmPanels.rows(c, cBase, a, b, bb, m, n, k, transA, transB, strideA, strideB, accBlock, i, i + rows, p0, p1, sharedA);
            w += rows;
        }
    }

    /** This thread's scratch of at least {@code size} floats (transposed operands, the dot products' lane sums). */
    static float[] scratch(int size) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

}
