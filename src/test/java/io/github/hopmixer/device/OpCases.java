package io.github.hopmixer.device;

import io.github.hopmixer.ops.AdamWOps.AdamW;
import io.github.hopmixer.ops.BiasOps.AddBias;
import io.github.hopmixer.ops.BiasOps.BiasGrad;
import io.github.hopmixer.ops.CrossEntropyOps.CrossEntropy;
import io.github.hopmixer.ops.GeluOps.Gelu;
import io.github.hopmixer.ops.GeluOps.GeluBackward;
import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.ops.LayerNormOps.LayerNorm;
import io.github.hopmixer.ops.LayerNormOps.LayerNormBackwardInput;
import io.github.hopmixer.ops.LayerNormOps.LayerNormBackwardParams;
import io.github.hopmixer.ops.Op;
import io.github.hopmixer.ops.PatchifyOps.Patchify;
import io.github.hopmixer.ops.PenaltyOps.L2Grad;
import io.github.hopmixer.ops.PenaltyOps.SumSquares;
import io.github.hopmixer.ops.ResidualOps.Add;
import io.github.hopmixer.ops.ResidualOps.MaskedAdd;
import io.github.hopmixer.ops.ResidualOps.Residual;
import io.github.hopmixer.ops.TokenMeanOps.TokenMean;
import io.github.hopmixer.ops.TokenMeanOps.TokenMeanBackward;
import io.github.hopmixer.ops.WeightSumOps.TransposeAdd;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.testing.Tiny;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The one op catalogue: every op kind on awkward sizes ({@link #all}), each case with the inputs it needs and the
 * magnitude of the terms behind each output, from which {@link ConformanceTest} sets its tolerance. The conformance
 * suite runs every case on every device, {@code AccFlagTest} draws the acc checks from it, and a new op kind fails
 * {@link ConformanceTest#everyOpHasAConformanceCase} until it has a case here (the fused ops' are in {@link FusedCases}).
 */
public final class OpCases {
    private OpCases() {}

    /** Fills the buffer arguments of a case (null for pure outputs) from a seeded generator. */
    interface Init { float[][] make(Random r, long[] sizes, Op op); }

    /**
     * For each written argument, the magnitude of the terms its value is computed from (Σ|terms| for a sum), from
     * the inputs {@code in} (as the device got them) and the reference's outputs {@code out}. Null: the op is
     * linear in each input, and the reference run on |inputs| gives exactly Σ|terms|.
     */
    interface Magnitude { double[][] of(double[][] in, double[][] out, Op op); }

    public record OpCase(String name, Op op, Init init, Magnitude magnitude) {
        @Override
        public String toString() { return name; }
    }

    static float[] randn(Random r, long n, double scale) {
        return Tiny.randn(r, Math.toIntExact(n), scale);
    }

    /** Every argument Gaussian; outputs that are only written get null. */
    static Init gaussian() {
        return (r, sizes, op) -> {
            float[][] a = new float[sizes.length][];
            for (int k = 0; k < sizes.length; k++) {
                if (!op.writes(k) || op.readsOutput()) a[k] = randn(r, sizes[k], 1);
            }
            return a;
        };
    }

    static OpCase linear(String name, Op op) {
        return new OpCase(name, op, gaussian(), null);
    }

    static float[] mask(Random r, int n) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) m[i] = r.nextFloat() < 0.3 ? 0f : 1f / 0.75f;
        m[0] = 0f;
        return m;
    }

    public static List<OpCase> all() {
        List<OpCase> cs = new ArrayList<>();
        // GEMM: every (transA, transB); batch 1, per-image operands, a weight on either side (batch stride 0), and the
        // weight-gradient form (strideC 0, batch summed inside). M, N, K are 7, 13, 29, 33: not multiples of 4 rows or
        // of any vector length. With L floats per vector (4, 8 or 16), N = 33 fills the 4-row × 2L blocks, 13 leaves
        // scalar tails, and 29 (29 mod 2L ≥ L for every L) has columns that 4-row blocks leave to the scalar tail
        // while 1-row blocks vectorise them, so which rows form blocks (the thread split) must not matter.
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                String t = " tA" + ta + " tB" + tb;
                cs.add(linear("GEMM batch1 7x13x33" + t, new Gemm(1, 7, 13, 33, ta == 1, tb == 1, 0, 0, 0, false)));
                cs.add(linear("GEMM perImage 13x33x7 acc" + t, new Gemm(3, 13, 33, 7, ta == 1, tb == 1, 13 * 7, 7 * 33, 13 * 33, true)));
                cs.add(linear("GEMM weightA 33x7x13" + t, new Gemm(3, 33, 7, 13, ta == 1, tb == 1, 0, 13 * 7, 33 * 7, false)));
                cs.add(linear("GEMM weightB 7x33x13 acc" + t, new Gemm(3, 7, 33, 13, ta == 1, tb == 1, 7 * 13, 0, 7 * 33, true)));
                cs.add(linear("GEMM strideC0 13x29x7" + t, new Gemm(4, 13, 29, 7, ta == 1, tb == 1, 13 * 7 + 3, 7 * 29 + 1, 0, (ta ^ tb) == 1)));
                cs.add(linear("GEMM perImage 9x29x5" + t, new Gemm(2, 9, 29, 5, ta == 1, tb == 1, 9 * 5, 5 * 29, 9 * 29, false)));
                // K above two vector widths: full vectors and a masked rest in the batch-summed (weight-gradient) kernels.
                cs.add(linear("GEMM strideC0 12x8x37" + t, new Gemm(3, 12, 8, 37, ta == 1, tb == 1, 12 * 37, 37 * 8, 0, false)));
                // Aligned: the nano step's shapes (M = B·64 tokens, C = 128, hidden 512) scaled down, every size a multiple
                // of 16, so each device takes its vector/tiled paths with no tails (TornadoVM: nn16, transpose + nn16,
                // nt8; the JVM: full register blocks).
                cs.add(linear("GEMM aligned batch1 64x128x32" + t, new Gemm(1, 64, 128, 32, ta == 1, tb == 1, 0, 0, 0, false)));
                cs.add(linear("GEMM aligned perImage 64x32x128 acc" + t,
                        new Gemm(2, 64, 32, 128, ta == 1, tb == 1, 64 * 128, 128 * 32, 64 * 32, true)));
                cs.add(linear("GEMM aligned weightB 64x128x32" + t, new Gemm(2, 64, 128, 32, ta == 1, tb == 1, 64 * 32, 0, 64 * 128, false)));
                cs.add(linear("GEMM aligned weightA 64x128x64" + t, new Gemm(2, 64, 128, 64, ta == 1, tb == 1, 0, 64 * 128, 64 * 128, false)));
                cs.add(linear("GEMM aligned strideC0 32x128x64 acc" + t, new Gemm(2, 32, 128, 64, ta == 1, tb == 1, 32 * 64, 64 * 128, 0, true)));
                // The JVM's packed panels: one whole panel and a column tail (n = 100), five K blocks (K = 600), row tiles
                // of 6, 4 and 1 (m = 35); and a batch-summed product whose per-image b is repacked for every image.
                cs.add(linear("GEMM panels perImage 35x100x600" + t,
                        new Gemm(2, 35, 100, 600, ta == 1, tb == 1, 35 * 600, 600 * 100, 35 * 100, (ta ^ tb) == 1)));
                cs.add(linear("GEMM panels strideC0 20x70x40" + t, new Gemm(3, 20, 70, 40, ta == 1, tb == 1, 20 * 40, 40 * 70, 0, false)));
                // A transposed b packed by register transposes of L × L blocks (n whole panels for any L up to 16):
                // K with whole blocks and a scalar rest (45 = 2·16 + 13), summed over images as the token weight
                // gradient is; and K blocks of 128 whose last (600 − 512 = 88) ends in a rest for every L.
                cs.add(linear("GEMM transposed panels strideC0 19x64x45 acc" + t,
                        new Gemm(3, 19, 64, 45, ta == 1, tb == 1, 19 * 45, 45 * 64, 0, true)));
                cs.add(linear("GEMM transposed panels perImage 13x128x600" + t,
                        new Gemm(2, 13, 128, 600, ta == 1, tb == 1, 13 * 600, 600 * 128, 13 * 128, false)));
                // Summed over images with a column tail (n = 20) but m whole panels (128, 64): tA0 tB1 runs as its
                // transpose, each thread's rows widened to whole panels (3 threads split 128 rows inside panels); K blocks
                // (K = 600) in the second.
                cs.add(linear("GEMM transposed sum strideC0 128x20x37 acc" + t,
                        new Gemm(3, 128, 20, 37, ta == 1, tb == 1, 128 * 37, 20 * 37, 0, true)));
                cs.add(linear("GEMM transposed sum strideC0 64x10x600" + t,
                        new Gemm(2, 64, 10, 600, ta == 1, tb == 1, 64 * 600, 10 * 600, 0, false)));
                // 1088 rows: one thread's 17 panels pack a (GemmTiles) in the transposed product.
                cs.add(linear("GEMM transposed sum strideC0 1088x20x37" + t,
                        new Gemm(2, 1088, 20, 37, ta == 1, tb == 1, 1088 * 37, 20 * 37, 0, false)));
                // Split by columns (batch 1, m < n, at least two blocks of 64): blocks of whole panels that 2 threads
                // split inside a block (20 rows × 3 blocks); a last block with a column tail (n = 150) and an odd K; five
                // K blocks (K = 600) with rows in a 6-row and a 1-row tile and a 8-column last block.
                cs.add(linear("GEMM columns 20x192x40" + t, new Gemm(1, 20, 192, 40, ta == 1, tb == 1, 0, 0, 0, false)));
                cs.add(linear("GEMM columns tail 13x150x37 acc" + t, new Gemm(1, 13, 150, 37, ta == 1, tb == 1, 0, 0, 0, true)));
                cs.add(linear("GEMM columns K blocks 7x200x600" + t, new Gemm(1, 7, 200, 600, ta == 1, tb == 1, 0, 0, 0, (ta ^ tb) == 1)));
                // TornadoVM's GPU config: the 128 × 128 tile (8 × 8 a work-item), enough outputs for the shipped
                // gemm.tile8.workitems, with a 16-wide tail on both sides (its split runs in TiledGemmTest).
                cs.add(linear("GEMM tile8 perImage 1040x1040x8" + t,
                        new Gemm(4, 1040, 1040, 8, ta == 1, tb == 1, 1040 * 8, 8 * 1040, 1040 * 1040, (ta ^ tb) == 1)));
            }
        cs.add(linear("ADD_BIAS channel", new AddBias(7, 13, 1)));
        cs.add(linear("ADD_BIAS token", new AddBias(5, 7, 6)));
        cs.add(linear("BIAS_GRAD channel", new BiasGrad(7, 13, 1, false)));
        cs.add(linear("BIAS_GRAD token acc", new BiasGrad(5, 7, 6, true)));
        // Reductions longer than one work-group's span (256 work-items in the GPU config) and not a multiple of it, so
        // the work-group kernels' strided loops, idle lanes and partly filled column blocks are exercised.
        cs.add(linear("BIAS_GRAD long", new BiasGrad(600, 5, 1, false)));
        cs.add(linear("BIAS_GRAD channel wide acc", new BiasGrad(9, 300, 1, true)));
        cs.add(linear("BIAS_GRAD token long acc", new BiasGrad(40, 7, 13, true)));
        // Token entries eight at a time side by side, and a tail of 3.
        cs.add(linear("BIAS_GRAD token wide acc", new BiasGrad(3, 19, 5, true)));
        cs.add(layerNorm("LAYERNORM per-token", 7, 13));
        cs.add(layerNorm("LAYERNORM joint", 3, 52));
        cs.add(layerNorm("LAYERNORM long rows", 3, 700));
        cs.add(layerNormBackwardInput("LAYERNORM_BACKWARD_INPUT", 5, 33, 0));
        cs.add(layerNormBackwardInput("LAYERNORM_BACKWARD_INPUT acc", 3, 13, 1));
        cs.add(layerNormBackwardInput("LAYERNORM_BACKWARD_INPUT long rows acc", 2, 600, 1));
        cs.add(layerNormBackwardParams("LAYERNORM_BACKWARD_PARAMS", 5, 33, 0));
        cs.add(layerNormBackwardParams("LAYERNORM_BACKWARD_PARAMS acc", 7, 13, 1));
        cs.add(layerNormBackwardParams("LAYERNORM_BACKWARD_PARAMS many rows", 700, 5, 0));
        cs.add(layerNormBackwardParams("LAYERNORM_BACKWARD_PARAMS wide acc", 3, 300, 1));
        cs.add(gelu("GELU", 37));
        cs.add(gelu("GELU short", 5));
        cs.add(geluBackward("GELU_BACKWARD", 37, 0));
        cs.add(geluBackward("GELU_BACKWARD acc", 29, 1));
        cs.add(withMask("RESIDUAL", new Residual(3, 13), 3));
        cs.add(withMask("MASKED_ADD", new MaskedAdd(3, 13, false), 2));
        cs.add(withMask("MASKED_ADD acc", new MaskedAdd(4, 7, true), 2));
        cs.add(linear("ADD", new Add(37, false)));
        cs.add(linear("ADD acc", new Add(29, true)));
        cs.add(linear("TRANSPOSE_ADD 7x13", new TransposeAdd(7, 13, false)));
        cs.add(linear("TRANSPOSE_ADD 13x5 acc", new TransposeAdd(13, 5, true)));
        cs.add(linear("TOKEN_MEAN", new TokenMean(3, 7, 13)));
        cs.add(linear("TOKEN_MEAN long", new TokenMean(2, 300, 5)));
        cs.add(linear("TOKEN_MEAN_BACKWARD", new TokenMeanBackward(3, 7, 13, false)));
        cs.add(linear("TOKEN_MEAN_BACKWARD acc", new TokenMeanBackward(2, 5, 9, true)));
        cs.add(linear("PATCHIFY 9x12 p4", new Patchify(2, 3, 9, 12, 4)));
        cs.add(linear("PATCHIFY 8x8 p2", new Patchify(3, 1, 8, 8, 2)));
        cs.add(crossEntropy("CROSS_ENTROPY", 5, 13, 1.0f));
        cs.add(crossEntropy("CROSS_ENTROPY mass 0.9", 3, 7, 0.9f));
        cs.add(crossEntropy("CROSS_ENTROPY 300 classes", 2, 300, 1.0f));
        cs.add(linear("SUM_SQUARES", new SumSquares(37, 2)));
        cs.add(linear("SUM_SQUARES long", new SumSquares(1000, 0)));
        // longer than the GPU config's first pass (64 groups × 256 work-items): two pass-one iterations, 64 partials
        cs.add(linear("SUM_SQUARES two-pass", new SumSquares(20000, 1)));
        cs.add(withScalars("L2_GRAD", new L2Grad(37, Scalars.LAMBDA), 2, null));
        cs.add(withScalars("ADAMW decay", new AdamW(37, true), 4, OpCases::adamMagnitude));
        cs.add(withScalars("ADAMW no decay", new AdamW(29, false), 4, OpCases::adamMagnitude));
        cs.addAll(FusedCases.cases());
        return cs;
    }

    // ---- cases with structured inputs and their magnitudes

    static OpCase withMask(String name, Op op, int maskArg) {
        Init base = gaussian();
        return new OpCase(name, op, (r, sizes, i) -> {
            float[][] a = base.make(r, sizes, i);
            a[maskArg] = mask(r, Math.toIntExact(sizes[maskArg]));
            return a;
        }, null);
    }

    static OpCase withScalars(String name, Op op, int scalarArg, Magnitude magnitude) {
        Init base = gaussian();
        return new OpCase(name, op, (r, sizes, i) -> {
            float[][] a = base.make(r, sizes, i);
            a[scalarArg] = Scalars.adamW(1e-2, 0.05, 3, 0.3);
            if (op instanceof AdamW) {
                for (int k = 0; k < a[2].length; k++) a[2][k] *= 0.1f;                   // m
                for (int k = 0; k < a[3].length; k++) a[3][k] = 0.01f * a[3][k] * a[3][k]; // v ≥ 0
            }
            return a;
        }, magnitude);
    }

    static double[][] adamMagnitude(double[][] in, double[][] out, Op op) {
        double[] s = in[4];
        AdamW adam = (AdamW) op;
        int n = adam.n();
        double lr = s[Scalars.LR], wd = adam.decay() ? s[Scalars.WEIGHT_DECAY] : 0, step = lr / s[Scalars.BC1];
        double b1 = s[Scalars.BETA1], b2 = s[Scalars.BETA2], sqrtBc2 = Math.sqrt(s[Scalars.BC2]);
        double[][] mag = new double[5][];
        mag[0] = new double[n];
        mag[2] = new double[n];
        mag[3] = new double[n];
        for (int i = 0; i < n; i++) {
            double g = in[1][i];
            mag[2][i] = b1 * Math.abs(in[2][i]) + (1 - b1) * Math.abs(g);
            mag[3][i] = b2 * in[3][i] + (1 - b2) * g * g;
            mag[0][i] = Math.abs(in[0][i]) * (1 - lr * wd) + step * mag[2][i] / (Math.sqrt(out[3][i]) / sqrtBc2 + s[Scalars.EPS]);
        }
        return mag;
    }

    static OpCase layerNorm(String name, int rows, int dim) {
        return new OpCase(name, new LayerNorm(rows, dim), (r, sizes, i) -> {
            float[][] a = new float[6][];
            a[3] = randn(r, sizes[3], 1.5);
            for (int k = 0; k < a[3].length; k++) a[3][k] += 0.5f;
            a[4] = randn(r, dim, 0.3);
            for (int k = 0; k < dim; k++) a[4][k] += 1;
            a[5] = randn(r, dim, 1);
            return a;
        }, (in, out, i) -> {
            // y = (x − μ)·rs·γ + β: errors in μ (≈ dim·u·mean|x|) and rs (≈ dim·u·rs) scale with these.
            double[][] mag = new double[6][];
            mag[0] = new double[rows * dim];
            mag[1] = new double[rows];
            mag[2] = new double[rows];
            for (int row = 0; row < rows; row++) {
                double mu = out[1][row], rs = out[2][row], meanAbs = 0;
                for (int k = 0; k < dim; k++) meanAbs += Math.abs(in[3][row * dim + k]) / dim;
                for (int k = 0; k < dim; k++) {
                    double x = in[3][row * dim + k];
                    mag[0][row * dim + k] = Math.abs(in[4][k]) * rs * (Math.abs(x - mu) + meanAbs) + Math.abs(in[5][k]);
                }
                mag[1][row] = meanAbs;
                mag[2][row] = rs;
            }
            return mag;
        });
    }

    /** x with the mean and 1/σ its forward pass would save, as the backward kernels receive them (at x + 1, x + 2). */
    static float[][] layerNormSaved(Random r, int rows, int dim, float[][] a, int x) {
        a[x] = randn(r, (long) rows * dim, 1.5);
        layerNormStats(a, x, rows, dim);
        return a;
    }

    /** The mean and 1/σ of argument {@code x} into arguments x + 1 and x + 2, as the forward pass saves them. */
    public static void layerNormStats(float[][] a, int x, int rows, int dim) {
        int mean = x + 1, rstd = x + 2;
        a[mean] = new float[rows];
        a[rstd] = new float[rows];
        for (int row = 0; row < rows; row++) {
            double mu = 0, var = 0;
            for (int k = 0; k < dim; k++) mu += a[x][row * dim + k] / (double) dim;
            for (int k = 0; k < dim; k++) var += Math.pow(a[x][row * dim + k] - mu, 2) / dim;
            a[mean][row] = (float) mu;
            a[rstd][row] = (float) (1 / Math.sqrt(var + 1e-6));
        }
    }

    static OpCase layerNormBackwardInput(String name, int rows, int dim, int acc) {
        Init base = gaussian();
        return new OpCase(name, new LayerNormBackwardInput(rows, dim, acc != 0),
                (r, sizes, i) -> layerNormSaved(r, rows, dim, base.make(r, sizes, i), 2),
                (in, out, i) -> {
                    // dx = rs·(g − mean g − x̂·mean(g·x̂)), g = dy·γ: the three terms' magnitudes (+ the prior dx).
                    double[][] mag = new double[6][];
                    mag[0] = new double[rows * dim];
                    for (int row = 0; row < rows; row++) {
                        double mu = in[3][row], rs = in[4][row], sg = 0, sgx = 0;
                        for (int k = 0; k < dim; k++) {
                            double g = Math.abs(in[1][row * dim + k] * in[5][k]);
                            sg += g / dim;
                            sgx += g * Math.abs(in[2][row * dim + k] - mu) * rs / dim;
                        }
                        for (int k = 0; k < dim; k++) {
                            int idx = row * dim + k;
                            double xh = Math.abs(in[2][idx] - mu) * rs;
                            mag[0][idx] = rs * (Math.abs(in[1][idx] * in[5][k]) + sg + xh * sgx) + (acc != 0 ? Math.abs(in[0][idx]) : 0);
                        }
                    }
                    return mag;
                });
    }

    static OpCase layerNormBackwardParams(String name, int rows, int dim, int acc) {
        Init base = gaussian();
        return new OpCase(name, new LayerNormBackwardParams(rows, dim, acc != 0),
                (r, sizes, i) -> layerNormSaved(r, rows, dim, base.make(r, sizes, i), 3),
                (in, out, i) -> {
                    double[][] mag = new double[6][];
                    mag[0] = new double[dim];
                    mag[1] = new double[dim];
                    for (int k = 0; k < dim; k++) {
                        for (int row = 0; row < rows; row++) {
                            int idx = row * dim + k;
                            mag[0][k] += Math.abs(in[2][idx] * (in[3][idx] - in[4][row]) * in[5][row]);
                            mag[1][k] += Math.abs(in[2][idx]);
                        }
                        if (acc != 0) {
                            mag[0][k] += Math.abs(in[0][k]);
                            mag[1][k] += Math.abs(in[1][k]);
                        }
                    }
                    return mag;
                });
    }

    /** x spread over ±9 with the awkward points (0, the erf method switch at ±4.24, the tails). */
    static float[] geluInputs(Random r, int n) {
        float[] x = randn(r, n, 3);
        float[] special = {0f, -0f, 4.2f, -4.3f, 9f, -9f, 1e-4f, -12f};
        for (int k = 0; k < Math.min(n, special.length); k++) x[(k * 7) % n] = special[k];
        return x;
    }

    static OpCase gelu(String name, int n) {
        // The float version uses an erf approximation within 5e-7 (see KernelGradientTest): y = ½x(1 + erf) is then
        // within 2.5e-7·|x|, far inside 1e-4·|x|.
        return new OpCase(name, new Gelu(n), (r, sizes, i) -> new float[][] {null, geluInputs(r, n)},
                (in, out, i) -> new double[][] {Arrays.stream(in[1]).map(Math::abs).toArray(), null});
    }

    static OpCase geluBackward(String name, int n, int acc) {
        return new OpCase(name, new GeluBackward(n, acc != 0), (r, sizes, i) ->
                new float[][] {acc != 0 ? randn(r, n, 1) : null, randn(r, n, 1), geluInputs(r, n)},
                (in, out, i) -> {
                    // GELU' = Φ(x) + x·φ(x), each term ≤ 1 + |x| in size.
                    double[] m = new double[n];
                    for (int k = 0; k < n; k++) m[k] = Math.abs(in[1][k]) * (1 + Math.abs(in[2][k])) + (acc != 0 ? Math.abs(in[0][k]) : 0);
                    return new double[][] {m, null, null};
                });
    }

    static OpCase crossEntropy(String name, int batch, int k, float mass) {
        return new OpCase(name, new CrossEntropy(batch, k), (r, sizes, i) -> {
            float[] logits = randn(r, (long) batch * k, 4), t = new float[batch * k];
            for (int b = 0; b < batch; b++) {
                float sum = 0;
                for (int j = 0; j < k; j++) sum += t[b * k + j] = r.nextFloat() + 0.05f;
                for (int j = 0; j < k; j++) t[b * k + j] *= mass / sum;
            }
            return new float[][] {null, null, logits, t};
        }, (in, out, i) -> {
            // loss = Σ t·(lse − z); dlogits = (softmax·Σt − t)/B.
            double[][] mag = new double[4][];
            mag[0] = new double[batch];
            mag[1] = new double[batch * k];
            for (int b = 0; b < batch; b++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0, tm = 0;
                for (int j = 0; j < k; j++) max = Math.max(max, in[2][b * k + j]);
                for (int j = 0; j < k; j++) sum += Math.exp(in[2][b * k + j] - max);
                double lse = max + Math.log(sum);
                for (int j = 0; j < k; j++) {
                    mag[0][b] += Math.abs(in[3][b * k + j]) * (Math.abs(lse) + Math.abs(in[2][b * k + j]));
                    tm += Math.abs(in[3][b * k + j]);
                }
                for (int j = 0; j < k; j++) {
                    mag[1][b * k + j] = (Math.exp(in[2][b * k + j] - lse) * tm + Math.abs(in[3][b * k + j])) / batch;
                }
            }
            return mag;
        });
    }
}
