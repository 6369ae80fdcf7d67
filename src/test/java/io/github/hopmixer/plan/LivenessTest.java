package io.github.hopmixer.plan;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.JvmDevice;
import io.github.hopmixer.device.ReferenceDevice;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.ops.GeluOps;
import io.github.hopmixer.ops.LayerNormOps;
import io.github.hopmixer.testing.Tiny;
import io.github.hopmixer.train.StepPlans;
import io.github.hopmixer.train.StepPlans.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Liveness and recomputation move storage only: a lean plan (shared storage, recomputed activations) gives the same
 * bits as the plan as written, on the JVM device for any thread count and on the reference, with dead storage
 * poisoned with NaN between uses; the checker rejects unsound assignments; and the saving is real.
 */
class LivenessTest {

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of(Family.VANILLAMIXER, 1, 0.0), Arguments.of(Family.PARAMIXER, 1, 0.0),
                Arguments.of(Family.SYMMIXER, 1, 0.0), Arguments.of(Family.ASYMMIXER, 1, 0.1),
                Arguments.of(Family.MIXER, 1, 0.0), Arguments.of(Family.PARAMIXER, 2, 0.0),
                Arguments.of(Family.ASYMMIXER, 2, 1.0));
    }

    /** Three training steps, then the state every later step depends on and what the host reads. */
    static List<float[]> train(Device d, Step st) {
        d.prepare(st.plan());
        Tiny.fill(d, st, 5);
        List<float[]> out = new ArrayList<>();
        for (int step = 1; step <= 3; step++) {
            d.execute(st.plan());
            out.add(read(d, st.losses()));
            out.add(read(d, st.logits()));
            if (st.penalty() != null) out.add(read(d, st.penalty()));
        }
        for (Buffer p : st.params()) {
            out.add(read(d, p));
            out.add(read(d, st.plan().buffer("grad/" + p.name())));
            out.add(read(d, st.plan().buffer("adam.m/" + p.name())));
            out.add(read(d, st.plan().buffer("adam.v/" + p.name())));
        }
        return out;
    }

    static float[] read(Device d, Buffer b) {
        float[] v = new float[b.size()];
        d.read(b, v);
        return v;
    }

    static void assertBitIdentical(String what, List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size(), what);
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) {
                if (Float.floatToRawIntBits(a.get(i)[j]) != Float.floatToRawIntBits(b.get(i)[j])) {
                    fail(what + ": result " + i + "[" + j + "] is " + a.get(i)[j] + " plain, " + b.get(i)[j] + " lean");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} n_iter={1} λ={2}")
    @MethodSource("variants")
    void leanPlanGivesTheSameBitsWithDeadStoragePoisoned(Family family, int nIter, double lambda) {
        ModelConfig m = Tiny.model(family, nIter, lambda);
        Step plain = StepPlans.training(m, 3, true, Memory.PLAIN), lean = StepPlans.training(m, 3, true, Memory.LEAN);
        assertTrue(lean.plan().storedBytes(Role.ACTIVATION) < plain.plan().storedBytes(Role.ACTIVATION), m.name() + ": liveness saves nothing");
        List<float[]> expected;
        try (JvmDevice d = new JvmDevice(1)) {
            expected = train(d, plain);
        }
        for (int threads = 1; threads <= 3; threads += 2) {
            try (JvmDevice d = new JvmDevice(threads, true)) {
                assertBitIdentical(m.name() + " on " + d.name() + ", poisoned", expected, train(d, lean));
            }
        }
        List<float[]> ref = train(new ReferenceDevice(), plain);
        assertBitIdentical(m.name() + " on the reference, poisoned", ref, train(new ReferenceDevice(true), lean));

        Step evalPlain = StepPlans.evaluation(m, 4, Memory.PLAIN), evalLean = StepPlans.evaluation(m, 4, Memory.LEAN);
        try (JvmDevice a = new JvmDevice(1); JvmDevice b = new JvmDevice(2, true)) {
            for (var x : List.of(List.<Object>of(a, evalPlain), List.<Object>of(b, evalLean))) {
                Device d = (Device) x.get(0);
                Step st = (Step) x.get(1);
                d.prepare(st.plan());
                Tiny.fill(d, st, 9);
                d.execute(st.plan());
            }
            assertBitIdentical(m.name() + " eval", List.of(read(a, evalPlain.logits()), read(a, evalPlain.losses())),
                    List.of(read(b, evalLean.logits()), read(b, evalLean.losses())));
        }
    }

    /** Poisoning works: a buffer read after its lifetime (here by the host, which the plan was not told of) is NaN. */
    @Test
    void poisonedStorageReadsNaNAfterItsLastUse() {
        ModelConfig m = Tiny.model(Family.PARAMIXER, 1, 0.0);
        Step st = StepPlans.evaluation(m, 2, Memory.SHARE);
        Buffer stem = st.plan().buffer("eval/stem");
        assertTrue(st.plan().storage().pooled()[st.plan().storage().of()[stem.id()]], "stem output is pooled");
        try (JvmDevice d = new JvmDevice(1, true)) {
            d.prepare(st.plan());
            Tiny.fill(d, st, 3);
            d.execute(st.plan());
            for (float v : read(d, stem)) assertTrue(Float.isNaN(v), "dead storage is not poisoned: " + v);
            for (float v : read(d, st.logits())) assertTrue(Float.isFinite(v), "kept logits were poisoned");
        }
    }

    @Test
    void checkerRejectsBuffersAliveTogetherInOneStorage() {
        Plan p = StepPlans.training(Tiny.model(Family.PARAMIXER, 1, 0.0), 2, true, Memory.PLAIN).plan();
        int[][] life = Liveness.lifetimes(p.buffers(), p.invocations());
        // Two activations of equal size whose lifetimes overlap, put in one storage.
        Buffer a = null, b = null;
        search:
        for (Buffer x : p.buffers()) {
            for (Buffer y : p.buffers()) {
                if (x.id() < y.id() && x.role() == Role.ACTIVATION && y.role() == Role.ACTIVATION && x.size() == y.size()
                        && life[x.id()][0] >= 0 && life[y.id()][0] >= 0 && life[x.id()][1] >= life[y.id()][0] && life[y.id()][1] >= life[x.id()][0]) {
                    a = x;
                    b = y;
                    break search;
                }
            }
        }
        assertTrue(a != null, "no overlapping pair");
        Liveness.Storage st = p.storage();
        int[] of = st.of().clone();
        of[b.id()] = of[a.id()];
        Liveness.Storage bad = new Liveness.Storage(of, st.floats(), st.pooled(), st.freedAfter());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Liveness.check(p.name(), p.buffers(), p.invocations(), p.keep(), bad));
        assertTrue(e.getMessage().contains(a.name()) && e.getMessage().contains(b.name()), e.getMessage());

        // A parameter may never share, even with a buffer that is dead while the parameter is in use.
        Buffer param = p.buffers().stream().filter(x -> x.role() == Role.PARAM).findFirst().orElseThrow();
        int[] of2 = st.of().clone();
        Buffer act = p.buffers().stream().filter(x -> x.role() == Role.ACTIVATION && x.size() <= param.size()).findFirst().orElseThrow();
        of2[act.id()] = of2[param.id()];
        assertThrows(IllegalStateException.class, () -> Liveness.check(p.name(), p.buffers(), p.invocations(), p.keep(),
                new Liveness.Storage(of2, st.floats(), st.pooled(), st.freedAfter())));
    }

    /** The saving on the nano models at batch 128 (plan bytes: exact, not timed): at most half the plain plan's. */
    @Test
    void nanoPlansNeedAtMostHalfTheActivationStorage() {
        for (String name : List.of("vanillamixer_nano", "paramixer_nano", "symmixer_nano", "asymmixer_nano_l03")) {
            ModelConfig m = Models.get(name).withData(32, 3, 10);
            Plan plain = StepPlans.training(m, 128, true, Memory.PLAIN).plan(), lean = StepPlans.training(m, 128, true, Memory.LEAN).plan();
            long p = plain.storedBytes(Role.ACTIVATION), l = lean.storedBytes(Role.ACTIVATION);
            assertTrue(2 * l <= p, name + ": lean " + l + " bytes vs plain " + p);
            // Packing is within 5 % of the lower bound: the most floats alive at one invocation.
            long bound = 4 * Liveness.peakLiveFloats(lean.buffers(), lean.invocations(), lean.keep());
            assertTrue(l <= 1.05 * bound, name + ": " + l + " bytes stored for a peak of " + bound);
            // Every GELU of the channel MLPs is recomputed in the backward (LayerNorm outputs where they wait across the peak).
            long recomputed = lean.invocations().size() - plain.invocations().size();
            long gelus = plain.invocations().stream().filter(i -> i.op() instanceof GeluOps.Gelu).count();
            assertTrue(recomputed >= gelus, name + ": " + recomputed + " recomputations for " + gelus + " GELUs");
            assertTrue(lean.invocations().stream().anyMatch(i -> i.op() instanceof LayerNormOps.LayerNorm
                    && i.buffers()[0].name().endsWith("@re")), name + ": no LayerNorm output recomputed");
        }
    }
}
