package io.github.hopmixer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmPanels}' register tiles over a packed block of a: each tile's rows are contiguous, p-major (element (p, r)
 * of an R-row tile at p·R + r), so the broadcasts of one p sit side by side in one stream, and every index is the loop
 * variable times a constant (C2 then hoists the bounds checks out of the loop).
 */
final class GemmTiles {
    private GemmTiles() {}

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length();
    private static final int NR = 4 * L;

    /** Per-thread packed block of a. */
    private static final ThreadLocal<float[][]> PACKED_A = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /** One packed block of a shared by every image of a call (a weight on the left), with what it was packed from. */
    private static final class Kept {
        float[] data = new float[0];
        float[] src;
        int base, m, k, transA, r0, r1, p0, p1;
    }

    /** This thread's kept blocks; the first {@code count} are valid until {@link #forget}. */
    private static final class KeptBlocks {
        final java.util.ArrayList<Kept> blocks = new java.util.ArrayList<>();
        int count;
    }

    private static final ThreadLocal<KeptBlocks> KEPT = ThreadLocal.withInitial(KeptBlocks::new);

    /** How many blocks of a this thread keeps now (for tests). */
    static int keptBlocks() {
        return KEPT.get().count;
    }

    /** Drops this thread's kept blocks of a: called when a product starts in a new run (a may have changed). */
    static void forget() {
        KeptBlocks kb = KEPT.get();
        for (int i = 0; i < kb.count; i++) kb.blocks.get(i).src = null;
        kb.count = 0;
    }

    /**
     * Rows [r0, r1) × [p0, p1) of a shared a packed as {@link #pack} packs them, once per run of the invocation (every
     * chunk a thread takes of it, {@link Reuse}): the token products' weight serves every image. The callers cut every
     * image at the same rows, and the device's chunks are whole images, so a run keeps about one copy of a per K block;
     * the arrays stay with the thread for the next run.
     */
    private static float[] kept(float[] a, int aBase, int m, int k, int transA, int r0, int r1, int p0, int p1) {
        KeptBlocks kb = KEPT.get();
        for (int i = 0; i < kb.count; i++) {
            Kept e = kb.blocks.get(i);
            if (e.src == a && e.base == aBase && e.m == m && e.k == k && e.transA == transA && e.r0 == r0 && e.r1 == r1
                    && e.p0 == p0 && e.p1 == p1) return e.data;
        }
        if (kb.count == kb.blocks.size()) kb.blocks.add(new Kept());
        Kept e = kb.blocks.get(kb.count++);
        int size = (r1 - r0) * (p1 - p0);
        if (e.data.length < size) e.data = new float[size];
        packInto(e.data, a, aBase, m, k, transA, r0, r1, p0, p1);
        e.src = a;
        e.base = aBase;
        e.m = m;
        e.k = k;
        e.transA = transA;
        e.r0 = r0;
        e.r1 = r1;
        e.p0 = p0;
        e.p1 = p1;
        return e.data;
    }

    /**
     * Rows [r0, r1) × [p0, p1) of a packed tile by tile, the tiles cut as {@link GemmPanels#rows} cuts them (sixes, then
     * fours, then single rows): the tile at row r0 + t starts at t·(p1 − p0).
     */
    private static float[] pack(float[] a, int aBase, int m, int k, int transA, int r0, int r1, int p0, int p1) {
        int kc = p1 - p0, size = (r1 - r0) * kc;
        float[][] holder = PACKED_A.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return packInto(holder[0], a, aBase, m, k, transA, r0, r1, p0, p1);
    }

    private static float[] packInto(float[] d, float[] a, int aBase, int m, int k, int transA, int r0, int r1, int p0, int p1) {
        int kc = p1 - p0, i = r0, six = GemmPanels.sixes(r1 - r0);
        for (int t = 0; t < six; t++, i += 6) packTile(d, (i - r0) * kc, 6, a, aBase, m, k, transA, i, p0, p1);
        for (; i + 4 <= r1; i += 4) packTile(d, (i - r0) * kc, 4, a, aBase, m, k, transA, i, p0, p1);
        for (; i < r1; i++) packTile(d, (i - r0) * kc, 1, a, aBase, m, k, transA, i, p0, p1);
        return d;
    }

