package io.github.hopmixer.science;

/**
 * The three-layer Hopfield network behind the parallel Mixer block, with its hidden layers adiabatically eliminated.
 * <p>Layers: visible x (S·C) with the LayerNorm Lagrangian L_v (activation g = LN(x)); hidden token and channel
 * layers with L_h = Σ Φ(h), Φ' = GELU; couplings only visible–hidden. With time constants τ_v = 1 and τ_h → 0 the
 * hidden states sit at h = A·g (A = W1 viewed per {@link Form}), and
 * <pre>
 *   dx/dt = Σ_axes (A_axᵀ + B_ax)·GELU(A_ax·g) − x                    (B = W2 view; 0 when symmetric)
 *   E(x)  = [xᵀg − L_v(x)] − Σ_axes Σ Φ(A_ax·g) + ½ Σ_axes gᵀ·B_ax·GELU(A_ax·g)
 * </pre>
 * The first two terms are the exact energy (the hidden layers' [hᵀ·GELU(h) − Φ(h)] minus the coupling
 * hᵀ·GELU(h) leaves −Φ(h)); ∇E = ∂²L_v·(x − Aᵀ·GELU(A·g)) = −∂²L_v·dx/dt when B = 0, so dE/dt = −ẋᵀ·∂²L_v·ẋ ≤ 0.
 * The last term is the official notebook's pseudo-energy for the symmetry-breaking couplings (its {@code Eint});
 * with B ≠ 0 no energy exists (the flow is not a gradient flow) and this E can rise. See results/reproduction/ENERGY.md.
 */
public record HopfieldMixer(Form form, LayerNormLagrangian visible, AxisCoupling tokens, AxisCoupling channels) {

    public HopfieldMixer {
        if (tokens.form() != form || channels.form() != form || !tokens.tokens() || channels.tokens()) {
            throw new IllegalArgumentException("couplings do not match form " + form);
        }
        if (visible.n() != tokens.s() * tokens.c()) throw new IllegalArgumentException("visible layer size " + visible.n());
    }

    public boolean broken() { return tokens.broken() || channels.broken(); }

    /** The network with the breaking couplings W2 removed. */
    public HopfieldMixer symmetricPart() {
        return new HopfieldMixer(form, visible, tokens.symmetricPart(), channels.symmetricPart());
    }

    public HopfieldMixer withVisible(LayerNormLagrangian v) {
        return new HopfieldMixer(form, v, tokens, channels);
    }

    /** dx/dt = Tok(LN x) + Ch(LN x) − x. */
    public double[] velocity(double[] x) {
        double[] g = visible.activation(x);
        double[] v = Dense.add(tokens.velocity(g), channels.velocity(g));
        for (int k = 0; k < v.length; k++) v[k] -= x[k];
        return v;
    }

    public double energy(double[] x) {
        double[] g = visible.activation(x);
        double e = visible.energy(x);
        for (AxisCoupling ax : new AxisCoupling[] {tokens, channels}) {
            double[] h = ax.drive(g);
            for (double v : h) e -= Gelus.phi(v);
            if (ax.broken()) e += 0.5 * Dense.dot(g, ax.breaking(Gelus.gelu(h)));
        }
        return e;
    }

    /** ∇E = ∂²L_v·u with u = x − Σ Aᵀ·GELU(h) + ½ Σ [B·GELU(h) + Aᵀ·(GELU'(h) ⊙ Bᵀ·g)]. */
    public double[] energyGradient(double[] x) {
        double[] g = visible.activation(x);
        double[] u = x.clone();
        for (AxisCoupling ax : new AxisCoupling[] {tokens, channels}) {
            double[] h = ax.drive(g), a = Gelus.gelu(h), back = ax.feedback(a);
            for (int k = 0; k < u.length; k++) u[k] -= back[k];
            if (ax.broken()) {
                double[] bt = ax.breakingAdjoint(g);
                for (int j = 0; j < bt.length; j++) bt[j] *= Gelus.geluPrime(h[j]);
                double[] p = Dense.add(ax.breaking(a), ax.feedback(bt));
                for (int k = 0; k < u.length; k++) u[k] += 0.5 * p[k];
            }
        }
        return visible.hessianTimes(x, u);
    }

    /** −ẋᵀ·∂²L_v·ẋ: the analytic dE/dt of the symmetric network (≤ 0). */
    public double dissipation(double[] x) {
        double[] v = velocity(x);
        return -Dense.dot(v, visible.hessianTimes(x, v));
    }
}
