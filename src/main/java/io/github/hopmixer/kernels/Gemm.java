package io.github.hopmixer.kernels;

/**
 * Batched strided matrix product c[b] (+)= op(a[b]) · op(b[b]), the one kernel behind token mixing
 * (weight on the left, batch stride 0), channel mixing (batch folded into M), the head and all their gradients.
 * op(a) is M×K (stored K×M when transA), op(b) is K×N (stored N×K when transB), c is M×N.
 * When strideC is 0 every batch adds into the same c (a weight gradient), so work items are rows of c and the
 * batch loop runs inside; otherwise work items are (batch, row) pairs.
 */
public final class Gemm {
    private Gemm() {}

    /** Double-precision reference; work items [lo, hi). */
    public static void ref(double[] c, double[] a, double[] b, int batch, int m, int n, int k,
                           int transA, int transB, int strideA, int strideB, int strideC, int acc, int lo, int hi) {
        boolean reduceBatch = strideC == 0 && batch > 1;
        for (int w = lo; w < hi; w++) {
            int b0 = reduceBatch ? 0 : w / m, b1 = reduceBatch ? batch : b0 + 1, i = reduceBatch ? w : w % m;
            int cRow = b0 * strideC + i * n;
            if (reduceBatch) cRow = i * n;
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int bb = b0; bb < b1; bb++) {
                    int oa = bb * strideA, ob = bb * strideB;
                    for (int p = 0; p < k; p++) {
                        double x = transA != 0 ? a[oa + p * m + i] : a[oa + i * k + p];
                        double y = transB != 0 ? b[ob + j * k + p] : b[ob + p * n + j];
                        sum += x * y;
                    }
                }
                c[cRow + j] = acc != 0 ? c[cRow + j] + sum : sum;
            }
        }
    }

    /** Float JVM version: the same contract, loops ordered so the inner loop streams contiguous memory. */
    public static void jvm(float[] c, float[] a, float[] b, int batch, int m, int n, int k,
                           int transA, int transB, int strideA, int strideB, int strideC, int acc, int lo, int hi) {
        boolean reduceBatch = strideC == 0 && batch > 1;
        for (int w = lo; w < hi; w++) {
            int b0 = reduceBatch ? 0 : w / m, b1 = reduceBatch ? batch : b0 + 1, i = reduceBatch ? w : w % m;
            int cRow = reduceBatch ? i * n : b0 * strideC + i * n;
            if (acc == 0) java.util.Arrays.fill(c, cRow, cRow + n, 0f);
            for (int bb = b0; bb < b1; bb++) {
                int oa = bb * strideA, ob = bb * strideB;
                if (transB == 0) {
                    for (int p = 0; p < k; p++) {
                        float x = transA != 0 ? a[oa + p * m + i] : a[oa + i * k + p];
                        if (x == 0f) continue;
                        int bRow = ob + p * n;
                        for (int j = 0; j < n; j++) c[cRow + j] += x * b[bRow + j];
                    }
                } else {
                    for (int j = 0; j < n; j++) {
                        int bRow = ob + j * k;
                        float sum = 0f;
                        if (transA == 0) {
                            int aRow = oa + i * k;
                            for (int p = 0; p < k; p++) sum += a[aRow + p] * b[bRow + p];
                        } else {
                            for (int p = 0; p < k; p++) sum += a[oa + p * m + i] * b[bRow + p];
                        }
                        c[cRow + j] += sum;
                    }
                }
            }
        }
    }
}