    private static void packTile(float[] d, int o, int rows, float[] a, int aBase, int m, int k, int transA, int i, int p0, int p1) {
        if (transA != 0) {
            for (int p = p0, q = o; p < p1; p++, q += rows) {
                int src = aBase + p * m + i;
                for (int r = 0; r < rows; r++) d[q + r] = a[src + r];
            }
        } else {
            for (int r = 0; r < rows; r++) {
                int src = aBase + (i + r) * k;
                for (int p = p0, q = o + r; p < p1; p++, q += rows) d[q] = a[src + p];
            }
        }
    }

    /**
     * Rows [r0, r1) of c over one K block [p0, p1) and the given panels of b (panel jp at jp·kc·NR, columns j0 + jp·NR),
     * a packed once for all of them; with {@code keep} (a shared by every image of the call) once for the whole call.
     * With {@code copyFrom} the panels are not packed yet: the first 6-row tile of each copies its panel from b's k×n
     * rows at bBase ({@link GemmPanels#tile6Copying}).
     */
    static void rowBlock(float[] c, int cBase, int n, float[] a, int aBase, int m, int k, int transA, float[] pk,
                         int panels, int j0, int r0, int r1, int p0, int p1, int acc, boolean keep, float[] copyFrom, int bBase) {
        int kc = p1 - p0;
        float[] ap = keep ? kept(a, aBase, m, k, transA, r0, r1, p0, p1) : pack(a, aBase, m, k, transA, r0, r1, p0, p1);
        for (int jp = 0; jp < panels; jp++) {
            int po = jp * kc * NR, j = j0 + jp * NR, i = r0, t = 0;
            if (copyFrom != null) {
                GemmPanels.tile6Copying(c, cBase + i * n + j, n, ap, -p0 * 6, 0, 6, 0, 1, pk, po - p0 * NR, p0, p1, acc, copyFrom, bBase + j);
                t = 1;
                i += 6;
            }
            for (; t < GemmPanels.sixes(r1 - r0); t++, i += 6) tile6(c, cBase + i * n + j, n, ap, (i - r0) * kc, pk, po, kc, acc);
            for (; i + 4 <= r1; i += 4) tile4(c, cBase + i * n + j, n, ap, (i - r0) * kc, pk, po, kc, acc);
            for (; i < r1; i++) tile1(c, cBase + i * n + j, ap, (i - r0) * kc, pk, po, kc, acc);
        }
    }

    private static FloatVector load(float[] c, int o, int acc) {
        return acc != 0 ? FloatVector.fromArray(SP, c, o) : FloatVector.zero(SP);
    }

