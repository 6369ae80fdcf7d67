package io.github.hopmixer.model;

import io.github.hopmixer.device.ReferenceDevice;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.testing.Tiny;
import io.github.hopmixer.train.StepPlans;
import io.github.hopmixer.train.StepPlans.Step;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Finite differences in double precision on the whole model: every parameter's backprop gradient of
 * mean cross-entropy + λ·Σ‖W2‖² matches central differences, for every family, n_iter > 1 and DropPath masks.
 */
class ModelGradientTest {

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of(Family.VANILLAMIXER, 1, 0.0), Arguments.of(Family.PARAMIXER, 1, 0.0),
                Arguments.of(Family.SYMMIXER, 1, 0.0), Arguments.of(Family.ASYMMIXER, 1, 0.1),
                Arguments.of(Family.MIXER, 1, 0.0), Arguments.of(Family.PARAMIXER, 2, 0.0),
                Arguments.of(Family.SYMMIXER, 3, 0.0), Arguments.of(Family.VANILLAMIXER, 2, 0.0),
                Arguments.of(Family.ASYMMIXER, 2, 1.0));
    }

    @ParameterizedTest(name = "{0} n_iter={1} λ={2}")
    @MethodSource("variants")
    void backpropMatchesFiniteDifferences(Family family, int nIter, double lambda) {
        ModelConfig m = Tiny.model(family, nIter, lambda);
        Step st = StepPlans.training(m, 3, false);
        ReferenceDevice d = new ReferenceDevice();
        d.prepare(st.plan());
        Tiny.fill(d, st, 7);
        d.execute(st.plan());
        // Every gradient is copied before any perturbation: each loss() call overwrites the gradient buffers.
        java.util.Map<Buffer, double[]> grads = new java.util.HashMap<>();
        for (Buffer p : st.params()) grads.put(p, d.array(st.plan().buffer("grad/" + p.name())).clone());
        Random r = new Random(11);
        int checked = 0;
        for (Buffer p : st.params()) {
            double[] w = d.array(p);
            double[] grad = grads.get(p);
            for (int t = 0; t < Math.min(4, w.length); t++) {
                int i = t == 0 ? 0 : r.nextInt(w.length);
                double h = 1e-5, w0 = w[i];
                w[i] = w0 + h;
                double up = loss(d, st);
                w[i] = w0 - h;
                double down = loss(d, st);
                w[i] = w0;
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, grad[i], 1e-7 + 1e-6 * Math.abs(numeric), p.name() + "[" + i + "]");
                checked++;
            }
        }
        assertEquals(true, checked > 20);
    }

    static double loss(ReferenceDevice d, Step st) {
        d.execute(st.plan());
        double sum = 0;
        for (double v : d.array(st.losses())) sum += v;
        double loss = sum / st.batch();
        if (st.penalty() != null) for (double v : d.array(st.penalty())) loss += st.model().lambda() * v;
        return loss;
    }
}
