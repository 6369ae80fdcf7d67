package io.github.hopmixer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm}'s register-blocked product over one K block: b packed in panels of NR columns, c in tiles of 6 rows ×
 * 4 vectors (24 accumulators, 4 loads of b and 6 broadcasts of a per 24 fused multiply-adds), reading a in place or,
 * when many panels reuse it, from a packed copy ({@link GemmTiles}). Every element of c
 * sums its products in p order with fused multiply-adds, whatever the tile, panel or block, so results do not depend
 * on the split into threads.
 */
final class GemmPanels {
    private GemmPanels() {}

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length();

    /** Columns of c per packed panel of b: the register tile's width. */
    static final int NR = 4 * L;
    /** Rows of c per pass over the panels: their K block of a (at most MC × 512 floats) stays in L2. */
    private static final int MC = 256;
    /**
     * Panels from which a row block's a is packed first ({@link GemmTiles}): the copy then serves at least 16 panels.
     * The fused 224-px fc1 forward and its GELU backward (1568 × 2048 × 512, 32 panels) ran 7–17 % faster so; at 8
     * panels (1568 × 512 × 2048) the copy cost 6–13 %, and the nano step (n ≤ 512) never packs a.
     */
    private static final int PACK_A_PANELS = 16;

    /** One K block of b, [p0, p1) × the whole panels of NR columns from j0 on, each panel contiguous (p-major): one per thread. */
    private static final class Packed {
        float[] data = new float[0];
        float[] src;
        int base, n, k, p0, p1, j0, j1, transB;
    }

    private static final ThreadLocal<Packed> PACKED = ThreadLocal.withInitial(Packed::new);

    /** Drops this thread's packed b: called wherever b's contents may have changed since it was packed. */
    static void forget() {
        PACKED.get().src = null;
        GemmTiles.forget();
    }

    /** Whether a product over this many columns reads a from a packed copy ({@link #PACK_A_PANELS}). */
    static boolean packsA(int columns) {
        return columns / NR >= PACK_A_PANELS;
    }

    /** Whether a transposed b (n×k rows) can be packed as it is: n is a whole number of panels, no column tail. */
    static boolean packsTransposed(int n) {
        return n % NR == 0;
    }

    /**
     * b's K block over columns [j0, j1) packed, reused while the same block is asked for again within one call (row
     * blocks of a fused op). With {@code transB} b is n×k rows (element (p, j) at j·k + p), read row by row into the
     * panels' columns.
     */
    private static Packed packed(float[] b, int base, int n, int k, int p0, int p1, int j0, int j1, int transB) {
        Packed pk = PACKED.get();
        if (pk.src == b && pk.base == base && pk.n == n && pk.k == k && pk.p0 == p0 && pk.p1 == p1 && pk.j0 == j0
                && pk.j1 == j1 && pk.transB == transB) return pk;
        int kc = p1 - p0, panels = (j1 - j0) / NR;
        if (pk.data.length < panels * kc * NR) pk.data = new float[panels * kc * NR];
        float[] d = pk.data;
        for (int jp = 0; jp < panels; jp++) {
            int o = jp * kc * NR - p0 * NR, j = j0 + jp * NR;
            if (transB == 0) {
                // Vector moves, not System.arraycopy: its call per NR-float row was 5–10 % of the column-split weight
                // gradient 128×512×8192, whose packing is not hidden behind many rows.
                for (int p = p0; p < p1; p++) {
                    int src = base + p * n + j, dst = o + p * NR;
                    FloatVector.fromArray(SP, b, src).intoArray(d, dst);
                    FloatVector.fromArray(SP, b, src + L).intoArray(d, dst + L);
                    FloatVector.fromArray(SP, b, src + 2 * L).intoArray(d, dst + 2 * L);
                    FloatVector.fromArray(SP, b, src + 3 * L).intoArray(d, dst + 3 * L);
                }
            } else {
                // L × L blocks transposed in registers; the scalar copy (a strided store per float) cost more than the
                // products in the token weight gradient, where every thread packs each image's 64×128 b.
                int pv = p0 + (p1 - p0) / L * L;
                for (int jj = 0; jj < NR; jj += L) transposeBlocks(b, base + (j + jj) * k, k, d, o + jj, p0, pv);
                for (int jj = 0; jj < NR; jj++) {
                    int src = base + (j + jj) * k;
                    for (int p = pv; p < p1; p++) d[o + p * NR + jj] = b[src + p];
                }
            }
        }
        pk.src = b;
        pk.base = base;
        pk.n = n;
        pk.k = k;
        pk.p0 = p0;
        pk.p1 = p1;
        pk.j0 = j0;
        pk.j1 = j1;
        pk.transB = transB;
        return pk;
    }

