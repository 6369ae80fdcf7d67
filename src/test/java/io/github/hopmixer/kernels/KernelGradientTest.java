package io.github.hopmixer.kernels;

import io.github.hopmixer.ops.AdamWOps;
import io.github.hopmixer.ops.BiasOps.AddBias;
import io.github.hopmixer.ops.BiasOps.BiasGrad;
import io.github.hopmixer.ops.CrossEntropyOps;
import io.github.hopmixer.ops.GeluOps;
import io.github.hopmixer.ops.FusedOps.GemmBiasGelu;
import io.github.hopmixer.ops.FusedOps.GemmBiasResidual;
import io.github.hopmixer.ops.FusedOps.GemmGeluBackward;
import io.github.hopmixer.ops.GemmOps;
import io.github.hopmixer.ops.LayerNormOps;
import io.github.hopmixer.ops.LayerNormOps.LayerNormBackwardInput;
import io.github.hopmixer.ops.LayerNormOps.LayerNormBackwardParams;
import io.github.hopmixer.ops.Op;
import io.github.hopmixer.ops.PatchifyOps;
import io.github.hopmixer.ops.PenaltyOps;
import io.github.hopmixer.ops.PenaltyOps.L2Grad;
import io.github.hopmixer.ops.ResidualOps;
import io.github.hopmixer.ops.ResidualOps.MaskedAdd;
import io.github.hopmixer.ops.TokenMeanOps;
import io.github.hopmixer.ops.TokenMeanOps.TokenMeanBackward;
import io.github.hopmixer.ops.WeightSumOps.TransposeAdd;
import io.github.hopmixer.plan.Scalars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite differences in double precision on every scalar reference kernel: for a random upstream gradient u,
 * f = Σ u·output, and each analytic input gradient the backward kernels produce must match central differences
 * of f. Also Patchify against a direct convolution, erf against known values, and AdamW against an
 * independent transcription of PyTorch's {@code _single_tensor_adamw}.
 */
class KernelGradientTest {

    /**
     * Central differences with h = 1e-5 have truncation error h²·|f'''|/6 ≈ 1e-11 and rounding error
     * ≈ 2.2e-16·|f|/h ≈ 1e-9 for |f| ≤ 50, as here (O(1) inputs, at most a few hundred terms). The tolerance
     * 1e-7 + 1e-6·|numeric| leaves two orders of margin, while a wrong index, factor or missing term shows as
     * 1e-2 or more ({@link #checkerRejectsASlightlyWrongGradient} shows a 1e-5 relative error is caught).
     */
    private static final double H = 1e-5, ABS = 1e-7, REL = 1e-6;

    static double[] randn(Random r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextGaussian() * scale;
        return a;
    }

    static double dot(double[] u, double[] y) {
        assertEquals(u.length, y.length);
        double s = 0;
        for (int i = 0; i < u.length; i++) s += u[i] * y[i];
        return s;
    }

    /** Perturbs every entry of x (in place, restored) and compares f's central difference with analytic[i]. */
    static void checkGradient(String what, double[] x, double[] analytic, DoubleSupplier f) {
        assertTrue(analytic.length >= x.length, what + ": gradient shorter than its input");
        for (int i = 0; i < x.length; i++) {
            double x0 = x[i];
            x[i] = x0 + H;
            double up = f.getAsDouble();
            x[i] = x0 - H;
            double down = f.getAsDouble();
            x[i] = x0;
            double numeric = (up - down) / (2 * H);
            assertEquals(numeric, analytic[i], ABS + REL * Math.abs(numeric), what + "[" + i + "]");
        }
    }

    // ---------------------------------------------------------------- GEMM

    /** How the batch is laid out, as {@code GemmOps.matmul} produces it. */
    enum Layout {
        /** batch 1: every stride 0. */
        BATCH1,
        /** batch 3, both operands per image. */
        PER_BATCH,
        /** batch 3, a is a weight (stride 0): token mixing, W·X. */
        WEIGHT_A,
        /** batch 3, b is a weight (stride 0). */
        WEIGHT_B,
        /** batch 3, both operands weights. */
        BOTH_WEIGHTS
    }

