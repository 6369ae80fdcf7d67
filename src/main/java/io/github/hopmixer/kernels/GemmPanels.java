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
        /** Whether the last {@link #packed} left the panels to the caller's tiles ({@link #tile6Copying}). */
        boolean toTiles;
        /** How many panels this thread's tiles have copied (for tests). */
        long copiedByTiles;
        /** The run ({@link Reuse}) in which this thread last started a product. */
        long call;
    }

    private static final ThreadLocal<Packed> PACKED = ThreadLocal.withInitial(Packed::new);

    /** How many panels this thread's tiles have copied ({@link #tile6Copying}; for tests). */
    static long panelsCopiedByTiles() {
        return PACKED.get().copiedByTiles;
    }

    /**
     * At the start of a product: drops this thread's packed operands unless it packed them in the same run of the
     * same invocation ({@link Reuse}), whose operands have not changed since.
     */
    static void startCall() {
        long call = Reuse.current();
        Packed pk = PACKED.get();
        if (call != 0 && pk.call == call) return;
        forget();
        pk.call = call;
    }

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
     * This thread's packed b for b's K block over columns [j0, j1), reused while the same block is asked for again
     * within one run of the invocation (row blocks of a fused op, the thread's next chunk, {@link Reuse}); when it is not held, its panels are packed now unless
     * {@code byTiles} (the caller's first row tiles copy them, {@link #tile6Copying}): {@code toTiles} then says
     * whether they must. With {@code transB} b is n×k rows (element (p, j) at j·k + p), read row by row into the
     * panels' columns.
     */
    private static Packed packed(float[] b, int base, int n, int k, int p0, int p1, int j0, int j1, int transB,
                                 boolean byTiles) {
        Packed pk = PACKED.get();
        pk.toTiles = false;
        if (pk.src == b && pk.base == base && pk.n == n && pk.k == k && pk.p0 == p0 && pk.p1 == p1 && pk.j0 == j0
                && pk.j1 == j1 && pk.transB == transB) return pk;
        int kc = p1 - p0, panels = (j1 - j0) / NR;
        if (pk.data.length < panels * kc * NR) pk.data = new float[panels * kc * NR];
        float[] d = pk.data;
        if (byTiles) {
            pk.toTiles = true;
            panels = 0;
        }
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
                PanelTransposes.panel(b, base + j * k, k, d, o, p0, p1);
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
            boolean packedA = sharedA || packsA(j1 - j0);
            // A K block of several (k > kc), or an image's own b, is new to this call and comes from memory. With b as
            // k×n rows and one or two panels, the first 6-row tile of each panel copies it, its reads then overlapping
            // that tile's products instead of preceding them: the nano weight gradients 128×512×8192 and 512×128×8192
            // ran 1.02–1.15× and 1.04–1.06× faster on 2 threads. Wider blocks keep the copy loop, which reads b's
            // long rows in one sweep (the 224-px 2048×512×1568, 8 panels, lost 2–8 % copied by tiles).
            boolean byTiles = transB == 0 && panels <= 2 && (kc < k || strideB != 0) && sixes(Math.min(i1, i0 + MC) - i0) > 0;
            Packed packed = packed(b, bb * strideB, n, k, p0, p1, j0, j1, transB, byTiles);
            float[] pk = packed.data;
            boolean copy = packed.toTiles;
            if (copy) packed.copiedByTiles += panels;
            for (int r0 = i0; r0 < i1; r0 += MC, copy = false) {
                int r1 = Math.min(i1, r0 + MC);
                if (packedA) {
                    GemmTiles.rowBlock(c, cBase, n, a, aBase, m, k, transA, pk, panels, j0, r0, r1, p0, p1, acc, sharedA,
                            copy ? b : null, bb * strideB);
                    continue;
                }
                for (int jp = 0; jp < panels; jp++) {
                    int po = jp * kc * NR - p0 * NR, j = j0 + jp * NR, i = r0, t = 0;
                    if (copy) {
                        tile6Copying(c, cBase + i * n + j, n, a, aBase, i, m, k, transA, pk, po, p0, p1, acc, b, bb * strideB + j);
                        t = 1;
                        i += 6;
                    }
                    for (; t < sixes(r1 - r0); t++, i += 6) tile6(c, cBase + i * n + j, n, a, aBase, i, m, k, transA, pk, po, p0, p1, acc);
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

    /**
     * {@link #tile6} reading b from its k×n rows (element (p, j) of the panel at bOff + p·n) and copying each p's NR
     * floats into the panel at po + p·NR for the row tiles after it: the same fused multiply-adds, so the same bits.
     * A packed tile of a ({@link GemmTiles}, p-major by 6) reads as transA with m = 6. A method of its own rather than
     * a flag in tile6: its 24 accumulators cannot go to a shared helper (vectors held in arrays are boxed), and tile6's
     * loop stays free of the stores.
     */
    static void tile6Copying(float[] c, int cOff, int n, float[] a, int aBase, int i, int m, int k, int transA,
                                     float[] pk, int po, int p0, int p1, int acc, float[] b, int bOff) {
        int c0 = cOff, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n, c4 = c3 + n, c5 = c4 + n;
        FloatVector x00 = load(c, c0, acc), x01 = load(c, c0 + L, acc), x02 = load(c, c0 + 2 * L, acc), x03 = load(c, c0 + 3 * L, acc);
        FloatVector x10 = load(c, c1, acc), x11 = load(c, c1 + L, acc), x12 = load(c, c1 + 2 * L, acc), x13 = load(c, c1 + 3 * L, acc);
        FloatVector x20 = load(c, c2, acc), x21 = load(c, c2 + L, acc), x22 = load(c, c2 + 2 * L, acc), x23 = load(c, c2 + 3 * L, acc);
        FloatVector x30 = load(c, c3, acc), x31 = load(c, c3 + L, acc), x32 = load(c, c3 + 2 * L, acc), x33 = load(c, c3 + 3 * L, acc);
        FloatVector x40 = load(c, c4, acc), x41 = load(c, c4 + L, acc), x42 = load(c, c4 + 2 * L, acc), x43 = load(c, c4 + 3 * L, acc);
        FloatVector x50 = load(c, c5, acc), x51 = load(c, c5 + L, acc), x52 = load(c, c5 + 2 * L, acc), x53 = load(c, c5 + 3 * L, acc);
        int ia = transA != 0 ? aBase + i : aBase + i * k, da = transA != 0 ? m : 1, ra = transA != 0 ? 1 : k;
        for (int p = p0; p < p1; p++) {
            int o = po + p * NR, q = ia + p * da, src = bOff + p * n;
            FloatVector v0 = FloatVector.fromArray(SP, b, src), v1 = FloatVector.fromArray(SP, b, src + L);
            FloatVector v2 = FloatVector.fromArray(SP, b, src + 2 * L), v3 = FloatVector.fromArray(SP, b, src + 3 * L);
            v0.intoArray(pk, o); v1.intoArray(pk, o + L); v2.intoArray(pk, o + 2 * L); v3.intoArray(pk, o + 3 * L);
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
