package io.github.hopmixer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batched strided matrix product c[b] (+)= op(a[b]) · op(b[b]), the one kernel behind token mixing
 * (weight on the left, batch stride 0), channel mixing (batch folded into M), the head and all their gradients.
 * op(a) is M×K (stored K×M when transA), op(b) is K×N (stored N×K when transB), c is M×N.
 * When strideC is 0 every batch adds into the same c (a weight gradient), so work items are rows of c and the
 * batch loop runs inside; otherwise work items are (batch, row) pairs.
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

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length();
    private static final VectorMask<Float> ALL = SP.maskAll(true);
    /**
     * K is cut in blocks so that one packed panel of b (kb × 2L floats) stays in L1 while a block of rows passes over
     * it: 256 (32 KB). K up to 512 runs as one block (measured here: the nano step's K = 512 products then write c
     * once and run ~10 % faster). The block never changes a result: c holds the running sums between blocks.
     */
    static int kBlock(int k) {
        return k <= 512 ? k : 256;
    }

    /** Per-thread scratch for transposed operands: grows once, then no allocation inside a step. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /**
     * Float JVM version with the Vector API. A transposed b is first copied to k×n rows, so the inner loop always
     * streams contiguous rows of b; tiles of 8 (or 4) rows × 2 vectors of c stay in registers over a K block.
     * Every element sums its products in the same order (p ascending, fused multiply-adds) whatever the tile, the
     * block or the thread split, so results do not depend on the number of threads.
     */
    public static void jvm(float[] c, float[] a, float[] b, int batch, int m, int n, int k,
                           int transA, int transB, int strideA, int strideB, int strideC, int acc, int lo, int hi) {
        forgetPacked();
        if (batchSummed(batch, strideC) && transA == 0 && transB != 0) {
            dots(c, a, b, batch, m, n, k, strideA, strideB, acc, lo, hi);
            return;
        }
        if (batchSummed(batch, strideC)) {
            // A weight gradient summed over the batch: one image at a time, so a transposed operand is one small
            // k×n copy that stays in L1, and this thread's rows of c stay in cache between images.
            for (int bb = 0; bb < batch; bb++) {
                float[] bOp = b;
                int sB = strideB;
                if (transB != 0) {
                    bOp = scratch(k * n);
                    if (strideB != 0 || bb == 0) {
                        transpose(b, bb * strideB, bOp, 0, n, k);
                        forgetPacked();
                    }
                    sB = 0;
                }
                rows(c, a, bOp, bb, bb + 1, m, n, k, transA, strideA, sB, 0, bb == 0 ? acc : 1, lo, hi, false);
            }
            return;
        }
        if (transB != 0) {
            int copies = strideB == 0 ? 1 : batch;
            float[] bt = scratch(copies * k * n);
            for (int bb = 0; bb < copies; bb++) transpose(b, bb * strideB, bt, bb * k * n, n, k);
            b = bt;
            strideB = strideB == 0 ? 0 : k * n;
        }
        rows(c, a, b, 0, batch, m, n, k, transA, strideA, strideB, strideC, acc, lo, hi, true);
    }

    /** Work items per block of {@link #blocks}: a block of c (32 rows of up to 512 floats) is still in L2 for the epilogue. */
    public static final int BLOCK = 32;
    /** Per-thread scratch for a block of c that is not stored (a fused backward's product). */
    private static final ThreadLocal<float[][]> BLOCK_SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /** Receives each finished block of work items [lo, hi): element j of row w is y[w·n + j − shift]. */
    public interface Epilogue {
        void rows(float[] y, int shift, int lo, int hi);
    }

    /**
     * The per-image product with a dense c (c[b] at b·m·n; not batch-summed) over work items [lo, hi) in blocks of
     * {@link #BLOCK}, each handed to {@code epilogue} while it is in cache: the fused ops' GEMM. With {@code toScratch}
     * the block goes to per-thread scratch instead of c (c then only supplies the prior values when acc). Each element
     * is computed exactly as {@link #jvm} computes it, so a fused op gives the bits of its unfused sequence.
     */
    public static void blocks(float[] c, float[] a, float[] b, int batch, int m, int n, int k, int transA, int transB,
                              int strideA, int strideB, int acc, int lo, int hi, boolean toScratch, Epilogue epilogue) {
        forgetPacked();
        int strideC = batch > 1 ? m * n : 0;
        if (transB != 0) {
            int copies = strideB == 0 ? 1 : batch;
            float[] bt = scratch(copies * k * n);
            for (int bb = 0; bb < copies; bb++) transpose(b, bb * strideB, bt, bb * k * n, n, k);
            b = bt;
            strideB = strideB == 0 ? 0 : k * n;
        }
        float[] y = c;
        if (toScratch) {
            float[][] holder = BLOCK_SCRATCH.get();
            if (holder[0].length < BLOCK * n) holder[0] = new float[BLOCK * n];
            y = holder[0];
        }
        int kb = kBlock(k);
        if (!toScratch && k > kb) {
            // b's K blocks do not all fit in L2: each block serves every row (as in rows()), and a block of rows gets
            // its epilogue right after its last K block.
            for (int p0 = 0; p0 < k; p0 += kb) {
                int p1 = Math.min(k, p0 + kb);
                for (int w0 = lo; w0 < hi; w0 += BLOCK) {
                    int w1 = Math.min(hi, w0 + BLOCK);
                    rows(c, a, b, 0, batch, m, n, k, transA, strideA, strideB, strideC, p0 == 0 ? acc : 1, w0, w1, true, 0, p0, p1);
                    if (p1 == k) epilogue.rows(c, 0, w0, w1);
                }
            }
            return;
        }
        for (int w0 = lo; w0 < hi; w0 += BLOCK) {
            int w1 = Math.min(hi, w0 + BLOCK), shift = toScratch ? w0 * n : 0;
            if (toScratch && acc != 0) System.arraycopy(c, w0 * n, y, 0, (w1 - w0) * n);
            rows(y, a, b, 0, batch, m, n, k, transA, strideA, strideB, strideC, acc, w0, w1, true, shift);
            epilogue.rows(y, shift, w0, w1);
        }
    }

    /** Rows of c per block of {@link #dots}: their lane sums (rows × n × L floats) stay in L2 while images pass. */
    private static final int DOT_ROWS = 16;
    /** Images per pass of {@link #dots}: their rows of a and b stay in L1 across the block's tiles. */
    private static final int DOT_IMAGES = 2;

    /**
     * c[i, j] (+)= Σ_b Σ_p a[b][i, p]·b[b][j, p] as dot products along p, contiguous in both operands: the token
     * weight gradient dH·Zᵀ summed over images, where transposing each image's Z cost as much as the products.
     * Tiles of 4 × 4 outputs keep 16 vector accumulators; each output keeps L lane sums in scratch while a few images
     * at a time pass over a block of rows (the images' data then stays in cache, instead of streaming all images
     * once per tile), and its lanes are summed in index order at the end. Every lane adds its products in the same
     * order (image, then p) whatever the block, tile or thread split.
     */
    private static void dots(float[] c, float[] a, float[] b, int batch, int m, int n, int k, int strideA, int strideB,
                             int acc, int lo, int hi) {
        for (int r0 = lo; r0 < hi; r0 += DOT_ROWS) {
            int r1 = Math.min(hi, r0 + DOT_ROWS), size = (r1 - r0) * n * L;
            float[] part = scratch(size);
            java.util.Arrays.fill(part, 0, size, 0f);
            for (int b0 = 0; b0 < batch; b0 += DOT_IMAGES) {
                int b1 = Math.min(batch, b0 + DOT_IMAGES);
                for (int j0 = 0; j0 < n; j0 += 4) {
                    for (int i0 = r0; i0 < r1; i0 += 4) {
                        if (r1 - i0 < 4 || n - j0 < 4 || k % L != 0) {
                            for (int i = i0; i < Math.min(r1, i0 + 4); i++)
                                for (int j = j0; j < Math.min(n, j0 + 4); j++) dot1(part, ((i - r0) * n + j) * L, a, b, b0, b1, k, strideA, strideB, i, j);
                            continue;
                        }
                        dot4x4(part, ((i0 - r0) * n + j0) * L, n * L, a, b, b0, b1, k, strideA, strideB, i0, j0);
                    }
                }
            }
            for (int i = r0; i < r1; i++)
                for (int j = 0; j < n; j++) {
                    int o = ((i - r0) * n + j) * L;
                    float sum = 0f;
                    for (int l = 0; l < L; l++) sum += part[o + l];
                    c[i * n + j] = acc != 0 ? c[i * n + j] + sum : sum;
                }
        }
    }

    /**
     * Lane sums of the 4 × 4 outputs (i0.., j0..) at part[o + r·rowStep + s·L] over images [b0, b1), for k a
     * multiple of L (no masks: with them C1 runs out of registers and the method can stay in slow C1 code).
     */
    private static void dot4x4(float[] part, int o, int rowStep, float[] a, float[] b, int b0, int b1, int k,
                               int strideA, int strideB, int i0, int j0) {
        int o0 = o, o1 = o + rowStep, o2 = o + 2 * rowStep, o3 = o + 3 * rowStep;
        FloatVector x00 = FloatVector.fromArray(SP, part, o0), x01 = FloatVector.fromArray(SP, part, o0 + L);
        FloatVector x02 = FloatVector.fromArray(SP, part, o0 + 2 * L), x03 = FloatVector.fromArray(SP, part, o0 + 3 * L);
        FloatVector x10 = FloatVector.fromArray(SP, part, o1), x11 = FloatVector.fromArray(SP, part, o1 + L);
        FloatVector x12 = FloatVector.fromArray(SP, part, o1 + 2 * L), x13 = FloatVector.fromArray(SP, part, o1 + 3 * L);
        FloatVector x20 = FloatVector.fromArray(SP, part, o2), x21 = FloatVector.fromArray(SP, part, o2 + L);
        FloatVector x22 = FloatVector.fromArray(SP, part, o2 + 2 * L), x23 = FloatVector.fromArray(SP, part, o2 + 3 * L);
        FloatVector x30 = FloatVector.fromArray(SP, part, o3), x31 = FloatVector.fromArray(SP, part, o3 + L);
        FloatVector x32 = FloatVector.fromArray(SP, part, o3 + 2 * L), x33 = FloatVector.fromArray(SP, part, o3 + 3 * L);
        for (int bb = b0; bb < b1; bb++) {
            int oa = bb * strideA, ob = bb * strideB;
            int pa0 = oa + i0 * k, pa1 = pa0 + k, pa2 = pa1 + k, pa3 = pa2 + k;
            int pb0 = ob + j0 * k, pb1 = pb0 + k, pb2 = pb1 + k, pb3 = pb2 + k;
            for (int p = 0; p < k; p += L) {
                FloatVector a0 = FloatVector.fromArray(SP, a, pa0 + p), a1 = FloatVector.fromArray(SP, a, pa1 + p);
                FloatVector a2 = FloatVector.fromArray(SP, a, pa2 + p), a3 = FloatVector.fromArray(SP, a, pa3 + p);
                FloatVector v0 = FloatVector.fromArray(SP, b, pb0 + p), v1 = FloatVector.fromArray(SP, b, pb1 + p);
                FloatVector v2 = FloatVector.fromArray(SP, b, pb2 + p), v3 = FloatVector.fromArray(SP, b, pb3 + p);
                x00 = a0.fma(v0, x00); x01 = a0.fma(v1, x01); x02 = a0.fma(v2, x02); x03 = a0.fma(v3, x03);
                x10 = a1.fma(v0, x10); x11 = a1.fma(v1, x11); x12 = a1.fma(v2, x12); x13 = a1.fma(v3, x13);
                x20 = a2.fma(v0, x20); x21 = a2.fma(v1, x21); x22 = a2.fma(v2, x22); x23 = a2.fma(v3, x23);
                x30 = a3.fma(v0, x30); x31 = a3.fma(v1, x31); x32 = a3.fma(v2, x32); x33 = a3.fma(v3, x33);
            }
        }
        x00.intoArray(part, o0); x01.intoArray(part, o0 + L); x02.intoArray(part, o0 + 2 * L); x03.intoArray(part, o0 + 3 * L);
        x10.intoArray(part, o1); x11.intoArray(part, o1 + L); x12.intoArray(part, o1 + 2 * L); x13.intoArray(part, o1 + 3 * L);
        x20.intoArray(part, o2); x21.intoArray(part, o2 + L); x22.intoArray(part, o2 + 2 * L); x23.intoArray(part, o2 + 3 * L);
        x30.intoArray(part, o3); x31.intoArray(part, o3 + L); x32.intoArray(part, o3 + 2 * L); x33.intoArray(part, o3 + 3 * L);
    }

    /** One output's lane sums at part[o], images [b0, b1): the same lane operations as {@link #dot4x4}. */
    private static void dot1(float[] part, int o, float[] a, float[] b, int b0, int b1, int k, int strideA, int strideB,
                             int i, int j) {
        FloatVector x = FloatVector.fromArray(SP, part, o);
        for (int bb = b0; bb < b1; bb++) {
            int oa = bb * strideA, ob = bb * strideB;
            for (int p = 0; p < k; p += L) {
                VectorMask<Float> mask = SP.indexInRange(p, k);
                x = FloatVector.fromArray(SP, a, oa + i * k + p, mask).fma(FloatVector.fromArray(SP, b, ob + j * k + p, mask), x);
            }
        }
        x.intoArray(part, o);
    }

    /** dst (k×n) = srcᵀ for src (n×k). */
    private static void transpose(float[] src, int srcOff, float[] dst, int dstOff, int n, int k) {
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
     * c[b]; otherwise it is a row of one c, summing batches [b0, b1).
     */
    private static void rows(float[] c, float[] a, float[] b, int b0, int b1, int m, int n, int k, int transA,
                             int strideA, int strideB, int strideC, int acc, int lo, int hi, boolean perBatch) {
        rows(c, a, b, b0, b1, m, n, k, transA, strideA, strideB, strideC, acc, lo, hi, perBatch, 0);
    }

    /** As above, with c's element (row, column) at its usual index less {@code cShift} (a block held in scratch). */
    private static void rows(float[] c, float[] a, float[] b, int b0, int b1, int m, int n, int k, int transA,
                             int strideA, int strideB, int strideC, int acc, int lo, int hi, boolean perBatch, int cShift) {
        int kb = kBlock(k);
        for (int p0 = 0; p0 < k; p0 += kb) {
            rows(c, a, b, b0, b1, m, n, k, transA, strideA, strideB, strideC, p0 == 0 ? acc : 1, lo, hi, perBatch, cShift,
                    p0, Math.min(k, p0 + kb));
        }
    }

    /** The products of p in [p0, p1) only (one K block), adding to c when acc: image by image, from packed panels of b. */
    private static void rows(float[] c, float[] a, float[] b, int b0, int b1, int m, int n, int k, int transA, int strideA,
                             int strideB, int strideC, int accBlock, int lo, int hi, boolean perBatch, int cShift, int p0, int p1) {
        if (!perBatch && b1 - b0 != 1) throw new IllegalArgumentException("a row range sums one image at a time");
        int w = lo;
        while (w < hi) {
            int bb = perBatch ? w / m : b0, i = perBatch ? w % m : w;
            int rows = Math.min(hi - w, m - i);
            int cBase = (perBatch ? bb * strideC : 0) - cShift;
            packedRows(c, cBase, a, b, bb, m, n, k, transA, strideA, strideB, accBlock, i, i + rows, p0, p1);
            w += rows;
        }
    }

    /** Columns of c per packed panel of b: the register tile's width. */
    private static final int NR = 2 * L;
    /** Rows of c per pass over the panels: their K block of a (MC × 256 floats) stays in L2. */
    private static final int MC = Integer.getInteger("hopmixer.gemm.mc", 256);

    /** One K block of b, [p0, p1) × every whole panel of NR columns, each panel contiguous (p-major): one per thread. */
    private static final class Packed {
        float[] data = new float[0];
        float[] src;
        int base, n, p0, p1;
    }

    private static final ThreadLocal<Packed> PACKED = ThreadLocal.withInitial(Packed::new);

    /** Drops this thread's packed b: called wherever b's contents may have changed since it was packed. */
    private static void forgetPacked() {
        PACKED.get().src = null;
    }

    /** b's K block packed, reused while the same block is asked for again within one call (row blocks of a fused op). */
    private static Packed packed(float[] b, int base, int n, int p0, int p1) {
        Packed pk = PACKED.get();
        if (pk.src == b && pk.base == base && pk.n == n && pk.p0 == p0 && pk.p1 == p1) return pk;
        int kc = p1 - p0, panels = n / NR;
        if (pk.data.length < panels * kc * NR) pk.data = new float[panels * kc * NR];
        for (int jp = 0; jp < panels; jp++) {
            int o = jp * kc * NR - p0 * NR, j = jp * NR;
            for (int p = p0; p < p1; p++) System.arraycopy(b, base + p * n + j, pk.data, o + p * NR, NR);
        }
        pk.src = b;
        pk.base = base;
        pk.n = n;
        pk.p0 = p0;
        pk.p1 = p1;
        return pk;
    }

    /**
     * Rows [i0, i1) of image bb over one K block. For each block of MC rows, each panel of b (kc × NR, in L1) serves
     * every row tile of the block before the next panel is read: b is read once per row block, contiguously, instead
     * of once per row tile at a stride of n floats. Columns past the last whole panel go through {@link #columns}.
     */
    private static void packedRows(float[] c, int cBase, float[] a, float[] b, int bb, int m, int n, int k, int transA,
                                   int strideA, int strideB, int acc, int i0, int i1, int p0, int p1) {
        int panels = n / NR, kc = p1 - p0, aBase = bb * strideA;
        if (panels > 0) {
            float[] pk = packed(b, bb * strideB, n, p0, p1).data;
            for (int r0 = i0; r0 < i1; r0 += MC) {
                int r1 = Math.min(i1, r0 + MC);
                for (int jp = 0; jp < panels; jp++) {
                    int po = jp * kc * NR - p0 * NR, j = jp * NR, i = r0;
                    for (; i + 8 <= r1; i += 8) tile8(c, cBase + i * n + j, n, a, aBase, i, m, k, transA, pk, po, p0, p1, acc);
                    for (; i + 4 <= r1; i += 4) tile4(c, cBase + i * n + j, n, a, aBase, i, m, k, transA, pk, po, p0, p1, acc);
                    for (; i < r1; i++) tile1(c, cBase + i * n + j, a, aBase, i, m, k, transA, pk, po, p0, p1, acc);
                }
            }
        }
        if (panels * NR < n) {
            for (int i = i0; i < i1; i++) columns(c, cBase + i * n, a, b, bb, bb + 1, m, n, k, p0, p1, i, transA, strideA, strideB, acc, panels * NR);
        }
    }

    private static float[] scratch(int size) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    /** 8 rows × NR columns of c at cOff (rows n apart) from the panel at po (element p at po + p·NR). */
    private static void tile8(float[] c, int cOff, int n, float[] a, int aBase, int i, int m, int k, int transA,
                              float[] pk, int po, int p0, int p1, int acc) {
        int c0 = cOff;
        FloatVector x00, x01, x10, x11, x20, x21, x30, x31, x40, x41, x50, x51, x60, x61, x70, x71;
        if (acc != 0) {
            x00 = FloatVector.fromArray(SP, c, c0); x01 = FloatVector.fromArray(SP, c, c0 + L);
            x10 = FloatVector.fromArray(SP, c, c0 + n); x11 = FloatVector.fromArray(SP, c, c0 + n + L);
            x20 = FloatVector.fromArray(SP, c, c0 + 2 * n); x21 = FloatVector.fromArray(SP, c, c0 + 2 * n + L);
            x30 = FloatVector.fromArray(SP, c, c0 + 3 * n); x31 = FloatVector.fromArray(SP, c, c0 + 3 * n + L);
            x40 = FloatVector.fromArray(SP, c, c0 + 4 * n); x41 = FloatVector.fromArray(SP, c, c0 + 4 * n + L);
            x50 = FloatVector.fromArray(SP, c, c0 + 5 * n); x51 = FloatVector.fromArray(SP, c, c0 + 5 * n + L);
            x60 = FloatVector.fromArray(SP, c, c0 + 6 * n); x61 = FloatVector.fromArray(SP, c, c0 + 6 * n + L);
            x70 = FloatVector.fromArray(SP, c, c0 + 7 * n); x71 = FloatVector.fromArray(SP, c, c0 + 7 * n + L);
        } else {
            x00 = x01 = x10 = x11 = x20 = x21 = x30 = x31 = x40 = x41 = x50 = x51 = x60 = x61 = x70 = x71 = FloatVector.zero(SP);
        }
        int ia = transA != 0 ? aBase + i : aBase + i * k, da = transA != 0 ? m : 1, ra = transA != 0 ? 1 : k;
        for (int p = p0; p < p1; p++) {
            int o = po + p * NR;
            FloatVector v0 = FloatVector.fromArray(SP, pk, o), v1 = FloatVector.fromArray(SP, pk, o + L);
            int q = ia + p * da;
            FloatVector s = FloatVector.broadcast(SP, a[q]);
            x00 = v0.fma(s, x00); x01 = v1.fma(s, x01);
            s = FloatVector.broadcast(SP, a[q + ra]);
            x10 = v0.fma(s, x10); x11 = v1.fma(s, x11);
            s = FloatVector.broadcast(SP, a[q + 2 * ra]);
            x20 = v0.fma(s, x20); x21 = v1.fma(s, x21);
            s = FloatVector.broadcast(SP, a[q + 3 * ra]);
            x30 = v0.fma(s, x30); x31 = v1.fma(s, x31);
            s = FloatVector.broadcast(SP, a[q + 4 * ra]);
            x40 = v0.fma(s, x40); x41 = v1.fma(s, x41);
            s = FloatVector.broadcast(SP, a[q + 5 * ra]);
            x50 = v0.fma(s, x50); x51 = v1.fma(s, x51);
            s = FloatVector.broadcast(SP, a[q + 6 * ra]);
            x60 = v0.fma(s, x60); x61 = v1.fma(s, x61);
            s = FloatVector.broadcast(SP, a[q + 7 * ra]);
            x70 = v0.fma(s, x70); x71 = v1.fma(s, x71);
        }
        x00.intoArray(c, c0); x01.intoArray(c, c0 + L);
        x10.intoArray(c, c0 + n); x11.intoArray(c, c0 + n + L);
        x20.intoArray(c, c0 + 2 * n); x21.intoArray(c, c0 + 2 * n + L);
        x30.intoArray(c, c0 + 3 * n); x31.intoArray(c, c0 + 3 * n + L);
        x40.intoArray(c, c0 + 4 * n); x41.intoArray(c, c0 + 4 * n + L);
        x50.intoArray(c, c0 + 5 * n); x51.intoArray(c, c0 + 5 * n + L);
        x60.intoArray(c, c0 + 6 * n); x61.intoArray(c, c0 + 6 * n + L);
        x70.intoArray(c, c0 + 7 * n); x71.intoArray(c, c0 + 7 * n + L);
    }

    /** 4 rows × NR columns: as {@link #tile8}. */
    private static void tile4(float[] c, int cOff, int n, float[] a, int aBase, int i, int m, int k, int transA,
                              float[] pk, int po, int p0, int p1, int acc) {
        int c0 = cOff, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        FloatVector x00, x01, x10, x11, x20, x21, x30, x31;
        if (acc != 0) {
            x00 = FloatVector.fromArray(SP, c, c0); x01 = FloatVector.fromArray(SP, c, c0 + L);
            x10 = FloatVector.fromArray(SP, c, c1); x11 = FloatVector.fromArray(SP, c, c1 + L);
            x20 = FloatVector.fromArray(SP, c, c2); x21 = FloatVector.fromArray(SP, c, c2 + L);
            x30 = FloatVector.fromArray(SP, c, c3); x31 = FloatVector.fromArray(SP, c, c3 + L);
        } else {
            x00 = x01 = x10 = x11 = x20 = x21 = x30 = x31 = FloatVector.zero(SP);
        }
        int ia = transA != 0 ? aBase + i : aBase + i * k, da = transA != 0 ? m : 1, ra = transA != 0 ? 1 : k;
        for (int p = p0; p < p1; p++) {
            int o = po + p * NR;
            FloatVector v0 = FloatVector.fromArray(SP, pk, o), v1 = FloatVector.fromArray(SP, pk, o + L);
            int q = ia + p * da;
            FloatVector s0 = FloatVector.broadcast(SP, a[q]), s1 = FloatVector.broadcast(SP, a[q + ra]);
            FloatVector s2 = FloatVector.broadcast(SP, a[q + 2 * ra]), s3 = FloatVector.broadcast(SP, a[q + 3 * ra]);
            x00 = v0.fma(s0, x00); x01 = v1.fma(s0, x01);
            x10 = v0.fma(s1, x10); x11 = v1.fma(s1, x11);
            x20 = v0.fma(s2, x20); x21 = v1.fma(s2, x21);
            x30 = v0.fma(s3, x30); x31 = v1.fma(s3, x31);
        }
        x00.intoArray(c, c0); x01.intoArray(c, c0 + L);
        x10.intoArray(c, c1); x11.intoArray(c, c1 + L);
        x20.intoArray(c, c2); x21.intoArray(c, c2 + L);
        x30.intoArray(c, c3); x31.intoArray(c, c3 + L);
    }

    /** 1 row × NR columns: as {@link #tile8}. */
    private static void tile1(float[] c, int cOff, float[] a, int aBase, int i, int m, int k, int transA,
                              float[] pk, int po, int p0, int p1, int acc) {
        FloatVector x0 = acc != 0 ? FloatVector.fromArray(SP, c, cOff) : FloatVector.zero(SP);
        FloatVector x1 = acc != 0 ? FloatVector.fromArray(SP, c, cOff + L) : FloatVector.zero(SP);
        int ia = transA != 0 ? aBase + i : aBase + i * k, da = transA != 0 ? m : 1;
        for (int p = p0; p < p1; p++) {
            int o = po + p * NR;
            FloatVector s = FloatVector.broadcast(SP, a[ia + p * da]);
            x0 = FloatVector.fromArray(SP, pk, o).fma(s, x0);
            x1 = FloatVector.fromArray(SP, pk, o + L).fma(s, x1);
        }
        x0.intoArray(c, cOff);
        x1.intoArray(c, cOff + L);
    }

    /** Columns [j0, n) of one row: whole vectors, then one masked vector for the remainder. */
    private static void columns(float[] c, int cOff, float[] a, float[] b, int b0, int b1, int m, int n, int k, int p0, int p1,
                                int i, int transA, int strideA, int strideB, int acc, int j0) {
        for (int j = j0; j < n; j += L) {
            VectorMask<Float> mask = SP.indexInRange(j, n);
            FloatVector x = acc != 0 ? FloatVector.fromArray(SP, c, cOff + j, mask) : FloatVector.zero(SP);
            for (int bb = b0; bb < b1; bb++) {
                int oa = bb * strideA, ob = bb * strideB + j;
                for (int p = p0; p < p1; p++) {
                    float s = transA != 0 ? a[oa + p * m + i] : a[oa + i * k + p];
                    x = FloatVector.fromArray(SP, b, ob + p * n, mask).fma(FloatVector.broadcast(SP, s), x);
                }
            }
            x.intoArray(c, cOff + j, mask);
        }
    }
}
