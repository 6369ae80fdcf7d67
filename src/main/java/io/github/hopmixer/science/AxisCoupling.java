package io.github.hopmixer.science;

/**
 * The couplings between the visible slab (S × C, row-major, token-major) and one hidden layer: token mixing
 * (acting along S) or channel mixing (along C). In the axis's own view the slab is G (in × other): G = z for
 * tokens (in = S, other = C), G = zᵀ for channels. The hidden layer's drive is A·g:
 * <pre>
 *   per-axis  h = W1·G            (hidden × other)
 *   shared    h = W1·(G·1)        (hidden × 1): the notebook's sum over the other axis before the GELU
 * </pre>
 * W1 is stored (hidden, in) as nn.Linear's fc1.weight (the tied model's one matrix); the symmetry-breaking W2 as
 * fc2.weight (in, hidden), null when the couplings are symmetric. Feedback to the visible layer is
 * (W1ᵀ + W2)·GELU(h), un-viewed (and broadcast over the other axis in the shared form).
 */
public record AxisCoupling(boolean tokens, Form form, int s, int c, int hidden, double[] w1, double[] w2) {

    public AxisCoupling {
        if (w1.length != hidden * in(tokens, s, c)) throw new IllegalArgumentException("W1 is not " + hidden + " × " + in(tokens, s, c));
        if (w2 != null && w2.length != w1.length) throw new IllegalArgumentException("W2 is not " + in(tokens, s, c) + " × " + hidden);
    }

    private static int in(boolean tokens, int s, int c) { return tokens ? s : c; }

    public int in() { return in(tokens, s, c); }

    public int other() { return tokens ? c : s; }

    /** Columns of the hidden drive: one per other-axis index, or one shared. */
    int columns() { return form == Form.PER_AXIS ? other() : 1; }

    /** Number of hidden units. */
    public int units() { return hidden * columns(); }

    public boolean broken() { return w2 != null; }

    /** The same couplings with the symmetry-breaking term removed. */
    public AxisCoupling symmetricPart() {
        return new AxisCoupling(tokens, form, s, c, hidden, w1, null);
    }

    /** The axis view G (in × columns) of a visible vector: transposed for channels, summed over the other axis if shared. */
    double[] pool(double[] v) {
        int in = in(), cols = columns();
        double[] g = new double[in * cols];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < c; j++) {
                int a = tokens ? i : j, o = tokens ? j : i;
                g[a * cols + (cols == 1 ? 0 : o)] += v[i * c + j];
            }
        }
        return g;
    }

    /** The adjoint of {@link #pool}: back to the visible slab, broadcast over the other axis if shared. */
    double[] unpool(double[] g) {
        int cols = columns();
        double[] v = new double[s * c];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < c; j++) {
                int a = tokens ? i : j, o = tokens ? j : i;
                v[i * c + j] = g[a * cols + (cols == 1 ? 0 : o)];
            }
        }
        return v;
    }

    /** The hidden drive h = A·g = W1·pool(g) (hidden × columns). */
    public double[] drive(double[] g) {
        return Dense.mul(w1, false, hidden, in(), pool(g), columns());
    }

    /** Aᵀ·a = unpool(W1ᵀ·a): the symmetric feedback. */
    public double[] feedback(double[] a) {
        return unpool(Dense.mul(w1, true, in(), hidden, a, columns()));
    }

    /** B·a = unpool(W2·a): the symmetry-breaking feedback (zero when symmetric). */
    public double[] breaking(double[] a) {
        if (w2 == null) return new double[s * c];
        return unpool(Dense.mul(w2, false, in(), hidden, a, columns()));
    }

    /** Bᵀ·v = W2ᵀ·pool(v). */
    double[] breakingAdjoint(double[] v) {
        if (w2 == null) return new double[units()];
        return Dense.mul(w2, true, hidden, in(), pool(v), columns());
    }

    /** The hidden layer's contribution to dx/dt: (W1ᵀ + W2)·GELU(h). */
    public double[] velocity(double[] g) {
        double[] a = Gelus.gelu(drive(g));
        return Dense.add(feedback(a), breaking(a));
    }
}
