package io.github.hopmixer.science;

/** The few dense-matrix operations of the small energy networks, in double, row-major. */
final class Dense {
    private Dense() {}

    /** op(A)·B with op(A) (m × k) and B (k × n); A is stored (m × k), or (k × m) when transposed. */
    static double[] mul(double[] a, boolean transA, int m, int k, double[] b, int n) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double av = transA ? a[p * m + i] : a[i * k + p];
                if (av == 0) continue;
                for (int j = 0; j < n; j++) out[i * n + j] += av * b[p * n + j];
            }
        }
        return out;
    }

    static double[] add(double[] a, double[] b) {
        double[] y = a.clone();
        for (int i = 0; i < y.length; i++) y[i] += b[i];
        return y;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }
}