    /**
     * Lane indices for {@link #transposeBlocks}: stage t swaps bit d = L/2^(t+1) of the row with bit d of the lane.
     * [2t] makes row r (bit d clear) from rows r and r + d, [2t + 1] makes row r + d.
     */
    private static final FloatVector[] SWAPS = swaps();

    private static FloatVector[] swaps() {
        int stages = Integer.numberOfTrailingZeros(L);
        FloatVector[] s = new FloatVector[2 * stages];
        for (int t = 0; t < stages; t++) {
            int d = L >> (t + 1);
            float[] lo = new float[L], hi = new float[L];
            for (int l = 0; l < L; l++) {
                lo[l] = (l & d) == 0 ? l : L + l - d;
                hi[l] = (l & d) == 0 ? l + d : L + l;
            }
            s[2 * t] = FloatVector.fromArray(SP, lo, 0);
            s[2 * t + 1] = FloatVector.fromArray(SP, hi, 0);
        }
        return s;
    }

    /**
     * d[dst + p·NR + r] = b[src + r·k + p] for r in [0, L), p in [p0, p1) with p1 − p0 a multiple of L: each L × L
     * block is loaded as L rows and transposed by log2(L) stages of two-vector lane selections. Written out for
     * L = 16 (AVX-512): vectors held in an array are boxed and ran 4× slower than the scalar copy. Other widths copy
     * element by element.
     */
    private static void transposeBlocks(float[] b, int src, int k, float[] d, int dst, int p0, int p1) {
        if (L != 16) {
            for (int r = 0; r < L; r++)
                for (int p = p0; p < p1; p++) d[dst + p * NR + r] = b[src + r * k + p];
            return;
        }
        FloatVector s0a = SWAPS[0], s0b = SWAPS[1];
        FloatVector s1a = SWAPS[2], s1b = SWAPS[3];
        FloatVector s2a = SWAPS[4], s2b = SWAPS[5];
        FloatVector s3a = SWAPS[6], s3b = SWAPS[7];
        for (int p = p0; p < p1; p += 16) {
            int o = src + p;
            FloatVector v0 = FloatVector.fromArray(SP, b, o);
            FloatVector v1 = FloatVector.fromArray(SP, b, o + 1 * k);
            FloatVector v2 = FloatVector.fromArray(SP, b, o + 2 * k);
            FloatVector v3 = FloatVector.fromArray(SP, b, o + 3 * k);
            FloatVector v4 = FloatVector.fromArray(SP, b, o + 4 * k);
            FloatVector v5 = FloatVector.fromArray(SP, b, o + 5 * k);
            FloatVector v6 = FloatVector.fromArray(SP, b, o + 6 * k);
            FloatVector v7 = FloatVector.fromArray(SP, b, o + 7 * k);
            FloatVector v8 = FloatVector.fromArray(SP, b, o + 8 * k);
            FloatVector v9 = FloatVector.fromArray(SP, b, o + 9 * k);
            FloatVector v10 = FloatVector.fromArray(SP, b, o + 10 * k);
            FloatVector v11 = FloatVector.fromArray(SP, b, o + 11 * k);
            FloatVector v12 = FloatVector.fromArray(SP, b, o + 12 * k);
            FloatVector v13 = FloatVector.fromArray(SP, b, o + 13 * k);
            FloatVector v14 = FloatVector.fromArray(SP, b, o + 14 * k);
            FloatVector v15 = FloatVector.fromArray(SP, b, o + 15 * k);
            FloatVector w0_0 = s0a.selectFrom(v0, v8), w0_8 = s0b.selectFrom(v0, v8);
            FloatVector w0_1 = s0a.selectFrom(v1, v9), w0_9 = s0b.selectFrom(v1, v9);
            FloatVector w0_2 = s0a.selectFrom(v2, v10), w0_10 = s0b.selectFrom(v2, v10);
            FloatVector w0_3 = s0a.selectFrom(v3, v11), w0_11 = s0b.selectFrom(v3, v11);
            FloatVector w0_4 = s0a.selectFrom(v4, v12), w0_12 = s0b.selectFrom(v4, v12);
            FloatVector w0_5 = s0a.selectFrom(v5, v13), w0_13 = s0b.selectFrom(v5, v13);
            FloatVector w0_6 = s0a.selectFrom(v6, v14), w0_14 = s0b.selectFrom(v6, v14);
            FloatVector w0_7 = s0a.selectFrom(v7, v15), w0_15 = s0b.selectFrom(v7, v15);
            FloatVector w1_0 = s1a.selectFrom(w0_0, w0_4), w1_4 = s1b.selectFrom(w0_0, w0_4);
            FloatVector w1_1 = s1a.selectFrom(w0_1, w0_5), w1_5 = s1b.selectFrom(w0_1, w0_5);
            FloatVector w1_2 = s1a.selectFrom(w0_2, w0_6), w1_6 = s1b.selectFrom(w0_2, w0_6);
            FloatVector w1_3 = s1a.selectFrom(w0_3, w0_7), w1_7 = s1b.selectFrom(w0_3, w0_7);
            FloatVector w1_8 = s1a.selectFrom(w0_8, w0_12), w1_12 = s1b.selectFrom(w0_8, w0_12);
            FloatVector w1_9 = s1a.selectFrom(w0_9, w0_13), w1_13 = s1b.selectFrom(w0_9, w0_13);
            FloatVector w1_10 = s1a.selectFrom(w0_10, w0_14), w1_14 = s1b.selectFrom(w0_10, w0_14);
            FloatVector w1_11 = s1a.selectFrom(w0_11, w0_15), w1_15 = s1b.selectFrom(w0_11, w0_15);
            FloatVector w2_0 = s2a.selectFrom(w1_0, w1_2), w2_2 = s2b.selectFrom(w1_0, w1_2);
            FloatVector w2_1 = s2a.selectFrom(w1_1, w1_3), w2_3 = s2b.selectFrom(w1_1, w1_3);
            FloatVector w2_4 = s2a.selectFrom(w1_4, w1_6), w2_6 = s2b.selectFrom(w1_4, w1_6);
            FloatVector w2_5 = s2a.selectFrom(w1_5, w1_7), w2_7 = s2b.selectFrom(w1_5, w1_7);
            FloatVector w2_8 = s2a.selectFrom(w1_8, w1_10), w2_10 = s2b.selectFrom(w1_8, w1_10);
            FloatVector w2_9 = s2a.selectFrom(w1_9, w1_11), w2_11 = s2b.selectFrom(w1_9, w1_11);
            FloatVector w2_12 = s2a.selectFrom(w1_12, w1_14), w2_14 = s2b.selectFrom(w1_12, w1_14);
            FloatVector w2_13 = s2a.selectFrom(w1_13, w1_15), w2_15 = s2b.selectFrom(w1_13, w1_15);
            FloatVector w3_0 = s3a.selectFrom(w2_0, w2_1), w3_1 = s3b.selectFrom(w2_0, w2_1);
            FloatVector w3_2 = s3a.selectFrom(w2_2, w2_3), w3_3 = s3b.selectFrom(w2_2, w2_3);
            FloatVector w3_4 = s3a.selectFrom(w2_4, w2_5), w3_5 = s3b.selectFrom(w2_4, w2_5);
            FloatVector w3_6 = s3a.selectFrom(w2_6, w2_7), w3_7 = s3b.selectFrom(w2_6, w2_7);
            FloatVector w3_8 = s3a.selectFrom(w2_8, w2_9), w3_9 = s3b.selectFrom(w2_8, w2_9);
            FloatVector w3_10 = s3a.selectFrom(w2_10, w2_11), w3_11 = s3b.selectFrom(w2_10, w2_11);
            FloatVector w3_12 = s3a.selectFrom(w2_12, w2_13), w3_13 = s3b.selectFrom(w2_12, w2_13);
            FloatVector w3_14 = s3a.selectFrom(w2_14, w2_15), w3_15 = s3b.selectFrom(w2_14, w2_15);
            w3_0.intoArray(d, dst + (p + 0) * NR);
            w3_1.intoArray(d, dst + (p + 1) * NR);
            w3_2.intoArray(d, dst + (p + 2) * NR);
            w3_3.intoArray(d, dst + (p + 3) * NR);
            w3_4.intoArray(d, dst + (p + 4) * NR);
            w3_5.intoArray(d, dst + (p + 5) * NR);
            w3_6.intoArray(d, dst + (p + 6) * NR);
            w3_7.intoArray(d, dst + (p + 7) * NR);
            w3_8.intoArray(d, dst + (p + 8) * NR);
            w3_9.intoArray(d, dst + (p + 9) * NR);
            w3_10.intoArray(d, dst + (p + 10) * NR);
            w3_11.intoArray(d, dst + (p + 11) * NR);
            w3_12.intoArray(d, dst + (p + 12) * NR);
            w3_13.intoArray(d, dst + (p + 13) * NR);
            w3_14.intoArray(d, dst + (p + 14) * NR);
            w3_15.intoArray(d, dst + (p + 15) * NR);
        }
    }

