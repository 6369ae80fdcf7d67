package io.github.hopmixer.device;

import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.device.OpCases.OpCase;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.ops.Op;
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

    // ================================================================ single ops (the catalogue: OpCases)

    static Stream<Arguments> opCasesOnDevices() {
        List<Arguments> out = new ArrayList<>();
        for (Candidate d : devices()) for (OpCase c : OpCases.all()) out.add(Arguments.of(d, c));
        return out.stream();
    }

    @Test
    void everyOpHasAConformanceCase() {
        Set<Class<?>> missing = new HashSet<>(Op.kinds());
        for (OpCase c : OpCases.all()) missing.remove(c.op().getClass());
        assertTrue(missing.isEmpty(), "ops without a conformance case: " + missing);
        // Ops with an acc flag are covered with both values; GEMM with the batch summed (strideC 0, batch > 1) and not.
        for (Class<?> kind : Op.kinds()) {
            var accessor = Arrays.stream(kind.getRecordComponents()).filter(rc -> rc.getName().equals("acc")).findFirst();
            if (accessor.isEmpty()) continue;
            for (boolean acc : new boolean[] {false, true}) {
                assertTrue(OpCases.all().stream().anyMatch(c -> c.op().getClass() == kind
                        && accFlag(accessor.get(), c.op()) == acc), kind.getSimpleName() + " acc=" + acc);
            }
        }
        assertTrue(OpCases.all().stream().anyMatch(c -> c.op() instanceof Gemm g && g.batchSummed()));
        assertTrue(OpCases.all().stream().anyMatch(c -> c.op() instanceof Gemm g && g.strideC() != 0));
        assertTrue(OpCases.all().stream().anyMatch(c -> c.op() instanceof Gemm g && g.splitsColumns()));
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
        OpCase c = OpCases.linear("GEMM", new Gemm(3, 13, 33, 7, false, false, 13 * 7, 7 * 33, 13 * 33, false));
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
        return OpCases.all().stream();
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
