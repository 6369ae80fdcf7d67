package io.github.hopmixer.device;

import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.ModelConfig;
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
import io.github.hopmixer.ops.WeightSumOps.TransposeAdd;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.testing.Tiny;
import io.github.hopmixer.train.StepPlans;
import io.github.hopmixer.train.StepPlans.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one conformance suite: every device present runs the same plans as the double-precision
 * {@link ReferenceDevice} — each op alone on awkward sizes, then whole training steps (with AdamW) of every model
 * family and the evaluation step — and must agree within float tolerance.
 *
 * <p>Devices come from {@link #devices()}: three JVM devices (1, 2 and 3 threads, so work is split unevenly) and
 * every device of every {@link DeviceProvider} on the class path, each also in its provider's
 * {@link DeviceProvider#variants} (TornadoVM: every device with the CPU and with the GPU kernel configuration,
 * {@code tornado:0:0@gpu}); {@code -Dhopmixer.conformance.devices=jvm,tornado:0:0@gpu} (ids as {@link Devices#open}
 * takes them, {@code id@threads} to set threads) chooses instead.
 */
public class ConformanceTest {

    // ================================================================ devices

    /** A device under test: opened fresh by each test (shared buffer names differ between models). */
    public record Candidate(String id, Supplier<Device> opener) {
        public Device open() { return opener.get(); }

        @Override
        public String toString() { return id; }
    }

    /** The devices every conformance test runs on; public and static so that a backend's module can reuse it. */
    public static List<Candidate> devices() {
        List<Candidate> out = new ArrayList<>();
        String chosen = System.getProperty("hopmixer.conformance.devices", "").trim();
        if (!chosen.isEmpty()) {
            for (String spec : chosen.split(",")) {
                String s = spec.trim();
                // id@threads; an '@' followed by other than digits is part of the id (tornado:0:0@gpu)
                int at = s.lastIndexOf('@');
                boolean counted = at >= 0 && s.substring(at + 1).matches("\\d+");
                String id = counted ? s.substring(0, at) : s;
                int threads = counted ? Integer.parseInt(s.substring(at + 1)) : 2;
                out.add(new Candidate(s, () -> Devices.open(id, threads)));
            }
            return out;
        }
        for (int t = 1; t <= 3; t++) {
            int threads = t;
            out.add(new Candidate("jvm(" + t + " threads)", () -> new JvmDevice(threads)));
        }
        for (DeviceProvider p : Devices.providers()) {
            for (DeviceProvider.Info info : p.list()) {
                out.add(new Candidate(info.id(), () -> p.open(info.id(), 2)));
                for (String v : p.variants(info)) out.add(new Candidate(v, () -> p.open(v, 2)));
            }
        }
        return out;
    }

    // ================================================================ single ops

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

    public static List<OpCase> opCases() {
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
        cs.add(withScalars("ADAMW decay", new AdamW(37, true), 4, ConformanceTest::adamMagnitude));
        cs.add(withScalars("ADAMW no decay", new AdamW(29, false), 4, ConformanceTest::adamMagnitude));
        cs.addAll(FusedCases.cases());
        return cs;
    }

    static Stream<Arguments> opCasesOnDevices() {
        List<Arguments> out = new ArrayList<>();
        for (Candidate d : devices()) for (OpCase c : opCases()) out.add(Arguments.of(d, c));
        return out.stream();
    }

    @Test
    void everyOpHasAConformanceCase() {
        Set<Class<?>> missing = new HashSet<>(Op.kinds());
        for (OpCase c : opCases()) missing.remove(c.op().getClass());
        assertTrue(missing.isEmpty(), "ops without a conformance case: " + missing);
        // Ops with an acc flag are covered with both values; GEMM with the batch summed (strideC 0, batch > 1) and not.
        for (Class<?> kind : Op.kinds()) {
            var accessor = Arrays.stream(kind.getRecordComponents()).filter(rc -> rc.getName().equals("acc")).findFirst();
            if (accessor.isEmpty()) continue;
            for (boolean acc : new boolean[] {false, true}) {
                assertTrue(opCases().stream().anyMatch(c -> c.op().getClass() == kind
                        && accFlag(accessor.get(), c.op()) == acc), kind.getSimpleName() + " acc=" + acc);
            }
        }
        assertTrue(opCases().stream().anyMatch(c -> c.op() instanceof Gemm g && g.batchSummed()));
        assertTrue(opCases().stream().anyMatch(c -> c.op() instanceof Gemm g && g.strideC() != 0));
        assertTrue(opCases().stream().anyMatch(c -> c.op() instanceof Gemm g && g.splitsColumns()));
    }

    static boolean accFlag(java.lang.reflect.RecordComponent acc, Op op) {
        try {
            return (boolean) acc.getAccessor().invoke(op);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** One op on its own plan: outputs that are only written are OUTPUT buffers, everything else INPUT. */
    static Plan plan(OpCase c) {
        long[] sizes = c.op().minSizes();
        Buffer[] args = new Buffer[sizes.length];
        for (int a = 0; a < sizes.length; a++) {
            boolean output = c.op().writes(a) && !c.op().readsOutput();
            args[a] = new Buffer(a, "arg" + a, output ? Role.OUTPUT : Role.INPUT, new int[] {Math.toIntExact(sizes[a])});
        }
        return new Plan(c.name(), List.of(args), List.of(new Invocation(c.op(), args)));
    }

    /**
     * Float against double: each float operation rounds by at most u = 6e-8 relative to its operands, so a sum of n
     * terms is off by at most n·u·Σ|terms| (≈ √n·u in practice); here n ≤ 700 (the long SUM_SQUARES accumulates in
     * double on the JVM, in 16 lanes of at most 1,250 on TornadoVM's CPU kernel, in trees on its GPU kernels), giving
     * ≤ 7.5e-5·Σ|terms|. The bound 1e-5·(1 + |ref|) + 1e-4·Σ|terms| covers that, while one missing or wrong term — at
     * least 4e-3·Σ|terms| for random terms in the short cases that check each kernel's indexing — fails.
     */
    static void assertClose(String what, double[] ref, float[] got, double[] magnitude) {
        assertEquals(ref.length, got.length, what);
        for (int i = 0; i < ref.length; i++) {
            double tol = 1e-5 * (1 + Math.abs(ref[i])) + 1e-4 * magnitude[i];
            if (!(Math.abs(got[i] - ref[i]) <= tol)) {
                fail(what + "[" + i + "]: reference " + ref[i] + ", device " + got[i] + " (|diff| "
                        + Math.abs(got[i] - ref[i]) + " > tolerance " + tol + ")");
            }
        }
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("opCasesOnDevices")
    void opMatchesReference(Candidate candidate, OpCase c) {
        Plan plan = plan(c);
        long[] sizes = c.op().minSizes();
        float[][] in = c.init().make(new Random(c.name().hashCode()), sizes, c.op());
        ReferenceDevice ref = new ReferenceDevice();
        ref.prepare(plan);
        for (Buffer b : plan.buffers()) if (b.role() == Role.INPUT) ref.write(b, in[b.id()]);
        ref.execute(plan);

        try (Device dut = candidate.open()) {
            if (FusedCases.refused(dut, plan)) return;  // a device without the fused ops must refuse them by name
            dut.prepare(plan);
            for (Buffer b : plan.buffers()) if (b.role() == Role.INPUT) dut.write(b, in[b.id()]);
            dut.execute(plan);
            // An op that does not read its output must overwrite it: a second run gives the same result.
            if (!c.op().readsOutput()) dut.execute(plan);

            double[][] inD = new double[sizes.length][], outD = new double[sizes.length][];
            for (int a = 0; a < sizes.length; a++) {
                if (in[a] != null) inD[a] = toDouble(in[a]);
                if (c.op().writes(a)) outD[a] = ref.array(plan.buffers().get(a)).clone();
            }
            double[][] mag = c.magnitude() != null ? c.magnitude().of(inD, outD, c.op()) : absoluteRun(plan, in);
            for (Buffer b : plan.buffers()) {
                float[] got = new float[b.size()];
                dut.read(b, got);
                if (c.op().writes(b.id())) {
                    assertClose(c.name() + " " + b.name(), outD[b.id()], got, mag[b.id()]);
                } else {
                    assertTrue(Arrays.equals(in[b.id()], got), c.name() + ": input " + b.name() + " changed");
                }
            }
        }
    }

    /** The reference on |inputs|: for an op linear in each input this is Σ|terms| of every output. */
    static double[][] absoluteRun(Plan plan, float[][] in) {
        ReferenceDevice ref = new ReferenceDevice();
        ref.prepare(plan);
        for (Buffer b : plan.buffers()) {
            if (b.role() != Role.INPUT) continue;
            float[] abs = in[b.id()].clone();
            for (int i = 0; i < abs.length; i++) abs[i] = Math.abs(abs[i]);
            ref.write(b, abs);
        }
        ref.execute(plan);
        double[][] mag = new double[in.length][];
        for (Buffer b : plan.buffers()) mag[b.id()] = ref.array(b).clone();
        return mag;
    }

    @Test
    void toleranceDetectsOneMissingTerm() {
        // The comparison above is not vacuous: a GEMM whose K loop dropped its last term fails it.
        OpCase c = linear("GEMM", new Gemm(3, 13, 33, 7, false, false, 13 * 7, 7 * 33, 13 * 33, false));
        Plan plan = plan(c);
        float[][] in = c.init().make(new Random(1), c.op().minSizes(), c.op());
        float[][] dropped = in.clone();
        dropped[1] = in[1].clone();
        for (int b = 0; b < 3; b++) for (int i = 0; i < 13; i++) dropped[1][b * 13 * 7 + i * 7 + 6] = 0f;
        ReferenceDevice good = new ReferenceDevice(), bad = new ReferenceDevice();
        for (ReferenceDevice d : List.of(good, bad)) {
            d.prepare(plan);
            d.write(plan.buffer("arg1"), d == good ? in[1] : dropped[1]);
            d.write(plan.buffer("arg2"), in[2]);
            d.execute(plan);
        }
        float[] badOut = new float[plan.buffer("arg0").size()];
        bad.read(plan.buffer("arg0"), badOut);
        double[][] mag = absoluteRun(plan, in);
        assertThrows(org.opentest4j.AssertionFailedError.class,
                () -> assertClose("dropped term", good.array(plan.buffer("arg0")), badOut, mag[0]));
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

    /** x with the mean and 1/σ its forward pass would save, as the backward kernels receive them. */
    static float[][] layerNormSaved(Random r, int rows, int dim, float[][] a, int xArg, int meanArg, int rstdArg) {
        a[xArg] = randn(r, (long) rows * dim, 1.5);
        a[meanArg] = new float[rows];
        a[rstdArg] = new float[rows];
        for (int row = 0; row < rows; row++) {
            double mu = 0, var = 0;
            for (int k = 0; k < dim; k++) mu += a[xArg][row * dim + k] / (double) dim;
            for (int k = 0; k < dim; k++) var += Math.pow(a[xArg][row * dim + k] - mu, 2) / dim;
            a[meanArg][row] = (float) mu;
            a[rstdArg][row] = (float) (1 / Math.sqrt(var + 1e-6));
        }
        return a;
    }

    static OpCase layerNormBackwardInput(String name, int rows, int dim, int acc) {
        Init base = gaussian();
        return new OpCase(name, new LayerNormBackwardInput(rows, dim, acc != 0),
                (r, sizes, i) -> layerNormSaved(r, rows, dim, base.make(r, sizes, i), 2, 3, 4),
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
                (r, sizes, i) -> layerNormSaved(r, rows, dim, base.make(r, sizes, i), 3, 4, 5),
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

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    // ================================================================ whole steps

    static Stream<Arguments> modelsOnDevices() {
        Object[][] variants = {
                {Family.VANILLAMIXER, 1, 0.0}, {Family.PARAMIXER, 1, 0.0}, {Family.SYMMIXER, 1, 0.0},
                {Family.ASYMMIXER, 1, 0.1}, {Family.MIXER, 1, 0.0}, {Family.PARAMIXER, 2, 0.0},
                {Family.SYMMIXER, 2, 0.0}, {Family.ASYMMIXER, 2, 1.0}};
        List<Arguments> out = new ArrayList<>();
        for (Candidate d : devices()) for (Object[] v : variants) out.add(Arguments.of(d, v[0], v[1], v[2]));
        return out.stream();
    }

    /**
     * Largest |device − reference| / (|reference| + rms(reference)): relative per entry, with the buffer's RMS as the
     * floor for entries near zero, so the same measure serves losses, logits, parameters, gradients and moments
     * whatever their scale.
     */
    static double worst(double[] ref, float[] got, boolean[] skip) {
        double ss = 0;
        for (double v : ref) ss += v * v;
        double rms = Math.sqrt(ss / ref.length), w = 0;
        for (int i = 0; i < ref.length; i++) {
            if (skip != null && skip[i]) continue;
            w = Math.max(w, Math.abs(got[i] - ref[i]) / (Math.abs(ref[i]) + rms + Double.MIN_NORMAL));
        }
        return w;
    }

    static float[] read(Device d, Buffer b) {
        float[] v = new float[b.size()];
        d.read(b, v);
        return v;
    }

    /**
     * Whole steps: float rounding (u = 6e-8) through some 60 kernels per step, sums of at most 48 terms each, and
     * three AdamW steps stays far below 1e-4 of the buffer's scale on these O(1)-conditioned tiny models (measured
     * on the JVM: losses 1.1e-7, logits 4.4e-7, parameters 3e-7, gradients 3.4e-6, moments 1.9e-6; run with
     * -Dhopmixer.conformance.verbose to print them). 1e-4 is the per-op relative tolerance; a wrong kernel on any
     * device moves results by far more.
     */
    static final double STEP_TOL = 1e-4;

    /**
     * A gradient that is zero in exact arithmetic (timm Mixer's token-MLP fc2 bias: it adds a constant to every
     * channel of a token, which the per-token LayerNorms after it remove) is left as rounding noise, ~1e-18 in
     * double and ~1e-9 in float. AdamW normalises that noise to a step of ±lr in the noise's direction, so such
     * entries legitimately differ between devices; they are found from the reference's second moment
     * (RMS gradient below 1e-10, where real gradients here are above 1e-6), must be noise on the device too
     * (RMS below 1e-6), and their parameters may differ by the AdamW step bound: per step |m̂|/√v̂ ≤ 1.01 for t ≤ 3,
     * so |Δp| ≤ 2·lr·3·1.01 < 6.1·lr.
     */
    static boolean[] noiseEntries(double[] vRef, double bc2) {
        boolean[] noise = new boolean[vRef.length];
        for (int i = 0; i < vRef.length; i++) noise[i] = Math.sqrt(vRef[i] / bc2) < 1e-10;
        return noise;
    }

    @ParameterizedTest(name = "{1} n_iter={2} λ={3} on {0}")
    @MethodSource("modelsOnDevices")
    void trainingStepsMatchReference(Candidate candidate, Family family, int nIter, double lambda) {
        ModelConfig m = Tiny.model(family, nIter, lambda);
        ReferenceDevice ref = new ReferenceDevice();
        try (Device dut = candidate.open()) {
            Step st = StepPlans.training(m, 3, dut);  // the plan the device runs in training: fused where it can
            for (Device d : List.of(ref, dut)) {
                d.prepare(st.plan());
                Tiny.fill(d, st, 17);
            }
            float[] scalars = read(ref, st.scalars());
            for (int step = 1; step <= 3; step++) {
                scalars[Scalars.BC1] = (float) (1 - Math.pow(scalars[Scalars.BETA1], step));
                scalars[Scalars.BC2] = (float) (1 - Math.pow(scalars[Scalars.BETA2], step));
                for (Device d : List.of(ref, dut)) {
                    d.write(st.scalars(), scalars);
                    d.execute(st.plan());
                }
                String at = m.name() + " step " + step + " ";
                assertStepClose(at + "losses", ref.array(st.losses()), read(dut, st.losses()), null);
                if (st.penalty() != null) assertStepClose(at + "penalty", ref.array(st.penalty()), read(dut, st.penalty()), null);
            }
            assertEquals(family == Family.ASYMMIXER, st.penalty() != null, "a penalty output exactly for asymmixer");
            double lr = scalars[Scalars.LR], bc2 = scalars[Scalars.BC2];
            int noisy = 0;
            for (Buffer p : st.params()) {
                Buffer mb = st.plan().buffer("adam.m/" + p.name()), vb = st.plan().buffer("adam.v/" + p.name());
                Buffer gb = st.plan().buffer("grad/" + p.name());
                String at = m.name() + " after 3 steps: ";
                boolean[] noise = noiseEntries(ref.array(vb), bc2);
                float[] pd = read(dut, p), vd = read(dut, vb);
                double[] pr = ref.array(p);
                for (int i = 0; i < noise.length; i++) {
                    if (!noise[i]) continue;
                    noisy++;
                    assertTrue(Math.sqrt(vd[i] / bc2) < 1e-6, at + p.name() + "[" + i + "]: zero gradient on the reference, "
                            + "RMS " + Math.sqrt(vd[i] / bc2) + " on the device");
                    assertEquals(pr[i], pd[i], 6.1 * lr + STEP_TOL * (1 + Math.abs(pr[i])), at + p.name() + "[" + i + "] (noise gradient)");
                }
                assertStepClose(at + p.name(), pr, pd, noise);
                assertStepClose(at + gb.name(), ref.array(gb), read(dut, gb), noise);
                assertStepClose(at + mb.name(), ref.array(mb), read(dut, mb), noise);
                assertStepClose(at + vb.name(), ref.array(vb), vd, noise);
            }
            // Only timm's Mixer has such structurally zero gradients (its 2 blocks × S = 4 token-fc2 biases).
            assertEquals(family == Family.MIXER ? 2 * m.tokens() : 0, noisy, m.name() + ": entries with a noise-only gradient");
        }
    }

    @ParameterizedTest(name = "{1} n_iter={2} λ={3} on {0}")
    @MethodSource("modelsOnDevices")
    void evaluationMatchesReference(Candidate candidate, Family family, int nIter, double lambda) {
        ModelConfig m = Tiny.model(family, nIter, lambda);
        ReferenceDevice ref = new ReferenceDevice();
        try (Device dut = candidate.open()) {
            Step st = StepPlans.evaluation(m, 5, dut);
            for (Device d : List.of(ref, dut)) {
                d.prepare(st.plan());
                Tiny.fill(d, st, 23);
                d.execute(st.plan());
            }
            assertStepClose(m.name() + " eval logits", ref.array(st.logits()), read(dut, st.logits()), null);
            assertStepClose(m.name() + " eval losses", ref.array(st.losses()), read(dut, st.losses()), null);
        }
    }

    static void assertStepClose(String what, double[] ref, float[] got, boolean[] skip) {
        double w = worst(ref, got, skip);
        if (System.getProperty("hopmixer.conformance.verbose") != null) System.out.printf("%-70s %.3g%n", what, w);
        assertTrue(w <= STEP_TOL, what + ": max |device − reference|/(|reference| + rms) = " + w + " > " + STEP_TOL);
    }

    // ================================================================ JVM determinism

    static Stream<OpCase> allCases() {
        return opCases().stream();
    }

    /**
     * Each work item is computed by one thread with the same operations whatever the split, so the JVM device must
     * give bit-identical results for 1, 2 and 3 threads: a resumed run repeats an uninterrupted one only then. (GEMM
     * did not while its scalar column tail rounded a·b before adding and the vector blocks fused them — the
     * N = 29 cases — nor GELU while its scalar remainder used another erf formula than its vector loop.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void jvmIsBitIdenticalForAnyThreadCount(OpCase c) {
        Plan plan = plan(c);
        float[][] in = c.init().make(new Random(c.name().hashCode()), c.op().minSizes(), c.op());
        int args = c.op().arity();
        float[][][] results = new float[3][args][];
        for (int t = 1; t <= 3; t++) {
            try (JvmDevice d = new JvmDevice(t)) {
                d.prepare(plan);
                for (Buffer b : plan.buffers()) if (b.role() == Role.INPUT) d.write(b, in[b.id()]);
                d.execute(plan);
                for (int a = 0; a < args; a++) if (c.op().writes(a)) results[t - 1][a] = read(d, plan.buffer("arg" + a));
            }
        }
        for (int t = 2; t <= 3; t++)
            for (int a = 0; a < args; a++) {
                if (results[0][a] == null) continue;
                for (int i = 0; i < results[0][a].length; i++) {
                    if (Float.floatToRawIntBits(results[0][a][i]) != Float.floatToRawIntBits(results[t - 1][a][i])) {
                        fail(c.name() + ": arg" + a + "[" + i + "] is " + results[0][a][i] + " with 1 thread, "
                                + results[t - 1][a][i] + " with " + t);
                    }
                }
            }
    }
}