    /**
     * Rows [i0, i1) of image bb over one K block. For each block of MC rows, each panel of b (kc × NR floats) serves
     * every row tile of the block before the next panel is read: b is read once per row block, contiguously, instead
     * of once per row tile at a stride of n floats. Columns past the last whole panel go through {@link #columns}.
     */
    static void rows(float[] c, int cBase, float[] a, float[] b, int bb, int m, int n, int k, int transA, int transB,
                     int strideA, int strideB, int acc, int i0, int i1, int p0, int p1, boolean sharedA) {
        rows(c, cBase, a, b, bb, m, n, k, transA, transB, strideA, strideB, acc, i0, i1, p0, p1, 0, n, sharedA);
    }

    /**
     * As above for columns [j0, j1) of c only (a column split: each thread packs only its own columns of b). With
     * {@code sharedA} (one a for several images: the token products' weight) each row range and K block of a is packed
     * once per call, whatever the number of panels: the 224-px token products ran 1.05–1.16× faster on one thread
     * (measured here, both builds in one JVM) than reading it in place.
     */
    static void rows(float[] c, int cBase, float[] a, float[] b, int bb, int m, int n, int k, int transA, int transB,
                     int strideA, int strideB, int acc, int i0, int i1, int p0, int p1, int j0, int j1, boolean sharedA) {
        int panels = (j1 - j0) / NR, kc = p1 - p0, aBase = bb * strideA;
        if (transB != 0 && panels * NR != j1 - j0) {
            throw new IllegalArgumentException("a transposed b needs whole panels: columns " + j0 + ".." + j1);
        }
        if (panels > 0) {
            float[] pk = packed(b, bb * strideB, n, k, p0, p1, j0, j1, transB).data;
            for (int r0 = i0; r0 < i1; r0 += MC) {
                int r1 = Math.min(i1, r0 + MC);
                if (sharedA || packsA(j1 - j0)) {
                    GemmTiles.rowBlock(c, cBase, n, a, aBase, m, k, transA, pk, panels, j0, r0, r1, p0, p1, acc, sharedA);
                    continue;
                }
                for (int jp = 0; jp < panels; jp++) {
                    int po = jp * kc * NR - p0 * NR, j = j0 + jp * NR, i = r0;
                    for (int t = 0; t < sixes(r1 - r0); t++, i += 6) tile6(c, cBase + i * n + j, n, a, aBase, i, m, k, transA, pk, po, p0, p1, acc);
                    for (; i + 4 <= r1; i += 4) tile4(c, cBase + i * n + j, n, a, aBase, i, m, k, transA, pk, po, p0, p1, acc);
                    for (; i < r1; i++) tile1(c, cBase + i * n + j, n, a, aBase, i, m, k, transA, pk, po, p0, p1, acc);
                }
            }
        }
        if (j0 + panels * NR < j1) {
            for (int i = i0; i < i1; i++) {
                columns(c, cBase + i * n, a, aBase, b, bb * strideB, m, n, k, p0, p1, i, transA, acc, j0 + panels * NR, j1);
            }
        }
    }

