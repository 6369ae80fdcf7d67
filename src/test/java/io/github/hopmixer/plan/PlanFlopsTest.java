package io.github.hopmixer.plan;

import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.train.StepPlans;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A step's matrix-product FLOPs, summed from its ops, equal the count from the model's shapes: what `bench` divides
 * by a step's time for its GFLOP/s, and what the README's arithmetic of the speed targets rests on.
 */
class PlanFlopsTest {

    /**
     * Forward per image, for the models whose blocks hold a token MLP and a channel MLP of two products each
     * (vanillamixer, paramixer): the stem, the blocks, the head. A training step runs each product three times
     * (forward, input gradient, weight gradient), except the stem's input gradient, which nothing needs.
     */
    static long trainingFlops(ModelConfig m, int batch) {
        long t = m.tokens(), c = m.dim(), stem = 2 * t * m.inChans() * m.patch() * m.patch() * c;
        long block = 2 * (2 * t * c * m.channelHidden()) + 2 * (2 * c * t * m.tokenHidden());
        long forward = stem + m.depth() * block + 2 * c * m.numClasses();
        return batch * (3 * forward - stem);
    }

    @ParameterizedTest
    @CsvSource({"vanillamixer_nano, 32, 4", "paramixer_nano, 32, 3", "paramixer_s16_224, 224, 2"})
    void trainingStepCountsEveryProductOnceFusedOrNot(String name, int img, int batch) {
        ModelConfig m = Models.get(name).withData(img, 3, 10);
        long expected = trainingFlops(m, batch);
        assertEquals(expected, StepPlans.training(m, batch, true, false).plan().matmulFlops(), "unfused plan");
        assertEquals(expected, StepPlans.training(m, batch, true, true).plan().matmulFlops(), "fused plan");
    }
}
