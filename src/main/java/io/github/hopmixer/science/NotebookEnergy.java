package io.github.hopmixer.science;

/**
 * The official notebook's {@code Easym}, transcribed literally for the shared form (its network), to compare with
 * {@link HopfieldMixer#energy}: F.layer_norm without affine (ε = the visible layer's), the visible Lagrangian
 * {@code torch.std(x, correction = S·C − 1)} = √(Σ(x − x̄)²) = √n·σ₀ (no ε, and ∂/∂x = LN(x)/√n, not LN(x)),
 * −Σ Φ of the hidden drives, and the pseudo-energy {@code Eint} = ½·uᵀ·W2·GELU(W1·u) with u the slab summed over
 * the other axis. Hence E_notebook = E + n·√(σ₀² + ε) − √n·σ₀ ≈ E + (n − √n)·σ₀: a term that follows the scale of x,
 * which the dynamics does not minimise.
 */
public final class NotebookEnergy {
    private NotebookEnergy() {}

    public static double of(HopfieldMixer net, double[] x) {
        if (net.form() != Form.SHARED) throw new IllegalArgumentException("the notebook's energy is for the shared form");
        LayerNormLagrangian ln = LayerNormLagrangian.plain(x.length, net.visible().eps());
        double[] z = ln.activation(x);
        double m = LayerNormLagrangian.mean(x), ss = 0, e = 0;
        for (int k = 0; k < x.length; k++) {
            e += x[k] * z[k];
            ss += (x[k] - m) * (x[k] - m);
        }
        e -= Math.sqrt(ss);
        for (AxisCoupling ax : new AxisCoupling[] {net.tokens(), net.channels()}) {
            double[] u = ax.pool(z);                                   // Σ over the other axis
            double[] h = Dense.mul(ax.w1(), false, ax.hidden(), ax.in(), u, 1);
            for (double v : h) e -= Gelus.phi(v);
            if (ax.w2() != null) e += 0.5 * Dense.dot(u, Dense.mul(ax.w2(), false, ax.in(), ax.hidden(), Gelus.gelu(h), 1));
        }
        return e;
    }
}
