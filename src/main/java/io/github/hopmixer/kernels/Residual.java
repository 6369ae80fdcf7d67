package io.github.hopmixer.kernels;

/** Residual sums with DropPath: the per-sample mask holds 0 or 1/(1 − p), drawn by the host each step. */
public final class Residual {
    private Residual() {}

    /** y = x + mask[b]·u; y may be x (in place). */
    public static void forwardRef(double[] y, double[] x, double[] u, double[] mask, int batch, int rowLen, int lo, int hi) {
        for (int i = lo; i < hi; i++) y[i] = x[i] + mask[i / rowLen] * u[i];
    }

    /** Row by row, so the inner loop has no division and C2 vectorises it. */
    public static void forwardJvm(float[] y, float[] x, float[] u, float[] mask, int batch, int rowLen, int lo, int hi) {
        for (int i = lo; i < hi; ) {
            int end = Math.min(hi, (i / rowLen + 1) * rowLen);
            float m = mask[i / rowLen];
            for (int j = i; j < end; j++) y[j] = x[j] + m * u[j];
            i = end;
        }
    }

    /** dx (+)= mask[b]·dy: DropPath's backward. */
    public static void maskedAddRef(double[] dx, double[] dy, double[] mask, int batch, int rowLen, int acc, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            double v = mask[i / rowLen] * dy[i];
            dx[i] = acc != 0 ? dx[i] + v : v;
        }
    }

    public static void maskedAddJvm(float[] dx, float[] dy, float[] mask, int batch, int rowLen, int acc, int lo, int hi) {
        for (int i = lo; i < hi; ) {
            int end = Math.min(hi, (i / rowLen + 1) * rowLen);
            float m = mask[i / rowLen];
            if (acc != 0) for (int j = i; j < end; j++) dx[j] += m * dy[j];
            else for (int j = i; j < end; j++) dx[j] = m * dy[j];
            i = end;
        }
    }

    /** dst (+)= src: a gradient passing through a skip connection. */
    public static void addRef(double[] dst, double[] src, int n, int acc, int lo, int hi) {
        for (int i = lo; i < hi; i++) dst[i] = acc != 0 ? dst[i] + src[i] : src[i];
    }

    public static void addJvm(float[] dst, float[] src, int n, int acc, int lo, int hi) {
        if (acc == 0) System.arraycopy(src, lo, dst, lo, hi - lo);
        else for (int i = lo; i < hi; i++) dst[i] += src[i];
    }
}
