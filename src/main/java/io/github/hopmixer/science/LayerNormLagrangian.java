package io.github.hopmixer.science;

/**
 * The visible layer's Lagrangian: LayerNorm over the whole (S, C) slab of n = S·C entries,
 * <pre>
 *   L(x) = γ·n·√(σ² + ε) + Σ β·x,   σ² = (1/n)·Σ (x − x̄)²,
 *   g(x) = ∂L/∂x = γ·(x − x̄)/√(σ² + ε) + β = LN(x).
 * </pre>
 * γ is one scalar: with an elementwise γ the Jacobian of LN is not symmetric, so LN would be no gradient and the
 * layer would have no Lagrangian (the models' (S, C)-shaped γ is outside the energy picture; β may be elementwise).
 * The Hessian ∂²L = γ/s·(P − d·dᵀ/(n·s²)) (P centres, d = x − x̄, s = √(σ² + ε)) is positive semi-definite for
 * γ > 0: its eigenvalue along d is γ·ε/s³, zero along the ones vector, γ/s on the rest.
 */
public record LayerNormLagrangian(int n, double gamma, double[] beta, double eps) {

    public LayerNormLagrangian {
        if (n < 2) throw new IllegalArgumentException("LayerNorm needs at least 2 entries, got " + n);
        if (!(gamma > 0)) throw new IllegalArgumentException("γ must be > 0 for a convex Lagrangian, got " + gamma);
        if (!(eps >= 0)) throw new IllegalArgumentException("ε must be ≥ 0, got " + eps);
        if (beta != null && beta.length != n) throw new IllegalArgumentException("β has " + beta.length + " entries, not " + n);
    }

    /** γ = 1, β = 0: the notebook's F.layer_norm without affine. */
    public static LayerNormLagrangian plain(int n, double eps) {
        return new LayerNormLagrangian(n, 1, null, eps);
    }

    public LayerNormLagrangian withEps(double e) {
        return new LayerNormLagrangian(n, gamma, beta, e);
    }

    private double beta(int k) { return beta == null ? 0 : beta[k]; }

    static double mean(double[] x) {
        double m = 0;
        for (double v : x) m += v;
        return m / x.length;
    }

    /** s = √(σ² + ε). */
    double scale(double[] x) {
        double m = mean(x), v = 0;
        for (double e : x) v += (e - m) * (e - m);
        return Math.sqrt(v / n + eps);
    }

    public double lagrangian(double[] x) {
        double l = gamma * n * scale(x);
        for (int k = 0; k < n; k++) l += beta(k) * x[k];
        return l;
    }

    /** g = LN(x). */
    public double[] activation(double[] x) {
        double m = mean(x), s = scale(x);
        double[] g = new double[n];
        for (int k = 0; k < n; k++) g[k] = gamma * (x[k] - m) / s + beta(k);
        return g;
    }

    /** The layer's own energy xᵀg − L = −γ·n·ε/s: zero without ε, since L is homogeneous of degree one. */
    public double energy(double[] x) {
        double[] g = activation(x);
        double e = -lagrangian(x);
        for (int k = 0; k < n; k++) e += x[k] * g[k];
        return e;
    }

    /** ∂²L·v, analytically: γ/s·(Pv − d·(d·v)/(n·s²)). */
    public double[] hessianTimes(double[] x, double[] v) {
        double m = mean(x), s = scale(x), vm = mean(v), dv = 0;
        for (int k = 0; k < n; k++) dv += (x[k] - m) * v[k];
        double[] out = new double[n];
        for (int k = 0; k < n; k++) out[k] = gamma / s * ((v[k] - vm) - (x[k] - m) * dv / (n * s * s));
        return out;
    }

    /** The full Hessian ∂²L = ∂g/∂x (n × n, row-major), for tests. */
    public double[] hessian(double[] x) {
        double[] h = new double[n * n], e = new double[n];
        for (int j = 0; j < n; j++) {
            e[j] = 1;
            double[] col = hessianTimes(x, e);
            for (int k = 0; k < n; k++) h[k * n + j] = col[k];
            e[j] = 0;
        }
        return h;
    }
}
