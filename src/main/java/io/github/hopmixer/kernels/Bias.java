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
     * A channel layer's db: dy read row by row in its memory order, this range's column sums held in scratch. Column
     * by column (four vectors of sums in registers, down all rows) read dy at a stride of n floats, a new page every
     * row at n = 2048: the 224-px step's bias gradients took 6–10 ms a step. Each entry still sums its rows in order
     * from zero, as the reference does: the same bits as that loop, for any split of the columns.
     */
    private static void channelGradJvm(float[] db, float[] dy, int rows, int n, int acc, int lo, int hi) {
        int w = hi - lo, vecEnd = lo + w / L * L;
        float[] s = sums(w);
        java.util.Arrays.fill(s, 0, w, 0f);
        for (int o = 0, base = 0; o < rows; o++, base += n) {
            int j = lo;
            for (; j < vecEnd; j += L) FloatVector.fromArray(SP, s, j - lo).add(FloatVector.fromArray(SP, dy, base + j)).intoArray(s, j - lo);
            for (; j < hi; j++) s[j - lo] += dy[base + j];
        }
        for (int j = lo; j < hi; j++) db[j] = acc != 0 ? db[j] + s[j - lo] : s[j - lo];
    }

    /** Per-thread column sums: grows once, then no allocation inside a step. */
    private static final ThreadLocal<float[][]> SUMS = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    private static float[] sums(int size) {
        float[][] holder = SUMS.get();
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }
}