    /**
     * How many 6-row tiles a block of rows takes: 4-row tiles take the place of one where sixes would leave 2 or 3
     * rows to the slow single-row tile (a fused op's block of 32 rows: 4 × 6 + 2 × 4, not 5 × 6 + 2 × 1).
     */
    static int sixes(int rows) {
        int sixes = rows / 6, rest = rows % 6;
        return (rest == 2 || rest == 3) && sixes > 0 ? sixes - 1 : sixes;
    }

    private static FloatVector load(float[] c, int o, int acc) {
        return acc != 0 ? FloatVector.fromArray(SP, c, o) : FloatVector.zero(SP);
    }

    /** 6 rows × NR of c at cOff (rows n apart), from the panel at po (element p at po + p·NR): 24 accumulators. */
    private static void tile6(float[] c, int cOff, int n, float[] a, int aBase, int i, int m, int k, int transA,
                              float[] pk, int po, int p0, int p1, int acc) {
        int c0 = cOff, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n, c4 = c3 + n, c5 = c4 + n;
        FloatVector x00 = load(c, c0, acc), x01 = load(c, c0 + L, acc), x02 = load(c, c0 + 2 * L, acc), x03 = load(c, c0 + 3 * L, acc);
        FloatVector x10 = load(c, c1, acc), x11 = load(c, c1 + L, acc), x12 = load(c, c1 + 2 * L, acc), x13 = load(c, c1 + 3 * L, acc);
        FloatVector x20 = load(c, c2, acc), x21 = load(c, c2 + L, acc), x22 = load(c, c2 + 2 * L, acc), x23 = load(c, c2 + 3 * L, acc);
        FloatVector x30 = load(c, c3, acc), x31 = load(c, c3 + L, acc), x32 = load(c, c3 + 2 * L, acc), x33 = load(c, c3 + 3 * L, acc);
        FloatVector x40 = load(c, c4, acc), x41 = load(c, c4 + L, acc), x42 = load(c, c4 + 2 * L, acc), x43 = load(c, c4 + 3 * L, acc);
        FloatVector x50 = load(c, c5, acc), x51 = load(c, c5 + L, acc), x52 = load(c, c5 + 2 * L, acc), x53 = load(c, c5 + 3 * L, acc);
        int ia = transA != 0 ? aBase + i : aBase + i * k, da = transA != 0 ? m : 1, ra = transA != 0 ? 1 : k;
        for (int p = p0; p < p1; p++) {
            int o = po + p * NR, q = ia + p * da;
            FloatVector v0 = FloatVector.fromArray(SP, pk, o), v1 = FloatVector.fromArray(SP, pk, o + L);
            FloatVector v2 = FloatVector.fromArray(SP, pk, o + 2 * L), v3 = FloatVector.fromArray(SP, pk, o + 3 * L);
            FloatVector s0 = FloatVector.broadcast(SP, a[q]);
            x00 = v0.fma(s0, x00); x01 = v1.fma(s0, x01); x02 = v2.fma(s0, x02); x03 = v3.fma(s0, x03);
            FloatVector s1 = FloatVector.broadcast(SP, a[q + ra]);
            x10 = v0.fma(s1, x10); x11 = v1.fma(s1, x11); x12 = v2.fma(s1, x12); x13 = v3.fma(s1, x13);
            FloatVector s2 = FloatVector.broadcast(SP, a[q + 2 * ra]);
            x20 = v0.fma(s2, x20); x21 = v1.fma(s2, x21); x22 = v2.fma(s2, x22); x23 = v3.fma(s2, x23);
            FloatVector s3 = FloatVector.broadcast(SP, a[q + 3 * ra]);
            x30 = v0.fma(s3, x30); x31 = v1.fma(s3, x31); x32 = v2.fma(s3, x32); x33 = v3.fma(s3, x33);
            FloatVector s4 = FloatVector.broadcast(SP, a[q + 4 * ra]);
            x40 = v0.fma(s4, x40); x41 = v1.fma(s4, x41); x42 = v2.fma(s4, x42); x43 = v3.fma(s4, x43);
            FloatVector s5 = FloatVector.broadcast(SP, a[q + 5 * ra]);
            x50 = v0.fma(s5, x50); x51 = v1.fma(s5, x51); x52 = v2.fma(s5, x52); x53 = v3.fma(s5, x53);
        }
        x00.intoArray(c, c0); x01.intoArray(c, c0 + L); x02.intoArray(c, c0 + 2 * L); x03.intoArray(c, c0 + 3 * L);
        x10.intoArray(c, c1); x11.intoArray(c, c1 + L); x12.intoArray(c, c1 + 2 * L); x13.intoArray(c, c1 + 3 * L);
        x20.intoArray(c, c2); x21.intoArray(c, c2 + L); x22.intoArray(c, c2 + 2 * L); x23.intoArray(c, c2 + 3 * L);
        x30.intoArray(c, c3); x31.intoArray(c, c3 + L); x32.intoArray(c, c3 + 2 * L); x33.intoArray(c, c3 + 3 * L);
        x40.intoArray(c, c4); x41.intoArray(c, c4 + L); x42.intoArray(c, c4 + 2 * L); x43.intoArray(c, c4 + 3 * L);
        x50.intoArray(c, c5); x51.intoArray(c, c5 + L); x52.intoArray(c, c5 + 2 * L); x53.intoArray(c, c5 + 3 * L);
    }

