package io.github.hopmixer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Bias of a linear layer, broadcast over y viewed as (outer, n, inner): inner is 1 for channel layers, C for token layers. */
public final class Bias {
    private Bias() {}

    public static void addRef(double[] y, double[] bias, int outer, int n, int inner, int lo, int hi) {
        for (int o = lo; o < hi; o++)
            for (int j = 0; j < n; j++)
                for (int r = 0; r < inner; r++) y[(o * n + j) * inner + r] += bias[j];
    }

    public static void addJvm(float[] y, float[] bias, int outer, int n, int inner, int lo, int hi) {
        for (int o = lo; o < hi; o++)
            for (int j = 0; j < n; j++) {
                float bj = bias[j];
                int base = (o * n + j) * inner;
                for (int r = 0; r < inner; r++) y[base + r] += bj;
            }
    }

    /** db[j] (+)= Σ_{o,r} dy[o, j, r]; work items are the n entries of db. */
    public static void gradRef(double[] db, double[] dy, int outer, int n, int inner, int acc, int lo, int hi) {
        for (int j = lo; j < hi; j++) {
            double s = 0;
            for (int o = 0; o < outer; o++)
                for (int r = 0; r < inner; r++) s += dy[(o * n + j) * inner + r];
            db[j] = acc != 0 ? db[j] + s : s;
        }
    }

    public static void gradJvm(float[] db, float[] dy, int outer, int n, int inner, int acc, int lo, int hi) {
        if (inner == 1) {
            channelGradJvm(db, dy, outer, n, acc, lo, hi);
            return;
        }
        int j = lo;
        for (; j + 8 <= hi; j += 8) tokenGrad8(db, dy, outer, n, inner, acc, j);
        for (; j < hi; j++) {
            float s = 0f;
            for (int o = 0; o < outer; o++) {
                int base = (o * n + j) * inner;
                for (int r = 0; r < inner; r++) s += dy[base + r];
            }
            db[j] = acc != 0 ? db[j] + s : s;
        }
    }

    /**
     * db[j, j + 8) of a token layer: eight sums side by side, each its entries in the order of the loop above (same
     * bits). One sum at a time waited on each add's latency: the 224-px token biases took 6.5 ms a step.
     */
    private static void tokenGrad8(float[] db, float[] dy, int outer, int n, int inner, int acc, int j) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        for (int o = 0; o < outer; o++) {
            int b0 = (o * n + j) * inner, b1 = b0 + inner, b2 = b1 + inner, b3 = b2 + inner;
            int b4 = b3 + inner, b5 = b4 + inner, b6 = b5 + inner, b7 = b6 + inner;
            for (int r = 0; r < inner; r++) {
                s0 += dy[b0 + r];
                s1 += dy[b1 + r];
                s2 += dy[b2 + r];
                s3 += dy[b3 + r];
                s4 += dy[b4 + r];
                s5 += dy[b5 + r];
                s6 += dy[b6 + r];
                s7 += dy[b7 + r];
            }
        }
        store(db, j, s0, acc);
        store(db, j + 1, s1, acc);
        store(db, j + 2, s2, acc);
        store(db, j + 3, s3, acc);
        store(db, j + 4, s4, acc);
        store(db, j + 5, s5, acc);
        store(db, j + 6, s6, acc);
        store(db, j + 7, s7, acc);
    }

    private static void store(float[] db, int j, float s, int acc) {
        db[j] = acc != 0 ? db[j] + s : s;
    }

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length();

    /**
     * A channel layer's db: each column of dy summed down its rows, groups of 4 vectors of columns in registers (the
     * column-by-column loop read dy at a stride of n floats). Each entry sums its rows in order as before: same bits.
     */
    private static void channelGradJvm(float[] db, float[] dy, int rows, int n, int acc, int lo, int hi) {
        int j = lo;
        for (; j + 4 * L <= hi; j += 4 * L) {
            FloatVector s0 = FloatVector.zero(SP), s1 = s0, s2 = s0, s3 = s0;
            for (int o = j; o < rows * n; o += n) {
                s0 = s0.add(FloatVector.fromArray(SP, dy, o));
                s1 = s1.add(FloatVector.fromArray(SP, dy, o + L));
                s2 = s2.add(FloatVector.fromArray(SP, dy, o + 2 * L));
                s3 = s3.add(FloatVector.fromArray(SP, dy, o + 3 * L));
            }
            finish(db, j, s0, acc);
            finish(db, j + L, s1, acc);
            finish(db, j + 2 * L, s2, acc);
            finish(db, j + 3 * L, s3, acc);
        }
        for (; j + L <= hi; j += L) {
            FloatVector s = FloatVector.zero(SP);
            for (int o = j; o < rows * n; o += n) s = s.add(FloatVector.fromArray(SP, dy, o));
            finish(db, j, s, acc);
        }
        for (; j < hi; j++) {
            float s = 0f;
            for (int o = 0; o < rows; o++) s += dy[o * n + j];
            db[j] = acc != 0 ? db[j] + s : s;
        }
    }

    private static void finish(float[] db, int j, FloatVector s, int acc) {
        (acc != 0 ? FloatVector.fromArray(SP, db, j).add(s) : s).intoArray(db, j);
    }
}