    /** 6 rows × NR of c at cOff (rows n apart): packed a at ao, the panel at po (element p at po + p·NR), p in [0, kc). */
    private static void tile6(float[] c, int cOff, int n, float[] ap, int ao, float[] pk, int po, int kc, int acc) {
        int c0 = cOff, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n, c4 = c3 + n, c5 = c4 + n;
        FloatVector x00 = load(c, c0, acc), x01 = load(c, c0 + L, acc), x02 = load(c, c0 + 2 * L, acc), x03 = load(c, c0 + 3 * L, acc);
        FloatVector x10 = load(c, c1, acc), x11 = load(c, c1 + L, acc), x12 = load(c, c1 + 2 * L, acc), x13 = load(c, c1 + 3 * L, acc);
        FloatVector x20 = load(c, c2, acc), x21 = load(c, c2 + L, acc), x22 = load(c, c2 + 2 * L, acc), x23 = load(c, c2 + 3 * L, acc);
        FloatVector x30 = load(c, c3, acc), x31 = load(c, c3 + L, acc), x32 = load(c, c3 + 2 * L, acc), x33 = load(c, c3 + 3 * L, acc);
        FloatVector x40 = load(c, c4, acc), x41 = load(c, c4 + L, acc), x42 = load(c, c4 + 2 * L, acc), x43 = load(c, c4 + 3 * L, acc);
        FloatVector x50 = load(c, c5, acc), x51 = load(c, c5 + L, acc), x52 = load(c, c5 + 2 * L, acc), x53 = load(c, c5 + 3 * L, acc);
        for (int p = 0; p < kc; p++) {
            int o = po + p * NR, q = ao + p * 6;
            FloatVector v0 = FloatVector.fromArray(SP, pk, o), v1 = FloatVector.fromArray(SP, pk, o + L);
            FloatVector v2 = FloatVector.fromArray(SP, pk, o + 2 * L), v3 = FloatVector.fromArray(SP, pk, o + 3 * L);
            FloatVector s0 = FloatVector.broadcast(SP, ap[q]);
            x00 = v0.fma(s0, x00); x01 = v1.fma(s0, x01); x02 = v2.fma(s0, x02); x03 = v3.fma(s0, x03);
            FloatVector s1 = FloatVector.broadcast(SP, ap[q + 1]);
            x10 = v0.fma(s1, x10); x11 = v1.fma(s1, x11); x12 = v2.fma(s1, x12); x13 = v3.fma(s1, x13);
            FloatVector s2 = FloatVector.broadcast(SP, ap[q + 2]);
            x20 = v0.fma(s2, x20); x21 = v1.fma(s2, x21); x22 = v2.fma(s2, x22); x23 = v3.fma(s2, x23);
            FloatVector s3 = FloatVector.broadcast(SP, ap[q + 3]);
            x30 = v0.fma(s3, x30); x31 = v1.fma(s3, x31); x32 = v2.fma(s3, x32); x33 = v3.fma(s3, x33);
            FloatVector s4 = FloatVector.broadcast(SP, ap[q + 4]);
            x40 = v0.fma(s4, x40); x41 = v1.fma(s4, x41); x42 = v2.fma(s4, x42); x43 = v3.fma(s4, x43);
            FloatVector s5 = FloatVector.broadcast(SP, ap[q + 5]);
            x50 = v0.fma(s5, x50); x51 = v1.fma(s5, x51); x52 = v2.fma(s5, x52); x53 = v3.fma(s5, x53);
        }
        x00.intoArray(c, c0); x01.intoArray(c, c0 + L); x02.intoArray(c, c0 + 2 * L); x03.intoArray(c, c0 + 3 * L);
        x10.intoArray(c, c1); x11.intoArray(c, c1 + L); x12.intoArray(c, c1 + 2 * L); x13.intoArray(c, c1 + 3 * L);
        x20.intoArray(c, c2); x21.intoArray(c, c2 + L); x22.intoArray(c, c2 + 2 * L); x23.intoArray(c, c2 + 3 * L);
        x30.intoArray(c, c3); x31.intoArray(c, c3 + L); x32.intoArray(c, c3 + 2 * L); x33.intoArray(c, c3 + 3 * L);
        x40.intoArray(c, c4); x41.intoArray(c, c4 + L); x42.intoArray(c, c4 + 2 * L); x43.intoArray(c, c4 + 3 * L);
        x50.intoArray(c, c5); x51.intoArray(c, c5 + L); x52.intoArray(c, c5 + 2 * L); x53.intoArray(c, c5 + 3 * L);
    }

