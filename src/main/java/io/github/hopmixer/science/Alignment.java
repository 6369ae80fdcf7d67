package io.github.hopmixer.science;

/**
 * How close a two-layer MLP's second matrix G (in × hidden, as nn.Linear stores fc2) is to the transpose of its
 * first F (hidden × in, as fc1), in Frobenius terms. These are this project's measures; the paper's exact
 * measure could not be read here.
 *
 * <ul>
 *   <li>{@code cos} = ⟨G, Fᵀ⟩ / (‖G‖·‖F‖): 1 for G = Fᵀ (the symmetric Hopfield coupling), −1 for G = −Fᵀ,
 *       ≈ 0 for unrelated matrices;</li>
 *   <li>{@code share} = ‖proj of G on span(Fᵀ)‖² / ‖G‖² = cos²: the fraction of G's squared norm along Fᵀ;</li>
 *   <li>{@code symShare} = ‖J_sym‖² / ‖J‖² for the joint visible–hidden coupling J = [[0, G], [F, 0]]
 *       (square, so it always splits into symmetric and antisymmetric parts): ‖G + Fᵀ‖² / (2(‖F‖² + ‖G‖²)),
 *       1 when G = Fᵀ, ½ when G ⊥ Fᵀ with equal norms, 0 when G = −Fᵀ. Unlike cos it also sees unequal scales.</li>
 * </ul>
 * A zero matrix has no direction: cos and share are then NaN.
 */
public record Alignment(double cos, double share, double symShare, double firstNorm, double secondNorm) {

    /** {@code first} is F (hidden × in), {@code second} is G (in × hidden), both row-major. */
    public static Alignment of(double[] first, double[] second, int hidden, int in) {
        if (first.length != hidden * in || second.length != hidden * in) {
            throw new IllegalArgumentException("matrices of " + first.length + " and " + second.length + " values for "
                    + hidden + " × " + in);
        }
        double dot = 0, ff = 0, gg = 0, sum = 0;
        for (int h = 0; h < hidden; h++) {
            for (int i = 0; i < in; i++) {
                double f = first[h * in + i], g = second[i * hidden + h], s = f + g;
                dot += f * g;
                ff += f * f;
                gg += g * g;
                sum += s * s;
            }
        }
        // sqrt(ff·gg) rather than sqrt(ff)·sqrt(gg): for G = Fᵀ the square root of a rounded square is exact, so cos is exactly 1.
        double cos = dot / Math.sqrt(ff * gg);
        return new Alignment(cos, cos * cos, sum / (2 * (ff + gg)), Math.sqrt(ff), Math.sqrt(gg));
    }

    static double[] doubles(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    /** The transpose of a rows × cols row-major matrix. */
    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }
}
