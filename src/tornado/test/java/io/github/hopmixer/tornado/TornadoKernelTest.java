package io.github.hopmixer.tornado;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.device.ReferenceDevice;
import io.github.hopmixer.plan.Buffer;
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
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.testing.Tiny;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
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
        TornadoDeviceTest.requireTornado();
        device = Devices.open(System.getProperty("hopmixer.tornado.test.device", "tornado"), 1);
    }

    @AfterAll
    static void close() {
        if (device != null) device.close();
    }

    record Case(String name, Op op) {
        @Override
        public String toString() { return name; }
    }

    /** A GEMM case from its layout: which operands are per image, and whether c sums the batch. */
    static Case gemm(String name, int batch, int m, int n, int k, int tA, int tB, boolean perImageA, boolean perImageB, boolean sumBatch, int acc) {
        int sA = perImageA ? m * k : 0, sB = perImageB ? k * n : 0, sC = sumBatch ? 0 : m * n;
        if (batch == 1) sC = 0;
        return new Case(name, new Gemm(batch, m, n, k, tA != 0, tB != 0, sA, sB, sC, acc != 0));
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
        cs.add(new Case("ADD_BIAS", new AddBias(256, 128, 1)));
        cs.add(new Case("BIAS_GRAD acc", new BiasGrad(4, 64, 128, true)));
        cs.add(new Case("LAYERNORM per-token", new LayerNorm(256, 128)));
        cs.add(new Case("LAYERNORM joint", new LayerNorm(4, 8192)));
        cs.add(new Case("LAYERNORM_BACKWARD_INPUT", new LayerNormBackwardInput(256, 128, false)));
        cs.add(new Case("LAYERNORM_BACKWARD_PARAMS acc", new LayerNormBackwardParams(256, 128, true)));
        cs.add(new Case("GELU", new Gelu(131072)));
        cs.add(new Case("GELU_BACKWARD acc", new GeluBackward(131072, true)));
        cs.add(new Case("RESIDUAL", new Residual(4, 8192)));
        cs.add(new Case("MASKED_ADD", new MaskedAdd(4, 8192, false)));
        cs.add(new Case("ADD acc", new Add(32768, true)));
        cs.add(new Case("TOKEN_MEAN", new TokenMean(4, 64, 128)));
        cs.add(new Case("TOKEN_MEAN_BACKWARD", new TokenMeanBackward(4, 64, 128, false)));
        cs.add(new Case("PATCHIFY", new Patchify(4, 3, 32, 32, 4)));
        cs.add(new Case("CROSS_ENTROPY", new CrossEntropy(128, 10)));
        cs.add(new Case("SUM_SQUARES", new SumSquares(65536, 1)));
        cs.add(new Case("L2_GRAD", new L2Grad(65536, Scalars.LAMBDA)));
        cs.add(new Case("ADAMW", new AdamW(65536, true)));
        return cs;
    }

    @Test
    void everyGemmKernelIsCovered() {
        java.util.EnumSet<KernelTasks.GemmKind> seen = java.util.EnumSet.noneOf(KernelTasks.GemmKind.class);
        int split = 0;
        TornadoConfig cpu = TornadoConfig.forType("CPU");
        for (Case c : cases()) {
            if (!(c.op() instanceof Gemm g)) continue;
            seen.add(KernelTasks.gemmKind(g));
            if (KernelTasks.slices(g, cpu) > 1) split++;
        }
        assertEquals(java.util.EnumSet.allOf(KernelTasks.GemmKind.class), seen);
        assertTrue(split >= 3, "split reductions covered: " + split);
    }

    /** The conformance suite, which runs on every device, reaches each vector GEMM kernel through its aligned shapes. */
    @Test
    void conformanceSuiteReachesTheVectorKernels() {
        java.util.EnumSet<KernelTasks.GemmKind> seen = java.util.EnumSet.noneOf(KernelTasks.GemmKind.class);
        for (io.github.hopmixer.device.OpCases.OpCase c : io.github.hopmixer.device.OpCases.all()) {
            if (c.op() instanceof Gemm g) seen.add(KernelTasks.gemmKind(g));
        }
        assertEquals(java.util.EnumSet.allOf(KernelTasks.GemmKind.class), seen);
    }

    /** Inputs: Gaussian, except LayerNorm statistics consistent with x, masks of 0 and 1/0.75, targets, scalars. */
    static float[][] inputs(Case c, long[] sizes, Random r) {
        float[][] in = new float[sizes.length][];
        for (int a = 0; a < sizes.length; a++) {
            in[a] = new float[Math.toIntExact(sizes[a])];
            for (int i = 0; i < in[a].length; i++) in[a][i] = (float) r.nextGaussian();
        }
        switch (c.op()) {
            case LayerNormBackwardInput o -> io.github.hopmixer.device.OpCases.layerNormStats(in, 2, o.rows(), o.dim());
            case LayerNormBackwardParams o -> io.github.hopmixer.device.OpCases.layerNormStats(in, 3, o.rows(), o.dim());
            case Residual o -> masks(in[3], r);
            case MaskedAdd o -> masks(in[2], r);
            case CrossEntropy o -> {
                for (int b = 0; b < o.batch(); b++) {
                    int k = o.classes();
                    float sum = 0;
                    for (int j = 0; j < k; j++) sum += in[3][b * k + j] = r.nextFloat() + 0.05f;
                    for (int j = 0; j < k; j++) in[3][b * k + j] /= sum;
                }
            }
            case L2Grad o -> in[2] = Scalars.adamW(1e-2, 0.05, 3, 0.3);
            case AdamW o -> {
                in[4] = Scalars.adamW(1e-2, 0.05, 3, 0.3);
                for (int k = 0; k < in[3].length; k++) in[3][k] = 0.01f * in[3][k] * in[3][k];
            }
            default -> { }
        }
        return in;
    }

    /** DropPath masks: 0 or 1/0.75 per image. */
    static void masks(float[] m, Random r) {
        for (int k = 0; k < m.length; k++) m[k] = r.nextFloat() < 0.3 ? 0f : 1f / 0.75f;
    }

    static Plan plan(Case c) {
        long[] sizes = c.op().minSizes();
        Buffer[] args = new Buffer[sizes.length];
        for (int a = 0; a < sizes.length; a++) {
            boolean output = c.op().writes(a) && !c.op().readsOutput();
            args[a] = new Buffer(a, "arg" + a, output ? Role.OUTPUT : Role.INPUT, new int[] {Math.toIntExact(sizes[a])});
        }
        return new Plan(c.name(), List.of(args), List.of(new Invocation(c.op(), args)));
    }

    /** Device against the reference: |device − reference| ≤ 1e-5·(1 + |ref|) + 2e-6·√n·rms(ref) per output. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kernelMatchesReference(Case c) {
        checkAgainstReference(device, c);
    }

    /** Runs one case on a device and on the double reference, and compares every output with the tolerance above. */
    static void checkAgainstReference(Device device, Case c) {
        Plan plan = plan(c);
        long[] sizes = c.op().minSizes();
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
        double terms = switch (c.op()) {
            case Gemm g -> (double) g.k() * (g.batchSummed() ? g.batch() : 1);
            case LayerNorm o -> o.dim();
            case LayerNormBackwardInput o -> o.dim();
            case LayerNormBackwardParams o -> o.rows();
            case BiasGrad o -> (double) o.outer() * o.inner();
            case TokenMean o -> o.s();
            case SumSquares o -> o.n();
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

    /**
     * The nano step's full channel-mixing product (8192×128×512) takes the vector kernel (no silent fall to the scalar
     * one, which the shape tests above could hide) and gets it right: 256 sampled outputs against double dot products.
     * Its speed is measured by {@code hopmixer bench}, not here.
     */
    @Test
    void nanoShapeRunsTheVectorKernelCorrectly() {
        Case c = gemm("nano fc2 8192x128x512", 1, 8192, 128, 512, 0, 0, false, false, false, 0);
        Gemm g = (Gemm) c.op();
        assertEquals(KernelTasks.GemmKind.NN16, KernelTasks.gemmKind(g));
        FloatArray[] stand = {new FloatArray(1), new FloatArray(1), new FloatArray(1)};
        Plan plan = plan(c);
        TornadoConfig cfg = ((TornadoDevice) device).config();
        List<KernelTask> tasks = KernelTasks.of(plan.invocations().getFirst(), stand, cfg, null);
        assertEquals(cfg.gemmRows() == 8 ? "GemmKernels.nn16x8" : "GemmKernels.nn16x4", tasks.getFirst().kernel());
        Random r = new Random(3);
        float[] a = Tiny.randn(r, 8192 * 512, 1), b = Tiny.randn(r, 512 * 128, 1), out = new float[8192 * 128];
        device.prepare(plan);
        device.write(plan.buffer("arg1"), a);
        device.write(plan.buffer("arg2"), b);
        device.execute(plan);
        device.read(plan.buffer("arg0"), out);
        for (int s = 0; s < 256; s++) {
            int i = r.nextInt(8192), j = r.nextInt(128);
            double want = 0, mag = 0;
            for (int p = 0; p < 512; p++) {
                want += (double) a[i * 512 + p] * b[p * 128 + j];
                mag += Math.abs((double) a[i * 512 + p] * b[p * 128 + j]);
            }
            assertEquals(want, out[i * 128 + j], 1e-5 + 1e-5 * mag, "c[" + i + "," + j + "]");
        }
    }
}