    /** 4 rows × NR: as {@link #tile6}, for the rows a block of 6 leaves. */
    private static void tile4(float[] c, int cOff, int n, float[] a, int aBase, int i, int m, int k, int transA,
                              float[] pk, int po, int p0, int p1, int acc) {
        int c0 = cOff, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        FloatVector x00 = load(c, c0, acc), x01 = load(c, c0 + L, acc), x02 = load(c, c0 + 2 * L, acc), x03 = load(c, c0 + 3 * L, acc);
        FloatVector x10 = load(c, c1, acc), x11 = load(c, c1 + L, acc), x12 = load(c, c1 + 2 * L, acc), x13 = load(c, c1 + 3 * L, acc);
        FloatVector x20 = load(c, c2, acc), x21 = load(c, c2 + L, acc), x22 = load(c, c2 + 2 * L, acc), x23 = load(c, c2 + 3 * L, acc);
        FloatVector x30 = load(c, c3, acc), x31 = load(c, c3 + L, acc), x32 = load(c, c3 + 2 * L, acc), x33 = load(c, c3 + 3 * L, acc);
        int ia = transA != 0 ? aBase + i : aBase + i * k, da = transA != 0 ? m : 1, ra = transA != 0 ? 1 : k;
        for (int p = p0; p < p1; p++) {
            int o = po + p * NR, q = ia + p * da;
            FloatVector v0 = FloatVector.fromArray(SP, pk, o), v1 = FloatVector.fromArray(SP, pk, o + L);
            FloatVector v2 = FloatVector.fromArray(SP, pk, o + 2 * L), v3 = FloatVector.fromArray(SP, pk, o + 3 * L);
            FloatVector s0 = FloatVector.broadcast(SP, a[q]);
            x00 = v0.fma(s0, x00); x01 = v1.fma(s0, x01); x02 = v2.fma(s0, x02); x03 = v3.fma(s0, x03);
            FloatVector s1 = FloatVector.broadcast(SP, a[q + ra]);
            x10 = v0.fma(s1, x10); x11 = v1.fma(s1, x11); x12 = v2.fma(s1, x12); x13 = v3.fma(s1, x13);
            FloatVector s2 = FloatVector.broadcast(SP, a[q + 2 * ra]);
            x20 = v0.fma(s2, x20); x21 = v1.fma(s2, x21); x22 = v2.fma(s2, x22); x23 = v3.fma(s2, x23);
            FloatVector s3 = FloatVector.broadcast(SP, a[q + 3 * ra]);
            x30 = v0.fma(s3, x30); x31 = v1.fma(s3, x31); x32 = v2.fma(s3, x32); x33 = v3.fma(s3, x33);
        }
        x00.intoArray(c, c0); x01.intoArray(c, c0 + L); x02.intoArray(c, c0 + 2 * L); x03.intoArray(c, c0 + 3 * L);
        x10.intoArray(c, c1); x11.intoArray(c, c1 + L); x12.intoArray(c, c1 + 2 * L); x13.intoArray(c, c1 + 3 * L);
        x20.intoArray(c, c2); x21.intoArray(c, c2 + L); x22.intoArray(c, c2 + 2 * L); x23.intoArray(c, c2 + 3 * L);
        x30.intoArray(c, c3); x31.intoArray(c, c3 + L); x32.intoArray(c, c3 + 2 * L); x33.intoArray(c, c3 + 3 * L);
    }

