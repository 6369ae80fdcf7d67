package io.github.hopmixer.science;

import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Adaptive Runge–Kutta 5(4) of Dormand and Prince (the scheme of torchdiffeq's default {@code dopri5}, which the
 * official notebook uses), in double, for autonomous systems dx/dt = f(x). The 5th-order solution is propagated;
 * the embedded 4th-order one estimates the local error. Steps are capped so that they land on every multiple of
 * {@code every} (the output grid). The LayerNorm visible layer is stiff where σ(x) approaches √ε, so a fixed step
 * would need to be chosen per case; the adaptive step does not.
 */
public final class DormandPrince {
    private static final double[][] A = {
            {},
            {1.0 / 5},
            {3.0 / 40, 9.0 / 40},
            {44.0 / 45, -56.0 / 15, 32.0 / 9},
            {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
            {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
            {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
    /** 5th-order weights minus the embedded 4th-order ones. */
    private static final double[] E = {71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40};

    /** An accepted step: time, state, the local error estimate (its Euclidean norm) and whether t is on the output grid. */
    public record Step(double t, double[] x, double error, boolean onGrid) {}

    private final double rtol, atol;

    public DormandPrince(double rtol, double atol) {
        if (!(rtol > 0) || !(atol > 0)) throw new IllegalArgumentException("tolerances must be > 0");
        this.rtol = rtol;
        this.atol = atol;
    }

    /** Integrates from t = 0 to tMax, reporting t = 0 and every accepted step. */
    public void integrate(UnaryOperator<double[]> f, double[] x0, double tMax, double every, Consumer<Step> out) {
        if (!(tMax > 0) || !(every > 0)) throw new IllegalArgumentException("t-max and the output step must be > 0");
        int n = x0.length;
        double[] x = x0.clone();
        double t = 0, h = Math.min(every, 1e-3);
        long gridIndex = 1;
        double[][] k = new double[7][];
        k[0] = f.apply(x);
        out.accept(new Step(0, x.clone(), 0, true));
        while (t < tMax) {
            double next = Math.min(gridIndex * every, tMax);
            boolean landing = t + h >= next - 1e-12 * every;
            double hs = landing ? next - t : h;
            double[] y = null;
            for (int st = 1; st < 7; st++) {
                y = x.clone();
                for (int j = 0; j < st; j++) {
                    double a = A[st][j];
                    if (a != 0) for (int i = 0; i < n; i++) y[i] += hs * a * k[j][i];
                }
                k[st] = f.apply(y);
            }
            double errSq = 0, err2 = 0;
            for (int i = 0; i < n; i++) {
                double e = 0;
                for (int j = 0; j < 7; j++) e += E[j] * k[j][i];
                e *= hs;
                double sc = atol + rtol * Math.max(Math.abs(x[i]), Math.abs(y[i]));
                errSq += (e / sc) * (e / sc);
                err2 += e * e;
            }
            double err = Math.sqrt(errSq / n);
            if (!Double.isFinite(err)) throw new IllegalStateException("the dynamics diverged (non-finite state) at t = " + t);
            if (err <= 1) {
                t = landing ? next : t + hs;
                x = y;                    // the 7th stage sits at t + h with the 5th-order weights: FSAL
                k[0] = k[6];
                if (landing) gridIndex++;
                out.accept(new Step(t, x.clone(), Math.sqrt(err2), landing));
            }
            double grow = err == 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * Math.pow(err, -0.2)));
            // A step shortened to land on the grid says nothing against the longer step.
            h = landing && err <= 1 ? Math.max(h, hs * grow) : hs * grow;
            if (h < 1e-14 * Math.max(1, tMax)) throw new IllegalStateException("step size underflow at t = " + t);
        }
    }
}
