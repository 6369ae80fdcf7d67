package io.github.hopmixer.kernels;

/** Global average pooling over the S tokens of x (B, S, C), before the head; work items are images. */
public final class TokenMean {
    private TokenMean() {}

    public static void forwardRef(double[] y, double[] x, int batch, int s, int c, int lo, int hi) {
        for (int b = lo; b < hi; b++)
            for (int j = 0; j < c; j++) {
                double sum = 0;
                for (int t = 0; t < s; t++) sum += x[(b * s + t) * c + j];
                y[b * c + j] = sum / s;
            }
    }

    public static void forwardJvm(float[] y, float[] x, int batch, int s, int c, int lo, int hi) {
        for (int b = lo; b < hi; b++) {
            java.util.Arrays.fill(y, b * c, b * c + c, 0f);
            for (int t = 0; t < s; t++) {
                int o = (b * s + t) * c;
                for (int j = 0; j < c; j++) y[b * c + j] += x[o + j];
            }
            for (int j = 0; j < c; j++) y[b * c + j] /= s;
        }
    }

    public static void backwardRef(double[] dx, double[] dy, int batch, int s, int c, int acc, int lo, int hi) {
        for (int b = lo; b < hi; b++)
            for (int t = 0; t < s; t++)
                for (int j = 0; j < c; j++) {
                    int i = (b * s + t) * c + j;
                    double v = dy[b * c + j] / s;
                    dx[i] = acc != 0 ? dx[i] + v : v;
                }
    }

    public static void backwardJvm(float[] dx, float[] dy, int batch, int s, int c, int acc, int lo, int hi) {
        float inv = 1f / s;
        for (int b = lo; b < hi; b++)
            for (int t = 0; t < s; t++)
                for (int j = 0; j < c; j++) {
                    int i = (b * s + t) * c + j;
                    float v = dy[b * c + j] * inv;
                    dx[i] = acc != 0 ? dx[i] + v : v;
                }
    }
}