    /** 1 row × NR: as {@link #tile6}. */
    private static void tile1(float[] c, int cOff, int n, float[] a, int aBase, int i, int m, int k, int transA,
                              float[] pk, int po, int p0, int p1, int acc) {
        int c0 = cOff;
        FloatVector x00 = load(c, c0, acc), x01 = load(c, c0 + L, acc), x02 = load(c, c0 + 2 * L, acc), x03 = load(c, c0 + 3 * L, acc);
        int ia = transA != 0 ? aBase + i : aBase + i * k, da = transA != 0 ? m : 1, ra = transA != 0 ? 1 : k;
        for (int p = p0; p < p1; p++) {
            int o = po + p * NR, q = ia + p * da;
            FloatVector v0 = FloatVector.fromArray(SP, pk, o), v1 = FloatVector.fromArray(SP, pk, o + L);
            FloatVector v2 = FloatVector.fromArray(SP, pk, o + 2 * L), v3 = FloatVector.fromArray(SP, pk, o + 3 * L);
            FloatVector s0 = FloatVector.broadcast(SP, a[q]);
            x00 = v0.fma(s0, x00); x01 = v1.fma(s0, x01); x02 = v2.fma(s0, x02); x03 = v3.fma(s0, x03);
        }
        x00.intoArray(c, c0); x01.intoArray(c, c0 + L); x02.intoArray(c, c0 + 2 * L); x03.intoArray(c, c0 + 3 * L);
    }

    /** Columns [j0, j1) of one row (those past the last whole panel), one masked vector at a time. */
    private static void columns(float[] c, int cOff, float[] a, int aBase, float[] b, int bBase, int m, int n, int k, int p0,
                                int p1, int i, int transA, int acc, int j0, int j1) {
        for (int j = j0; j < j1; j += L) {
            VectorMask<Float> mask = SP.indexInRange(j, j1);
            FloatVector x = acc != 0 ? FloatVector.fromArray(SP, c, cOff + j, mask) : FloatVector.zero(SP);
            for (int p = p0; p < p1; p++) {
                float s = transA != 0 ? a[aBase + p * m + i] : a[aBase + i * k + p];
                x = FloatVector.fromArray(SP, b, bBase + j + p * n, mask).fma(FloatVector.broadcast(SP, s), x);
            }
            x.intoArray(c, cOff + j, mask);
        }
    }
}
