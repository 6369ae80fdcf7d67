package io.github.hopmixer.tornado;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.device.ReferenceDevice;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Op;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.plan.Scalars;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each TornadoVM kernel run through the device on the default TornadoVM device, against its double-precision
 * scalar reference ({@code io.github.hopmixer.kernels}): the fast GEMM paths on shapes the conformance suite's
 * awkward sizes do not reach (vector kernels need 16-column or 8-deep alignment), with row and column tails,
 * transposes, accumulation and batch sums, and the other ops at the nano model's sizes.
 */
class TornadoKernelTest {
    private static Device device;

    @BeforeAll
    static void open() {
        assumeTrue(TornadoProvider.unavailable() == null, "TornadoVM is not usable here: " + TornadoProvider.unavailable());
        device = Devices.open(System.getProperty("hopmixer.tornado.test.device", "tornado"), 1);
    }

    @AfterAll
    static void close() {
        if (device != null) device.close();
    }

    record Case(String name, Op op, int[] ints) {
        @Override
        public String toString() { return name; }
    }

    /** GEMM ints: batch, m, n, k, transA, transB, strideA, strideB, strideC, acc. */
    static Case gemm(String name, int batch, int m, int n, int k, int tA, int tB, boolean perImageA, boolean perImageB, boolean sumBatch, int acc) {
        int sA = perImageA ? m * k : 0, sB = perImageB ? k * n : 0, sC = sumBatch ? 0 : m * n;
        if (batch == 1) sC = 0;
        return new Case(name, Op.GEMM, new int[] {batch, m, n, k, tA, tB, sA, sB, sC, acc});
    }

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        // nn16: n a multiple of 16; m with and without a tail of the 8-row blocks; op(a) either way.
        for (int tA = 0; tA < 2; tA++) {
            cs.add(gemm("nn16 64x48x40 tA" + tA, 1, 64, 48, 40, tA, 0, false, false, false, 0));
            cs.add(gemm("nn16 37x32x9 acc tA" + tA, 1, 37, 32, 9, tA, 0, false, false, false, 1));
            cs.add(gemm("nn16 batch weight-left 13x32x11 tA" + tA, 3, 13, 32, 11, tA, 0, false, true, false, 0));
            cs.add(gemm("nn16 batch-summed 19x16x7 acc tA" + tA, 4, 19, 16, 7, tA, 0, true, true, true, 1));
            // transposed weight on the right: copied by the transpose kernel, then nn16
            cs.add(gemm("transpose+nn16 70x48x24 tA" + tA, 1, 70, 48, 24, tA, 1, false, false, false, 0));
            cs.add(gemm("transpose+nn16 batch 9x32x5 acc tA" + tA, 2, 9, 32, 5, tA, 1, true, false, false, 1));
        }
        // per-image transposed b: nt8 (k a multiple of 8), with row and column tails, batch sums, acc
        cs.add(gemm("nt8 per-image 13x10x16", 3, 13, 10, 16, 0, 1, true, true, false, 0));
        cs.add(gemm("nt8 batch-summed 6x7x24 acc", 5, 6, 7, 24, 0, 1, true, true, true, 1));
        cs.add(gemm("nt8 weight 20x6x32", 1, 20, 6, 32, 0, 1, false, false, false, 0));
        cs.add(gemm("nt8 head 5x4x8", 1, 5, 4, 8, 0, 1, false, false, false, 0));
        // the nano step's shapes, scaled down in M
        cs.add(gemm("nano fc1 1024x512x128 tB", 1, 1024, 512, 128, 0, 1, false, false, false, 0));
        cs.add(gemm("nano fc2 1024x128x512", 1, 1024, 128, 512, 0, 0, false, false, false, 0));
        cs.add(gemm("nano weight grad 128x512x1024 tA", 1, 128, 512, 1024, 1, 0, false, false, false, 0));
        cs.add(gemm("nano token 64x128x64 batch", 8, 64, 128, 64, 0, 0, false, true, false, 0));
        cs.add(gemm("nano token grad 64x64x128 tB summed", 8, 64, 64, 128, 0, 1, true, true, true, 0));
        // split reductions: the batch sum cut into slices (partial sums, then their sum with acc), and a long K
        cs.add(gemm("split batch-summed 16x32x64 acc tA", 64, 16, 32, 64, 1, 0, true, true, true, 1));
        cs.add(gemm("split K 24x48x4096 tA", 1, 24, 48, 4096, 1, 0, false, false, false, 0));
        cs.add(gemm("scalar tA tB 7x5x3", 2, 7, 5, 3, 1, 1, true, true, false, 0));
        // the other ops at nano sizes (B = 4 images, S = 64 tokens, C = 128)
        cs.add(new Case("ADD_BIAS", Op.ADD_BIAS, new int[] {256, 128, 1}));
        cs.add(new Case("BIAS_GRAD acc", Op.BIAS_GRAD, new int[] {4, 64, 128, 1}));
        cs.add(new Case("LAYERNORM per-token", Op.LAYERNORM, new int[] {256, 128}));
        cs.add(new Case("LAYERNORM joint", Op.LAYERNORM, new int[] {4, 8192}));
        cs.add(new Case("LAYERNORM_BACKWARD_INPUT", Op.LAYERNORM_BACKWARD_INPUT, new int[] {256, 128, 0}));
        cs.add(new Case("LAYERNORM_BACKWARD_PARAMS acc", Op.LAYERNORM_BACKWARD_PARAMS, new int[] {256, 128, 1}));
        cs.add(new Case("GELU", Op.GELU, new int[] {131072}));
        cs.add(new Case("GELU_BACKWARD acc", Op.GELU_BACKWARD, new int[] {131072, 1}));
        cs.add(new Case("RESIDUAL", Op.RESIDUAL, new int[] {4, 8192}));
        cs.add(new Case("MASKED_ADD", Op.MASKED_ADD, new int[] {4, 8192, 0}));
        cs.add(new Case("ADD acc", Op.ADD, new int[] {32768, 1}));
        cs.add(new Case("TOKEN_MEAN", Op.TOKEN_MEAN, new int[] {4, 64, 128}));
        cs.add(new Case("TOKEN_MEAN_BACKWARD", Op.TOKEN_MEAN_BACKWARD, new int[] {4, 64, 128, 0}));
        cs.add(new Case("PATCHIFY", Op.PATCHIFY, new int[] {4, 3, 32, 32, 4}));
        cs.add(new Case("CROSS_ENTROPY", Op.CROSS_ENTROPY, new int[] {128, 10}));
        cs.add(new Case("SUM_SQUARES", Op.SUM_SQUARES, new int[] {65536, 1}));
        cs.add(new Case("L2_GRAD", Op.L2_GRAD, new int[] {65536, Scalars.LAMBDA}));
        cs.add(new Case("ADAMW", Op.ADAMW, new int[] {65536, 1}));
        return cs;
    }

    @Test
    void everyGemmKernelIsCovered() {
        java.util.EnumSet<KernelTasks.GemmKind> seen = java.util.EnumSet.noneOf(KernelTasks.GemmKind.class);
        int split = 0;
        TornadoConfig cpu = TornadoConfig.forType("CPU");
        for (Case c : cases()) {
            if (c.op() != Op.GEMM) continue;
            seen.add(KernelTasks.gemmKind(c.ints()));
            if (KernelTasks.slices(c.ints(), cpu) > 1) split++;
        }
        assertEquals(java.util.EnumSet.allOf(KernelTasks.GemmKind.class), seen);
        assertTrue(split >= 3, "split reductions covered: " + split);
    }

    /** Inputs: Gaussian, except LayerNorm statistics consistent with x, masks of 0 and 1/0.75, targets, scalars. */
    static float[][] inputs(Case c, long[] sizes, Random r) {
        float[][] in = new float[sizes.length][];
        for (int a = 0; a < sizes.length; a++) {
            in[a] = new float[Math.toIntExact(sizes[a])];
            for (int i = 0; i < in[a].length; i++) in[a][i] = (float) r.nextGaussian();
        }
        int[] i = c.ints();
        switch (c.op()) {
            case LAYERNORM_BACKWARD_INPUT, LAYERNORM_BACKWARD_PARAMS -> {
                int x = c.op() == Op.LAYERNORM_BACKWARD_INPUT ? 2 : 3, mean = x + 1, rstd = x + 2, rows = i[0], dim = i[1];
                for (int row = 0; row < rows; row++) {
                    double mu = 0, var = 0;
                    for (int k = 0; k < dim; k++) mu += in[x][row * dim + k] / (double) dim;
                    for (int k = 0; k < dim; k++) var += Math.pow(in[x][row * dim + k] - mu, 2) / dim;
                    in[mean][row] = (float) mu;
                    in[rstd][row] = (float) (1 / Math.sqrt(var + 1e-6));
                }
            }
            case RESIDUAL, MASKED_ADD -> {
                int m = c.op() == Op.RESIDUAL ? 3 : 2;
                for (int k = 0; k < in[m].length; k++) in[m][k] = r.nextFloat() < 0.3 ? 0f : 1f / 0.75f;
            }
            case CROSS_ENTROPY -> {
                for (int b = 0; b < i[0]; b++) {
                    float sum = 0;
                    for (int j = 0; j < i[1]; j++) sum += in[3][b * i[1] + j] = r.nextFloat() + 0.05f;
                    for (int j = 0; j < i[1]; j++) in[3][b * i[1] + j] /= sum;
                }
            }
            case ADAMW, L2_GRAD -> {
                int s = c.op() == Op.ADAMW ? 4 : 2;
                in[s] = Scalars.adamW(1e-2, 0.05, 3, 0.3);
                if (c.op() == Op.ADAMW) for (int k = 0; k < in[3].length; k++) in[3][k] = 0.01f * in[3][k] * in[3][k];
            }
            default -> { }
        }
        return in;
    }

    static Plan plan(Case c) {
        long[] sizes = c.op().minSizes(c.ints());
        Buffer[] args = new Buffer[sizes.length];
        for (int a = 0; a < sizes.length; a++) {
            boolean output = c.op().writes(a) && !c.op().readsOutput(c.ints());
            args[a] = new Buffer(a, "arg" + a, output ? Role.OUTPUT : Role.INPUT, new int[] {Math.toIntExact(sizes[a])});
        }
        return new Plan(c.name(), List.of(args), List.of(new Invocation(c.op(), args, c.ints())));
    }

    /** Device against the reference: |device − reference| ≤ 1e-5·(1 + |ref|) + 2e-6·√n·rms(ref) per output. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kernelMatchesReference(Case c) {
        Plan plan = plan(c);
        long[] sizes = c.op().minSizes(c.ints());
        float[][] in = inputs(c, sizes, new Random(c.name().hashCode()));
        ReferenceDevice ref = new ReferenceDevice();
        ref.prepare(plan);
        device.prepare(plan);
        for (Buffer b : plan.buffers()) {
            if (b.role() != Role.INPUT) continue;
            ref.write(b, in[b.id()]);
            device.write(b, in[b.id()]);
        }
        ref.execute(plan);
        device.execute(plan);
        // terms per output: the reduction length of the op (K·batch for GEMM, the row for LayerNorm, ...)
        int[] i = c.ints();
        double terms = switch (c.op()) {
            case GEMM -> (double) i[3] * (i[8] == 0 && i[0] > 1 ? i[0] : 1);
            case LAYERNORM, LAYERNORM_BACKWARD_INPUT -> i[1];
            case LAYERNORM_BACKWARD_PARAMS -> i[0];
            case BIAS_GRAD -> (double) i[0] * i[2];
            case TOKEN_MEAN -> i[1];
            case SUM_SQUARES -> i[0];
            default -> 4;
        };
        for (Buffer b : plan.buffers()) {
            if (!c.op().writes(b.id())) continue;
            double[] want = ref.array(b);
            float[] got = new float[b.size()];
            device.read(b, got);
            double ss = 0;
            for (double v : want) ss += v * v;
            double rms = Math.sqrt(ss / want.length);
            for (int k = 0; k < want.length; k++) {
                double tol = 1e-5 * (1 + Math.abs(want[k])) + 2e-6 * Math.sqrt(terms) * (rms + Math.abs(want[k]));
                if (!(Math.abs(got[k] - want[k]) <= tol)) {
                    fail(c.name() + " " + b.name() + "[" + k + "]: reference " + want[k] + ", device " + got[k] + " (tolerance " + tol + ")");
                }
            }
        }
    }

    @Test
    void gemmVectorKernelIsFastOnTheNanoShape() {
        // Not a benchmark: guards against a silent fall to the scalar kernel (which runs ~10x slower).
        Case c = gemm("nano fc2 8192x128x512", 1, 8192, 128, 512, 0, 0, false, false, false, 0);
        assertEquals(KernelTasks.GemmKind.NN16, KernelTasks.gemmKind(c.ints()));
        Plan plan = plan(c);
        device.prepare(plan);
        device.execute(plan);
        long t0 = System.nanoTime();
        for (int r = 0; r < 3; r++) device.execute(plan);
        double gflops = 3 * 2.0 * 8192 * 128 * 512 / ((System.nanoTime() - t0) / 1e9) / 1e9;
        System.out.printf("nn16x8 8192x128x512 on %s: %.1f GFLOP/s%n", device.name(), gflops);
        assertTrue(gflops > 0, "ran");
    }
}
