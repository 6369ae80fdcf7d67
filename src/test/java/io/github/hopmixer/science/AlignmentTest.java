package io.github.hopmixer.science;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The measures on hand-built matrices with known answers, and against the independent double-precision reference. */
class AlignmentTest {

    static double[] gaussian(Random r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextGaussian();
        return a;
    }

    static double[] scaled(double[] a, double k) {
        double[] b = a.clone();
        for (int i = 0; i < b.length; i++) b[i] *= k;
        return b;
    }

    @Test
    void secondEqualToFirstTransposedIsExactlySymmetric() {
        int hidden = 12, in = 5;
        double[] w1 = gaussian(new Random(1), hidden * in);
        Alignment a = Alignment.of(w1, Alignment.transpose(w1, hidden, in), hidden, in);
        assertEquals(1.0, a.cos(), 0.0, "exactly 1, not approximately");
        assertEquals(1.0, a.share(), 0.0);
        assertEquals(1.0, a.symShare(), 0.0);
        assertEquals(a.firstNorm(), a.secondNorm(), 0.0);
    }

    @Test
    void negatedTransposeIsAntisymmetric() {
        int hidden = 7, in = 9;
        double[] w1 = gaussian(new Random(2), hidden * in);
        Alignment a = Alignment.of(w1, scaled(Alignment.transpose(w1, hidden, in), -1), hidden, in);
        assertEquals(-1.0, a.cos(), 0.0);
        assertEquals(1.0, a.share(), 0.0, "all of W2 lies along W1ᵀ, with the opposite sign");
        assertEquals(0.0, a.symShare(), 0.0);
    }

    @Test
    void scaleChangesNormsAndSymShareButNotCos() {
        int hidden = 6, in = 4;
        double[] w1 = gaussian(new Random(3), hidden * in);
        Alignment a = Alignment.of(w1, scaled(Alignment.transpose(w1, hidden, in), 3), hidden, in);
        assertEquals(1.0, a.cos(), 1e-14);
        assertEquals(3.0, a.secondNorm() / a.firstNorm(), 1e-14);
        // ‖3W1ᵀ + W1ᵀ‖² / (2(1 + 9)‖W1‖²) = 16/20
        assertEquals(0.8, a.symShare(), 1e-14);
    }

    @Test
    void orthogonalMatricesHaveZeroCos() {
        int hidden = 8, in = 6;
        // Disjoint supports: W1ᵀ on the even (i + h) entries, W2 on the odd ones.
        Random r = new Random(4);
        double[] w1 = new double[hidden * in], w2 = new double[hidden * in];
        for (int h = 0; h < hidden; h++) for (int i = 0; i < in; i++) if ((h + i) % 2 == 0) w1[h * in + i] = r.nextGaussian();
        for (int i = 0; i < in; i++) for (int h = 0; h < hidden; h++) if ((h + i) % 2 == 1) w2[i * hidden + h] = r.nextGaussian();
        Alignment a = Alignment.of(w1, w2, hidden, in);
        assertEquals(0.0, a.cos(), 0.0);
        assertEquals(0.0, a.share(), 0.0);

        // A dense W2 made orthogonal to W1ᵀ by one Gram–Schmidt step.
        double[] d1 = gaussian(r, hidden * in), b = gaussian(r, hidden * in), t = Alignment.transpose(d1, hidden, in);
        double dot = 0, nn = 0;
        for (int k = 0; k < b.length; k++) {
            dot += b[k] * t[k];
            nn += t[k] * t[k];
        }
        for (int k = 0; k < b.length; k++) b[k] -= dot / nn * t[k];
        Alignment o = Alignment.of(d1, b, hidden, in);
        assertEquals(0.0, o.cos(), 1e-14);
        // equal norms make the split half and half; here the norms differ, so check against the definition
        assertEquals(SymmetryReference.symShare(SymmetryReference.matrix(d1, hidden, in), SymmetryReference.matrix(b, in, hidden)),
                o.symShare(), 1e-14);
    }

    /**
     * Independent Gaussian W1, W2 with N = hidden·in entries each: ⟨W2, W1ᵀ⟩ is a sum of N products of unit
     * variance, so it has standard deviation √N, while ‖W1‖·‖W2‖ ≈ N; cos is then ≈ N(0, 1/N). At the nano
     * channel shape (512 × 128, N = 65,536) that is a standard deviation of 1/256, and 6/√N ≈ 0.023 is exceeded
     * with probability ≈ 2e-9 (the seed is fixed besides). The share cos² is then below 36/N.
     */
    @Test
    void independentGaussianMatricesAreNearlyOrthogonal() {
        int hidden = 512, in = 128, n = hidden * in;
        Random r = new Random(5);
        Alignment a = Alignment.of(gaussian(r, n), gaussian(r, n), hidden, in);
        double bound = 6 / Math.sqrt(n);
        assertTrue(Math.abs(a.cos()) < bound, "cos " + a.cos() + " beyond " + bound);
        assertTrue(a.share() < bound * bound);
        // norms of equal expected size and uncorrelated: the symmetric and antisymmetric parts each hold about half
        assertEquals(0.5, a.symShare(), bound);
    }

    @Test
    void matchesTheReferenceOnRandomCorrelatedMatrices() {
        Random r = new Random(6);
        int[][] shapes = {{3, 5}, {12, 6}, {64, 4}, {1, 1}, {17, 31}};
        for (int[] s : shapes) {
            int hidden = s[0], in = s[1];
            for (double mix : new double[] {0, 0.3, -0.7, 1}) {
                double[] w1 = gaussian(r, hidden * in), noise = gaussian(r, hidden * in);
                double[] t = Alignment.transpose(w1, hidden, in), w2 = new double[t.length];
                for (int k = 0; k < t.length; k++) w2[k] = mix * t[k] + (1 - Math.abs(mix)) * 0.8 * noise[k];
                if (mix == 1) w2 = scaled(w2, 2.5);
                Alignment a = Alignment.of(w1, w2, hidden, in);
                double[][] f = SymmetryReference.matrix(w1, hidden, in), g = SymmetryReference.matrix(w2, in, hidden);
                String what = hidden + "×" + in + " mix " + mix;
                assertEquals(SymmetryReference.cos(f, g), a.cos(), 1e-12, what);
                assertEquals(SymmetryReference.share(f, g), a.share(), 1e-12, what);
                assertEquals(SymmetryReference.symShare(f, g), a.symShare(), 1e-12, what);
                assertEquals(SymmetryReference.norm(f), a.firstNorm(), 1e-12 * a.firstNorm(), what);
                assertEquals(SymmetryReference.norm(g), a.secondNorm(), 1e-12 * a.secondNorm(), what);
            }
        }
    }

    @Test
    void zeroMatrixHasNoDirectionAndWrongSizesAreRefused() {
        Alignment a = Alignment.of(new double[] {1, 2, 3, 4, 5, 6}, new double[6], 2, 3);
        assertTrue(Double.isNaN(a.cos()), "a zero W2 has no direction");
        assertEquals(0.0, a.secondNorm());
        assertThrows(IllegalArgumentException.class, () -> Alignment.of(new double[6], new double[5], 2, 3));
    }
}
