package io.github.hopmixer.kernels;

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
        for (int j = lo; j < hi; j++) {
            float s = 0f;
            for (int o = 0; o < outer; o++) {
                int base = (o * n + j) * inner;
                for (int r = 0; r < inner; r++) s += dy[base + r];
            }
            db[j] = acc != 0 ? db[j] + s : s;
        }
    }
}
