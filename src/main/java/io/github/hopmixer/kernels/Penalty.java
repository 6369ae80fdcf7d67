package io.github.hopmixer.kernels;

/** The asymmetric mixer's λ·Σ‖W2‖²: its value (summed by the host) and its gradient 2λW. */
public final class Penalty {
    private Penalty() {}

    /** out[slot] = Σ w²; one work item (a short serial reduction per matrix). */
    public static void sumSquaresRef(double[] out, double[] w, int n, int slot) {
        double s = 0;
        for (int i = 0; i < n; i++) s += w[i] * w[i];
        out[slot] = s;
    }

    public static void sumSquaresJvm(float[] out, float[] w, int n, int slot) {
        double s = 0; // double accumulator: millions of terms
        for (int i = 0; i < n; i++) s += (double) w[i] * w[i];
        out[slot] = (float) s;
    }

    public static void gradRef(double[] grad, double[] w, double[] scalars, int n, int idx, int lo, int hi) {
        double two = 2 * scalars[idx];
        for (int i = lo; i < hi; i++) grad[i] += two * w[i];
    }

    public static void gradJvm(float[] grad, float[] w, float[] scalars, int n, int idx, int lo, int hi) {
        float two = 2 * scalars[idx];
        for (int i = lo; i < hi; i++) grad[i] += two * w[i];
    }

}
