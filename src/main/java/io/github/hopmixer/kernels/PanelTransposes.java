package io.github.hopmixer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link GemmPanels}' packing of a transposed b (n×k rows) into panels: L × L blocks transposed in registers. */
final class PanelTransposes {
    private PanelTransposes() {}

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length();
    private static final int NR = GemmPanels.NR;

    /**
     * The panel of NR rows of b at src (each k floats, row r holding the panel's column r) over [p0, p1), element
     * (p, r) to d[o + p·NR + r]. L × L blocks are transposed in registers (the scalar copy, a strided store per float,
     * cost more than the products in the token weight gradient, where every thread packs each image's 64×128 b);
     * the rest of K, past the last whole block, is copied float by float.
     */
    static void panel(float[] b, int src, int k, float[] d, int o, int p0, int p1) {
        int pv = p0 + (p1 - p0) / L * L;
        touch(b, src, k, p0, p1);
        for (int r = 0; r < NR; r += L) blocks(b, src + r * k, k, d, o + r, p0, pv);
        for (int r = 0; r < NR; r++)
            for (int p = pv; p < p1; p++) d[o + p * NR + r] = b[src + r * k + p];
    }

    /** Keeps {@link #touch}'s reads alive. */
    private static int touched;

    /**
     * Reads one float per cache line of the panel's rows, row after row, before the transposes read them L rows at a
     * time (L streams of a few lines each, which the hardware prefetcher does not follow): the sequential pass brings
     * an image's b in from memory as one stream. The token weight gradient 128×64×64×128, whose b comes cold in the
     * step, took 20.4–22.9 ms of a paramixer_nano step against 27.3–28.8 without it (2 threads, a slow phase of this
     * machine, profiles of the same build with and without it, three pairs); in a fast phase 17.7 against 17.5.
     */
    private static void touch(float[] b, int src, int k, int p0, int p1) {
        int x = 0;
        for (int r = 0; r < NR; r++)
            for (int p = p0; p < p1; p += 16) x ^= Float.floatToRawIntBits(b[src + r * k + p]);
        if (x == 0x7fc00001) touched++;
    }

    /**
     * Lane indices for {@link #blocks}: stage t swaps bit d = L/2^(t+1) of the row with bit d of the lane.
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
    static void blocks(float[] b, int src, int k, float[] d, int dst, int p0, int p1) {
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
}