    static Stream<Arguments> gemmCases() {
        List<Arguments> out = new ArrayList<>();
        for (Layout l : Layout.values())
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++) out.add(Arguments.of(l, ta, tb));
        return out.stream();
    }

    /** The op's reference over its full range of work items, as the reference device calls it. */
    static void gemm(double[] c, double[] a, double[] b, GemmOps.Gemm op) {
        op.ref(new double[][] {c, a, b}, 0, op.parallelism());
    }

    /** A GEMM without acc, flags as 0/1 ints like the loops over them below. */
    static GemmOps.Gemm g(int batch, int m, int n, int k, int ta, int tb, int sa, int sb, int sc) {
        return new GemmOps.Gemm(batch, m, n, k, ta != 0, tb != 0, sa, sb, sc, false);
    }

    @GradientOf({GemmOps.Gemm.class})
    @ParameterizedTest(name = "{0} transA={1} transB={2}")
    @MethodSource("gemmCases")
    void gemmGradients(Layout layout, int ta, int tb) {
        Random r = new Random(31 + 7L * layout.ordinal() + 2 * ta + tb);
        int batch = layout == Layout.BATCH1 ? 1 : 3, m = 3, n = 5, k = 4;
        boolean aPer = layout == Layout.PER_BATCH || layout == Layout.WEIGHT_B;
        boolean bPer = layout == Layout.PER_BATCH || layout == Layout.WEIGHT_A;
        // Strides exactly as GemmOps.matmul derives them.
        int sa = batch > 1 && aPer ? m * k : 0, sb = batch > 1 && bPer ? k * n : 0, sc = batch > 1 ? m * n : 0;
        double[] a = randn(r, (batch - 1) * sa + m * k, 1), b = randn(r, (batch - 1) * sb + k * n, 1);
        double[] u = randn(r, (batch - 1) * sc + m * n, 1);
        DoubleSupplier f = () -> {
            double[] c = new double[u.length];
            gemm(c, a, b, g(batch, m, n, k, ta, tb, sa, sb, sc));
            return dot(u, c);
        };
        // The backward calls of GemmOps.matmul, verbatim (dc = u).
        double[] da = new double[a.length], db = new double[b.length];
        if (ta == 0) gemm(da, u, b, g(batch, m, k, n, 0, 1 - tb, sc, sb, sa));
        else gemm(da, b, u, g(batch, k, m, n, tb, 1, sb, sc, sa));
        if (tb == 0) gemm(db, a, u, g(batch, k, n, m, 1 - ta, 0, sa, sc, sb));
        else gemm(db, u, a, g(batch, n, k, m, 1, ta, sc, sa, sb));
        checkGradient("da", a, da, f);
        checkGradient("db", b, db, f);
    }

    @Test
    void gemmStrideZeroOutputSumsOverTheBatch() {
        // The weight-gradient form itself: strideC = 0 with batch > 1 is Σ_b op(a[b])·op(b[b]), one product per
        // image computed separately with batch 1, then summed; non-multiple sizes and a padded stride.
        Random r = new Random(5);
        int batch = 4, m = 7, n = 5, k = 3, sa = m * k + 2, sb = k * n + 1;
        double[] a = randn(r, (batch - 1) * sa + m * k, 1), b = randn(r, (batch - 1) * sb + k * n, 1);
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                double[] c = new double[m * n], expect = new double[m * n];
                gemm(c, a, b, g(batch, m, n, k, ta, tb, sa, sb, 0));
                for (int bt = 0; bt < batch; bt++) {
                    double[] one = new double[m * n];
                    gemm(one, Arrays.copyOfRange(a, bt * sa, bt * sa + m * k), Arrays.copyOfRange(b, bt * sb, bt * sb + k * n),
                            g(1, m, n, k, ta, tb, 0, 0, 0));
                    for (int i = 0; i < one.length; i++) expect[i] += one[i];
                }
                // Naive triple loop for one product as an independent check of the transposition conventions.
                double[] naive = new double[m * n];
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                        for (int bt = 0; bt < batch; bt++)
                            for (int p = 0; p < k; p++) {
                                double x = ta == 0 ? a[bt * sa + i * k + p] : a[bt * sa + p * m + i];
                                double y = tb == 0 ? b[bt * sb + p * n + j] : b[bt * sb + j * k + p];
                                naive[i * n + j] += x * y;
                            }
                // Same terms in different order: double rounding, |terms| ≤ ~20, so 1e-12 is ample.
                assertArrayEquals(expect, c, 1e-12, "transA=" + ta + " transB=" + tb);
                assertArrayEquals(naive, c, 1e-12, "transA=" + ta + " transB=" + tb);
            }
    }

    @Test
    void checkerRejectsASlightlyWrongGradient() {
        Random r = new Random(2);
        double[] a = randn(r, 12, 1), b = randn(r, 20, 1), u = randn(r, 15, 1);
        DoubleSupplier f = () -> {
            double[] c = new double[15];
            gemm(c, a, b, g(1, 3, 5, 4, 0, 0, 0, 0, 0));
            return dot(u, c);
        };
        double[] da = new double[12];
        gemm(da, u, b, g(1, 3, 4, 5, 0, 1, 0, 0, 0));
        checkGradient("da", a, da, f);
        da[7] *= 1 + 1e-5;
        assertThrows(AssertionFailedError.class, () -> checkGradient("da", a, da, f));
    }

    // ---------------------------------------------------------------- Bias

    @GradientOf({AddBias.class, BiasGrad.class})
    @ParameterizedTest(name = "inner={0}")
    @ValueSource(ints = {1, 4})
    void biasGradient(int inner) {
        // inner 1: channel layers (B·S, n); inner > 1: token layers (B, n, C).
        Random r = new Random(inner);
        int outer = 3, n = 5, size = outer * n * inner;
        double[] y = randn(r, size, 1), bias = randn(r, n, 1), u = randn(r, size, 1);
        DoubleSupplier f = () -> {
            double[] out = y.clone();
            Bias.addRef(out, bias, outer, n, inner, 0, new AddBias(outer, n, inner).parallelism());
            return dot(u, out);
        };
        double[] db = new double[n];
        Bias.gradRef(db, u, outer, n, inner, 0, 0, new BiasGrad(outer, n, inner, false).parallelism());
        checkGradient("dbias", bias, db, f);
        checkGradient("dy (identity: the add keeps y)", y, u, f);
    }

    // ---------------------------------------------------------------- LayerNorm

    @GradientOf({LayerNormOps.LayerNorm.class, LayerNormBackwardInput.class, LayerNormBackwardParams.class})
    @ParameterizedTest(name = "rows={0} dim={1}")
    @MethodSource("layerNormShapes")
    void layerNormGradients(int rows, int dim) {
        Random r = new Random(rows * 100L + dim);
        double[] x = randn(r, rows * dim, 1.3);
        for (int i = 0; i < x.length; i++) x[i] += 0.7; // a non-zero mean, so the centring matters
        double[] gamma = randn(r, dim, 0.3), beta = randn(r, dim, 1), u = randn(r, rows * dim, 1);
        for (int i = 0; i < dim; i++) gamma[i] += 1;
        double[] mean = new double[rows], rstd = new double[rows];
        DoubleSupplier f = () -> {
            double[] y = new double[rows * dim], mu = new double[rows], rs = new double[rows];
            LayerNorm.forwardRef(y, mu, rs, x, gamma, beta, rows, dim, 0, rows);
            return dot(u, y);
        };
        LayerNorm.forwardRef(new double[rows * dim], mean, rstd, x, gamma, beta, rows, dim, 0, rows);
        // mean and 1/σ are what the forward pass saves: check them against direct formulas (population variance + eps).
        for (int row = 0; row < rows; row++) {
            double mu = 0, var = 0;
            for (int i = 0; i < dim; i++) mu += x[row * dim + i] / dim;
            for (int i = 0; i < dim; i++) var += Math.pow(x[row * dim + i] - mu, 2) / dim;
            assertEquals(mu, mean[row], 1e-13);
            assertEquals(1 / Math.sqrt(var + LayerNorm.EPS), rstd[row], 1e-12 * rstd[row]);
        }
        double[] dx = new double[rows * dim], dgamma = new double[dim], dbeta = new double[dim];
        LayerNorm.backwardInputRef(dx, u, x, mean, rstd, gamma, rows, dim, 0, 0,
                new LayerNormBackwardInput(rows, dim, false).parallelism());
        LayerNorm.backwardParamsRef(dgamma, dbeta, u, x, mean, rstd, rows, dim, 0, 0,
                new LayerNormBackwardParams(rows, dim, false).parallelism());
        checkGradient("dx", x, dx, f);
        checkGradient("dgamma", gamma, dgamma, f);
        checkGradient("dbeta", beta, dbeta, f);
    }

    static Stream<Arguments> layerNormShapes() {
        // The paper's joint (S, C) norm: rows = B = 2, dim = S·C = 4·3; timm's per-token norm: rows = B·S = 6, dim = C = 5.
        return Stream.of(Arguments.of(2, 12), Arguments.of(6, 5), Arguments.of(1, 7));
    }

    // ---------------------------------------------------------------- GELU and erf

    @GradientOf({GeluOps.Gelu.class, GeluOps.GeluBackward.class})
    @Test
    void geluGradient() {
        Random r = new Random(9);
        // Both sides of erf's series / continued-fraction switch at |x|/√2 = 3 (|x| ≈ 4.243), zero and the tails.
        double[] fixed = {0, 1e-3, -1e-3, 0.5, -0.5, 1, -1, 2.5, -2.5, 4.2, 4.3, -4.2, -4.3, 6, -6, 9, -9};
        double[] x = Arrays.copyOf(fixed, fixed.length + 30);
        for (int i = fixed.length; i < x.length; i++) x[i] = r.nextGaussian() * 2;
        double[] u = randn(r, x.length, 1);
        DoubleSupplier f = () -> {
            double[] y = new double[x.length];
            Gelu.forwardRef(y, x, x.length, 0, x.length);
            return dot(u, y);
        };
        double[] dx = new double[x.length];
        Gelu.backwardRef(dx, u, x, x.length, 0, 0, x.length);
        checkGradient("dx", x, dx, f);
        // GELU(x) = x·Φ(x): PyTorch's nn.GELU() values, e.g. GELU(1) = 0.8413447460685429, GELU(-1) = -0.15865525393145707.
        double[] y = new double[2];
        Gelu.forwardRef(y, new double[] {1, -1}, 2, 0, 2);
        assertEquals(0.8413447460685429, y[0], 1e-15);
        assertEquals(-0.15865525393145707, y[1], 1e-15);
    }

    @Test
    void erfMatchesKnownValues() {
        // Values to 16 digits (mpmath); the kernel's doc promises ≈ 1e-15.
        double[][] known = {
                {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
                {2, 0.9953222650189527}, {2.9, 0.9999589021219005}, {3, 0.9999779095030014},
                {3.5, 0.9999992569016276}, {5, 0.9999999999984626}};
        for (double[] kv : known) {
            assertEquals(kv[1], Gelu.erf(kv[0]), 1e-15, "erf(" + kv[0] + ")");
            assertEquals(-kv[1], Gelu.erf(-kv[0]), 1e-15, "erf(-" + kv[0] + ")");
        }
        assertEquals(0.0, Gelu.erf(0.0));
        assertEquals(1.0, Gelu.erf(30.0), 0.0);
        Random r = new Random(4);
        for (int t = 0; t < 2000; t++) {
            double x = r.nextGaussian() * 3;
            assertEquals(-Gelu.erf(x), Gelu.erf(-x), 0.0, "odd symmetry at " + x);
        }
        // Continuity across the method switch at 3 (erf' = 2/√π·e^-9 ≈ 1.4e-4 there).
        assertEquals(Gelu.erf(3 - 1e-9) + 2 / Math.sqrt(Math.PI) * Math.exp(-9) * 2e-9, Gelu.erf(3 + 1e-9), 1e-15);
    }

    @Test
    void erfFloatIsCloseToErf() {
        // Abramowitz–Stegun 7.1.26 itself is within 1.5e-7 (checked here in double). The float evaluation adds
        // rounding: near 0, erf = 1 − poly·e⁻ˣ² cancels two numbers ≈ 1 whose float errors are a few ulps of 1
        // (ulp(1) = 1.2e-7), so the float version is only within 5e-7 (worst 4.6e-7 near |x| = 0.035), not the
        // 1.5e-7 its doc states. GELU multiplies this by 0.5·|x|, so GELU's error stays below 2.5e-7·|x|.
        double worstFloat = 0, worstFormula = 0;
        for (int i = -80000; i <= 80000; i++) {
            float x = i * 1e-4f;
            double ax = Math.abs(x), t = 1 / (1 + 0.3275911 * ax);
            double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
            worstFormula = Math.max(worstFormula, Math.abs(Math.copySign(1 - poly * Math.exp(-ax * ax), x) - Gelu.erf(x)));
            worstFloat = Math.max(worstFloat, Math.abs(Gelu.erfFloat(x) - Gelu.erf(x)));
            assertEquals(-Gelu.erfFloat(x), Gelu.erfFloat(-x), 0.0f);
        }
        assertTrue(worstFormula <= 1.5e-7, "worst |A&S − erf| in double = " + worstFormula);
        assertTrue(worstFloat <= 5e-7, "worst |erfFloat − erf| = " + worstFloat);
        // Away from the cancellation (|x| ≥ 1, where erf ≥ 0.84 and poly·e⁻ˣ² ≤ 0.16) the promised 2e-7 holds.
        for (int i = 10000; i <= 80000; i++) {
            float x = i * 1e-4f;
            assertEquals(Gelu.erf(x), Gelu.erfFloat(x), 2e-7, "erfFloat(" + x + ")");
        }
    }

    // ---------------------------------------------------------------- Residual, TokenMean, Transpose

    @GradientOf({TransposeAdd.class})
    @Test
    void transposeAddGradient() {
        // L = w · (s + xᵀ): dL/dx = wᵀ, which the op itself computes (the weight sum's backward to W1).
        Random r = new Random(14);
        int rows = 5, cols = 7, n = rows * cols;
        double[] x = randn(r, n, 1), s0 = randn(r, n, 1), w = randn(r, n, 1);
        DoubleSupplier f = () -> {
            double[] y = s0.clone();
            Transpose.addRef(y, x, rows, cols, 1, 0, new TransposeAdd(rows, cols, true).parallelism());
            return dot(w, y);
        };
        double[] dx = new double[n];
        Transpose.addRef(dx, w, cols, rows, 0, 0, new TransposeAdd(cols, rows, false).parallelism());
        checkGradient("dx", x, dx, f);
    }

    @GradientOf({ResidualOps.Residual.class, MaskedAdd.class, ResidualOps.Add.class})
    @Test
    void residualGradients() {
        Random r = new Random(12);
        int batch = 3, rowLen = 7, n = batch * rowLen;
        double[] x = randn(r, n, 1), u = randn(r, n, 1), w = randn(r, n, 1);
        double[] mask = {1 / 0.75, 0, 1 / 0.75};
        int work = new ResidualOps.Residual(batch, rowLen).parallelism();
        DoubleSupplier f = () -> {
            double[] y = new double[n];
            Residual.forwardRef(y, x, u, mask, batch, rowLen, 0, work);
            return dot(w, y);
        };
        double[] dx = new double[n], du = new double[n];
        Residual.addRef(dx, w, n, 0, 0, new ResidualOps.Add(n, false).parallelism());
        Residual.maskedAddRef(du, w, mask, batch, rowLen, 0, 0, new MaskedAdd(batch, rowLen, false).parallelism());
        checkGradient("dx", x, dx, f);
        checkGradient("du", u, du, f);
        for (int i = rowLen; i < 2 * rowLen; i++) assertEquals(0.0, du[i], 0.0, "dropped sample gets no gradient");
        // In place (y = x), as the doc allows.
        double[] y = x.clone(), expect = new double[n];
        Residual.forwardRef(expect, x, u, mask, batch, rowLen, 0, work);
        Residual.forwardRef(y, y, u, mask, batch, rowLen, 0, work);
        assertArrayEquals(expect, y, 0.0);
    }

    @GradientOf({TokenMeanOps.TokenMean.class, TokenMeanBackward.class})
    @Test
    void tokenMeanGradient() {
        Random r = new Random(13);
        int batch = 2, s = 5, c = 3;
        double[] x = randn(r, batch * s * c, 1), u = randn(r, batch * c, 1);
        DoubleSupplier f = () -> {
            double[] y = new double[batch * c];
            TokenMean.forwardRef(y, x, batch, s, c, 0, new TokenMeanOps.TokenMean(batch, s, c).parallelism());
            return dot(u, y);
        };
        double[] dx = new double[x.length];
        TokenMean.backwardRef(dx, u, batch, s, c, 0, 0, new TokenMeanBackward(batch, s, c, false).parallelism());
        checkGradient("dx", x, dx, f);
    }

    // ---------------------------------------------------------------- Cross-entropy

    @GradientOf({CrossEntropyOps.CrossEntropy.class})
    @ParameterizedTest(name = "target mass {0}")
    @ValueSource(doubles = {1.0, 0.93, 1.2})
    void crossEntropyGradientIsThatOfTheBatchMean(double mass) {
        Random r = new Random(Double.hashCode(mass));
        int batch = 4, k = 5;
        double[] logits = randn(r, batch * k, 2), targets = new double[batch * k];
        for (int b = 0; b < batch; b++) {
            double sum = 0;
            for (int j = 0; j < k; j++) sum += targets[b * k + j] = r.nextDouble() + 0.05;
            // Soft targets scaled to the given mass: 1 (mixup + smoothing), or not exactly 1.
            for (int j = 0; j < k; j++) targets[b * k + j] *= mass / sum;
        }
        int work = new CrossEntropyOps.CrossEntropy(batch, k).parallelism();
        double[] losses = new double[batch], dlogits = new double[batch * k];
        DoubleSupplier f = () -> {
            double[] l = new double[batch];
            CrossEntropy.ref(l, new double[batch * k], logits, targets, batch, k, 0, work);
            return Arrays.stream(l).sum() / batch;
        };
        CrossEntropy.ref(losses, dlogits, logits, targets, batch, k, 0, work);
        checkGradient("dlogits", logits, dlogits, f);
        // Each loss is −Σ t·log softmax, written out directly.
        for (int b = 0; b < batch; b++) {
            double z = 0;
            for (int j = 0; j < k; j++) z += Math.exp(logits[b * k + j]);
            double expect = 0;
            for (int j = 0; j < k; j++) expect -= targets[b * k + j] * Math.log(Math.exp(logits[b * k + j]) / z);
            assertEquals(expect, losses[b], 1e-13 * (1 + Math.abs(expect)), "loss " + b);
        }
        // Shift invariance and no overflow for large logits (max subtraction).
        double[] shifted = logits.clone(), l2 = new double[batch], d2 = new double[batch * k];
        for (int i = 0; i < shifted.length; i++) shifted[i] += 800;
        CrossEntropy.ref(l2, d2, shifted, targets, batch, k, 0, work);
        // 800 + x loses about 1e-13 of x's bits (ulp(800) ≈ 1.1e-13), scaled by Σt ≤ 1.2 and k terms.
        assertArrayEquals(losses, l2, 1e-11);
        assertArrayEquals(dlogits, d2, 1e-11);
    }

    // ---------------------------------------------------------------- Penalty

    @GradientOf({PenaltyOps.SumSquares.class, L2Grad.class})
    @Test
    void penaltyGradientIsThatOfLambdaTimesSumSquares() {
        Random r = new Random(21);
        int n = 17, slot = 2;
        double lambda = 0.37;
        double[] w = randn(r, n, 1);
        double[] scalars = new double[Scalars.SIZE];
        Arrays.fill(scalars, 5.0); // wrong slots hold something else, so reading one shows
        scalars[Scalars.LAMBDA] = lambda;
        DoubleSupplier f = () -> {
            double[] out = new double[slot + 1];
            Penalty.sumSquaresRef(out, w, n, slot);
            return lambda * out[slot];
        };
        double[] grad = new double[n];
        Penalty.gradRef(grad, w, scalars, n, Scalars.LAMBDA, 0, new L2Grad(n, Scalars.LAMBDA).parallelism());
        checkGradient("dw", w, grad, f);
        // SUM_SQUARES writes its slot only; L2_GRAD always adds (it follows the backward pass).
        double[] out = {-1, -1, -1, -1};
        Penalty.sumSquaresRef(out, w, n, slot);
        assertEquals(-1, out[0]);
        assertEquals(-1, out[1]);
        assertEquals(-1, out[3]);
        assertEquals(Arrays.stream(w).map(v -> v * v).sum(), out[slot], 1e-13);
        double[] pre = randn(r, n, 1), acc = pre.clone();
        Penalty.gradRef(acc, w, scalars, n, Scalars.LAMBDA, 0, n);
        for (int i = 0; i < n; i++) assertEquals(pre[i] + grad[i], acc[i], 0.0, "L2_GRAD adds at " + i);
    }

    // ---------------------------------------------------------------- fused GEMM epilogues

    /**
     * A channel layer with a bias and a second consumer term (GELU's output used twice, so the backward takes g's
     * first term as its prior; no model of the registry does this since asymmixer sums its weights first): L = Σ U ⊙ (a·W2ᵀ + a·W3ᵀ), a = GELU(x·W1ᵀ + b1), forward by
     * GEMM_BIAS_GELU, dh by GEMM_GELU_BACKWARD on g = U·W2 [+] U·W3; dx = dh·W1 and db1 = Σ_rows dh against central
     * differences. With slope the forward leaves GELU'(h) where h was and the backward multiplies by it.
     */
    @GradientOf({GemmBiasGelu.class, GemmGeluBackward.class})
    @ParameterizedTest(name = "slope {0}")
    @ValueSource(booleans = {false, true})
    void fusedChannelLayerGradients(boolean slope) {
        Random r = new Random(21);
        int rows = 5, in = 6, hid = 7, out = 4;
        double[] x = randn(r, rows * in, 1), w1 = randn(r, hid * in, 0.6), b1 = randn(r, hid, 0.5);
        double[] w2 = randn(r, out * hid, 0.6), w3 = randn(r, out * hid, 0.6), u = randn(r, rows * out, 1);
        GemmBiasGelu fwd = new GemmBiasGelu(1, rows, hid, in, false, true, 0, 0, true, false, slope);
        DoubleSupplier f = () -> {
            double[] h = new double[rows * hid], a = new double[rows * hid], y = new double[rows * out];
            fwd.ref(new double[][] {h, a, x, w1, b1}, 0, rows);
            gemm(y, a, w2, g(1, rows, out, hid, 0, 1, 0, 0, 0));
            new GemmOps.Gemm(1, rows, out, hid, false, true, 0, 0, 0, true).ref(new double[][] {y, a, w3}, 0, rows);
            return dot(u, y);
        };
        double[] h = new double[rows * hid], a = new double[rows * hid], g2 = new double[rows * hid], dh = new double[rows * hid];
        fwd.ref(new double[][] {h, a, x, w1, b1}, 0, rows);
        gemm(g2, u, w2, g(1, rows, hid, out, 0, 0, 0, 0, 0));
        new GemmGeluBackward(1, rows, hid, out, false, false, 0, 0, true, false, slope).ref(new double[][] {dh, h, u, w3, g2}, 0, rows);
        double[] dx = new double[rows * in], db1 = new double[hid];
        gemm(dx, dh, w1, g(1, rows, in, hid, 0, 0, 0, 0, 0));
        for (int i = 0; i < rows; i++) for (int j = 0; j < hid; j++) db1[j] += dh[i * hid + j];
        checkGradient("dx", x, dx, f);
        checkGradient("db1", b1, db1, f);
    }

    /**
     * A token layer (per image W1·x_b with a bias per row, batch 2): L = Σ_b U_b ⊙ (W2·GELU(W1·x_b + b1)); dh by
     * GEMM_GELU_BACKWARD on g_b = W2ᵀ·U_b, dx_b = W1ᵀ·dh_b, db1 = Σ_b Σ_c dh; with slope through GELU'(h), as in the channel layer.
     */
    @GradientOf({GemmBiasGelu.class, GemmGeluBackward.class})
    @ParameterizedTest(name = "slope {0}")
    @ValueSource(booleans = {false, true})
    void fusedTokenLayerGradients(boolean slope) {
        Random r = new Random(22);
        int batch = 2, s = 5, c = 3, hid = 4;
        double[] x = randn(r, batch * s * c, 1), w1 = randn(r, hid * s, 0.6), b1 = randn(r, hid, 0.5);
        double[] w2 = randn(r, s * hid, 0.6), u = randn(r, batch * s * c, 1);
        GemmBiasGelu fwd = new GemmBiasGelu(batch, hid, c, s, false, false, 0, s * c, true, true, slope);
        DoubleSupplier f = () -> {
            double[] h = new double[batch * hid * c], a = new double[batch * hid * c], y = new double[batch * s * c];
            fwd.ref(new double[][] {h, a, w1, x, b1}, 0, batch * hid);
            gemm(y, w2, a, g(batch, s, c, hid, 0, 0, 0, hid * c, s * c));
            return dot(u, y);
        };
        double[] h = new double[batch * hid * c], a = new double[batch * hid * c], dh = new double[batch * hid * c];
        fwd.ref(new double[][] {h, a, w1, x, b1}, 0, batch * hid);
        new GemmGeluBackward(batch, hid, c, s, true, false, 0, s * c, false, false, slope).ref(new double[][] {dh, h, w2, u}, 0, batch * hid);
        double[] dx = new double[batch * s * c], db1 = new double[hid];
        gemm(dx, w1, dh, g(batch, s, c, hid, 1, 0, 0, hid * c, s * c));
        for (int b = 0; b < batch; b++) for (int i = 0; i < hid; i++) for (int k = 0; k < c; k++) db1[i] += dh[(b * hid + i) * c + k];
        checkGradient("dx", x, dx, f);
        checkGradient("db1", b1, db1, f);
    }

    /**
     * The residual with its branch's product and bias fused (GEMM_BIAS_RESIDUAL): L = Σ U ⊙ y, y = x + mask·(op(a)·op(b)
     * + bias), mask one entry per image. Its backward is the unfused one the tape writes: dx = U by ADD, du = mask ⊙ U by
     * MASKED_ADD, the product's operand gradients by GEMM on du, the bias's by BIAS_GRAD: against central differences of
     * the fused forward. A channel layer (rows of 2 images × 3 tokens, weight transposed, bias per column) and a token
     * layer (the weight on the left of each image's c, bias per row).
     */
    @GradientOf({GemmBiasResidual.class})
    @ParameterizedTest(name = "token layer {0}")
    @ValueSource(booleans = {false, true})
    void fusedResidualGradients(boolean token) {
        Random r = new Random(token ? 24 : 23);
        int images = 2, batch = token ? images : 1, m = token ? 4 : 6, n = token ? 3 : 5, k = token ? 5 : 4;
        int rowsPerImage = token ? m : m / images, sa = 0, sb = token ? k * n : 0, size = batch * m * n;
        double[] x = randn(r, size, 1), a = randn(r, m * k, 1), b = randn(r, token ? batch * k * n : n * k, 1);
        double[] bias = randn(r, token ? m : n, 1), u = randn(r, size, 1), mask = {1 / 0.75, 0.4};
        GemmBiasResidual op = new GemmBiasResidual(batch, m, n, k, false, !token, sa, sb, true, token, rowsPerImage);
        DoubleSupplier f = () -> {
            double[] y = new double[size];
            op.ref(new double[][] {y, x, a, b, mask, bias}, 0, op.parallelism());
            return dot(u, y);
        };
        double[] dx = new double[size], du = new double[size], da = new double[a.length], db = new double[b.length];
        double[] dbias = new double[bias.length];
        Residual.addRef(dx, u, size, 0, 0, new ResidualOps.Add(size, false).parallelism());
        Residual.maskedAddRef(du, u, mask, images, size / images, 0, 0, new MaskedAdd(images, size / images, false).parallelism());
        if (token) {
            gemm(da, du, b, g(batch, m, k, n, 0, 1, m * n, k * n, 0)); // Σ_b du_b · b_bᵀ
            gemm(db, a, du, g(batch, k, n, m, 1, 0, 0, m * n, k * n)); // aᵀ · du_b
            Bias.gradRef(dbias, du, batch, m, n, 0, 0, new BiasGrad(batch, m, n, false).parallelism());
        } else {
            gemm(da, du, b, g(1, m, k, n, 0, 0, 0, 0, 0)); // du · W
            gemm(db, du, a, g(1, n, k, m, 1, 0, 0, 0, 0)); // duᵀ · a
            Bias.gradRef(dbias, du, m, n, 1, 0, 0, new BiasGrad(m, n, 1, false).parallelism());
        }
        checkGradient("dx", x, dx, f);
        checkGradient("da", a, da, f);
        checkGradient("db", b, db, f);
        checkGradient("dbias", bias, dbias, f);
    }

    /**
     * Every op kind has a test here that checks its derivative by finite differences or, for an op with none to take
     * (a data rearrangement of the input, the optimiser's update), its definition, and says so with
     * {@link GradientOf}: a new op fails this until such a test names it.
     */
    @Test
    void everyOpHasAGradientOrDefinitionTest() {
        java.util.Set<Class<?>> named = new java.util.HashSet<>();
        for (var method : KernelGradientTest.class.getDeclaredMethods()) {
            GradientOf of = method.getAnnotation(GradientOf.class);
            if (of == null) continue;
            assertTrue(method.isAnnotationPresent(Test.class) || method.isAnnotationPresent(ParameterizedTest.class),
                    method.getName() + " names ops with @GradientOf but is not a test");
            named.addAll(Arrays.asList(of.value()));
        }
        java.util.Set<String> missing = new java.util.TreeSet<>();
        for (Class<?> kind : Op.kinds()) if (!named.contains(kind)) missing.add(kind.getSimpleName());
        assertTrue(missing.isEmpty(), "op kinds that no @GradientOf test names: " + missing);
        named.removeAll(Op.kinds());
        assertTrue(named.isEmpty(), "@GradientOf names classes that are not op kinds: " + named);
    }

    // ---------------------------------------------------------------- Patchify

    @GradientOf({PatchifyOps.Patchify.class})
    @Test
    void patchifyTimesWeightIsTheStridedConvolution() {
        // H not a multiple of P (the last row is dropped, as Conv2d with stride P does) and H ≠ W.
        Random r = new Random(8);
        int batch = 2, cin = 3, h = 9, w = 12, p = 4, out = 5, gh = h / p, gw = w / p, s = gh * gw, row = cin * p * p;
        double[] image = randn(r, batch * cin * h * w, 1), weight = randn(r, out * row, 1); // Conv2d weight (out, cin, p, p)
        double[] patches = new double[batch * s * row];
        PatchifyOps.Patchify op = new PatchifyOps.Patchify(batch, cin, h, w, p);
        assertEquals(patches.length, op.minSizes()[0]);
        Patchify.forwardRef(patches, image, batch, cin, h, w, p, 0, op.parallelism());
        // patches (B·S, Cin·P·P) · Wᵀ with the GEMM the stem uses: weight as b with transB.
        double[] y = new double[batch * s * out];
        gemm(y, patches, weight, g(1, batch * s, out, row, 0, 1, 0, 0, 0));
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < out; o++)
                for (int py = 0; py < gh; py++)
                    for (int px = 0; px < gw; px++) {
                        double conv = 0; // nn.Conv2d(cin, out, kernel_size=p, stride=p, bias=False)
                        for (int ch = 0; ch < cin; ch++)
                            for (int dy = 0; dy < p; dy++)
                                for (int dx = 0; dx < p; dx++)
                                    conv += weight[((o * cin + ch) * p + dy) * p + dx]
                                            * image[((b * cin + ch) * h + py * p + dy) * w + px * p + dx];
                        int token = py * gw + px; // flatten(2) of the conv output: row-major over (H/P, W/P)
                        assertEquals(conv, y[(b * s + token) * out + o], 1e-12, "b=" + b + " o=" + o + " py=" + py + " px=" + px);
                    }
    }

    // ---------------------------------------------------------------- AdamW

    @GradientOf({AdamWOps.AdamW.class})
    @ParameterizedTest(name = "decay={0}")
    @ValueSource(ints = {0, 1})
    void adamWMatchesPyTorchOverThreeSteps(int decay) {
        Random r = new Random(40 + decay);
        int n = 31;
        double lr = 1e-2, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, wd = 0.05;
        double[] p = randn(r, n, 1), m = new double[n], v = new double[n];
        double[] tp = p.clone(), tm = new double[n], tv = new double[n]; // the transcription's state
        for (int step = 1; step <= 3; step++) {
            double[] g = randn(r, n, 0.5);
            g[0] = 0;      // a zero gradient: the update comes only from the moments (and decay)
            g[1] = 1e3;    // a large one
            double[] s = new double[Scalars.SIZE];
            s[Scalars.LR] = lr;
            s[Scalars.BETA1] = beta1;
            s[Scalars.BETA2] = beta2;
            s[Scalars.ONE_MINUS_BETA1] = 1 - beta1;
            s[Scalars.ONE_MINUS_BETA2] = 1 - beta2;
            s[Scalars.EPS] = eps;
            s[Scalars.WEIGHT_DECAY] = wd;
            s[Scalars.BC1] = 1 - Math.pow(beta1, step);
            s[Scalars.BC2] = 1 - Math.pow(beta2, step);
            s[Scalars.LAMBDA] = Double.NaN; // not AdamW's
            AdamW.ref(p, g, m, v, s, n, decay, 0, new AdamWOps.AdamW(n, decay != 0).parallelism());
            pytorchAdamW(tp, g, tm, tv, step, lr, beta1, beta2, eps, decay != 0 ? wd : 0);
            // Same operations in double, reassociated slightly (lerp): a few ulps, so 1e-14 relative.
            for (int i = 0; i < n; i++) {
                assertEquals(tm[i], m[i], 1e-14 * (1 + Math.abs(tm[i])), "exp_avg[" + i + "] after step " + step);
                assertEquals(tv[i], v[i], 1e-14 * (1 + Math.abs(tv[i])), "exp_avg_sq[" + i + "] after step " + step);
                assertEquals(tp[i], p[i], 1e-14 * (1 + Math.abs(tp[i])), "param[" + i + "] after step " + step);
            }
        }
        // Without decay the zero-gradient entry moves only by the momentum of earlier steps: here none, it stays put.
        // (g[0] = 0 in every step, so m[0] = v[0] = 0 and the update is 0/(0 + eps).)
        assertEquals(0.0, m[0]);
        if (decay == 0) assertEquals(tp[0], p[0], 0.0);
    }

    /** torch.optim.AdamW, single-tensor path (foreach=False, amsgrad=False, maximize=False), written out. */
    private static void pytorchAdamW(double[] param, double[] grad, double[] expAvg, double[] expAvgSq, int step,
                                     double lr, double beta1, double beta2, double eps, double weightDecay) {
        for (int i = 0; i < param.length; i++) {
            param[i] *= 1 - lr * weightDecay;                                 // param.mul_(1 - lr * weight_decay)
            expAvg[i] += (grad[i] - expAvg[i]) * (1 - beta1);                 // exp_avg.lerp_(grad, 1 - beta1)
            expAvgSq[i] = expAvgSq[i] * beta2 + (1 - beta2) * grad[i] * grad[i]; // mul_(beta2).addcmul_(grad, grad, 1 - beta2)
            double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
            double stepSize = lr / bc1, bc2Sqrt = Math.sqrt(bc2);
            double denom = Math.sqrt(expAvgSq[i]) / bc2Sqrt + eps;
            param[i] += -stepSize * expAvg[i] / denom;                        // param.addcdiv_(exp_avg, denom, value=-step_size)
        }
    }
}
