package io.github.hopmixer.kernels;

/** dst (+)= srcᵀ: dst is rows × cols, src is cols × rows; work items are rows of dst. */
public final class Transpose {
    private Transpose() {}

    public static void addRef(double[] dst, double[] src, int rows, int cols, int acc, int lo, int hi) {
        for (int r = lo; r < hi; r++)
            for (int c = 0; c < cols; c++) {
                double v = src[c * rows + r];
                dst[r * cols + c] = acc != 0 ? dst[r * cols + c] + v : v;
            }
    }

    /** The weights it serves are small (at most hidden × features): a plain strided read is enough. */
    public static void addJvm(float[] dst, float[] src, int rows, int cols, int acc, int lo, int hi) {
        for (int r = lo; r < hi; r++) {
            int o = r * cols;
            if (acc != 0) for (int c = 0; c < cols; c++) dst[o + c] += src[c * rows + r];
            else for (int c = 0; c < cols; c++) dst[o + c] = src[c * rows + r];
        }
    }
}