    /** 4 rows × NR: as {@link #tile6}. */
    private static void tile4(float[] c, int cOff, int n, float[] ap, int ao, float[] pk, int po, int kc, int acc) {
        int c0 = cOff, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        FloatVector x00 = load(c, c0, acc), x01 = load(c, c0 + L, acc), x02 = load(c, c0 + 2 * L, acc), x03 = load(c, c0 + 3 * L, acc);
        FloatVector x10 = load(c, c1, acc), x11 = load(c, c1 + L, acc), x12 = load(c, c1 + 2 * L, acc), x13 = load(c, c1 + 3 * L, acc);
        FloatVector x20 = load(c, c2, acc), x21 = load(c, c2 + L, acc), x22 = load(c, c2 + 2 * L, acc), x23 = load(c, c2 + 3 * L, acc);
        FloatVector x30 = load(c, c3, acc), x31 = load(c, c3 + L, acc), x32 = load(c, c3 + 2 * L, acc), x33 = load(c, c3 + 3 * L, acc);
        for (int p = 0; p < kc; p++) {
            int o = po + p * NR, q = ao + p * 4;
            FloatVector v0 = FloatVector.fromArray(SP, pk, o), v1 = FloatVector.fromArray(SP, pk, o + L);
            FloatVector v2 = FloatVector.fromArray(SP, pk, o + 2 * L), v3 = FloatVector.fromArray(SP, pk, o + 3 * L);
            FloatVector s0 = FloatVector.broadcast(SP, ap[q]);
            x00 = v0.fma(s0, x00); x01 = v1.fma(s0, x01); x02 = v2.fma(s0, x02); x03 = v3.fma(s0, x03);
            FloatVector s1 = FloatVector.broadcast(SP, ap[q + 1]);
            x10 = v0.fma(s1, x10); x11 = v1.fma(s1, x11); x12 = v2.fma(s1, x12); x13 = v3.fma(s1, x13);
            FloatVector s2 = FloatVector.broadcast(SP, ap[q + 2]);
            x20 = v0.fma(s2, x20); x21 = v1.fma(s2, x21); x22 = v2.fma(s2, x22); x23 = v3.fma(s2, x23);
            FloatVector s3 = FloatVector.broadcast(SP, ap[q + 3]);
            x30 = v0.fma(s3, x30); x31 = v1.fma(s3, x31); x32 = v2.fma(s3, x32); x33 = v3.fma(s3, x33);
        }
        x00.intoArray(c, c0); x01.intoArray(c, c0 + L); x02.intoArray(c, c0 + 2 * L); x03.intoArray(c, c0 + 3 * L);
        x10.intoArray(c, c1); x11.intoArray(c, c1 + L); x12.intoArray(c, c1 + 2 * L); x13.intoArray(c, c1 + 3 * L);
        x20.intoArray(c, c2); x21.intoArray(c, c2 + L); x22.intoArray(c, c2 + 2 * L); x23.intoArray(c, c2 + 3 * L);
        x30.intoArray(c, c3); x31.intoArray(c, c3 + L); x32.intoArray(c, c3 + 2 * L); x33.intoArray(c, c3 + 3 * L);
    }

    /** 1 row × NR: as {@link #tile6}. */
    private static void tile1(float[] c, int cOff, float[] ap, int ao, float[] pk, int po, int kc, int acc) {
        int c0 = cOff;
        FloatVector x00 = load(c, c0, acc), x01 = load(c, c0 + L, acc), x02 = load(c, c0 + 2 * L, acc), x03 = load(c, c0 + 3 * L, acc);
        for (int p = 0; p < kc; p++) {
            int o = po + p * NR;
            FloatVector v0 = FloatVector.fromArray(SP, pk, o), v1 = FloatVector.fromArray(SP, pk, o + L);
            FloatVector v2 = FloatVector.fromArray(SP, pk, o + 2 * L), v3 = FloatVector.fromArray(SP, pk, o + 3 * L);
            FloatVector s0 = FloatVector.broadcast(SP, ap[ao + p]);
            x00 = v0.fma(s0, x00); x01 = v1.fma(s0, x01); x02 = v2.fma(s0, x02); x03 = v3.fma(s0, x03);
        }
        x00.intoArray(c, c0); x01.intoArray(c, c0 + L); x02.intoArray(c, c0 + 2 * L); x03.intoArray(c, c0 + 3 * L);
    }
}
