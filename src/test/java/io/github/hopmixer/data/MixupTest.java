package io.github.hopmixer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MixupTest {

    /** Sixteen images, each its own class, so that every mixed pair has two different labels. */
    private static final ImageSet SET = TestFiles.randomSet(16, 3, 8, 8, 16, 11);
    private static final int B = 8, K = 16, SIZE = 3 * 8 * 8;

    private static void assertRowsSumToOne(Batch batch) {
        for (int row = 0; row < batch.size(); row++) {
            double sum = 0;
            for (int k = 0; k < batch.numClasses(); k++) sum += batch.targets()[row * batch.numClasses() + k];
            assertEquals(1, sum, 1e-5, "row " + row);
        }
    }

    @Test
    void labelSmoothingUsesTimmValues() {
        Batch batch = new BatchMaker(SET, AugmentConfig.none().withLabelSmoothing(0.1), B, 1).trainBatch(0, 0);
        assertRowsSumToOne(batch);
        for (int row = 0; row < B; row++) {
            for (int k = 0; k < K; k++) {
                float expected = k == batch.labels()[row] ? 1 - 0.1f + 0.1f / K : 0.1f / K;
                assertEquals(expected, batch.targets()[row * K + k], 1e-6);
            }
        }
    }

    @Test
    void mixupBlendsMirroredRowsAndTheirLabels() {
        AugmentConfig plain = AugmentConfig.none().withFlipProb(0.5).withLabelSmoothing(0.1);
        AugmentConfig mixed = plain.withMixup(0.8, 0, 0.5, 1.0);
        for (int index = 0; index < 2; index++) {
            // Per-image randomness does not depend on mixing, so the unmixed batch shows the inputs.
            Batch before = new BatchMaker(SET, plain, B, 5).trainBatch(3, index);
            Batch after = new BatchMaker(SET, mixed, B, 5).trainBatch(3, index);
            assertRowsSumToOne(after);
            double off = 0.1 / K;
            for (int row = 0; row < B; row++) {
                int mate = B - 1 - row, label = after.labels()[row];
                double lambda = (after.targets()[row * K + label] - off) / 0.9;
                assertEquals(1 - lambda, (after.targets()[row * K + after.labels()[mate]] - off) / 0.9, 1e-5);
                assertTrue(lambda > 0 && lambda < 1, "lambda " + lambda);
                for (int k = 0; k < K; k++) {
                    if (k != label && k != after.labels()[mate]) assertEquals(off, after.targets()[row * K + k], 1e-7);
                }
                for (int i = 0; i < SIZE; i += 17) {
                    double expected = lambda * before.images()[row * SIZE + i] + (1 - lambda) * before.images()[mate * SIZE + i];
                    assertEquals(expected, after.images()[row * SIZE + i], 1e-4);
                }
            }
        }
    }

    @Test
    void cutmixPastesABoxAndCorrectsLambdaToItsArea() {
        AugmentConfig plain = AugmentConfig.none();
        AugmentConfig cut = plain.withMixup(0, 1.0, 0.5, 1.0);
        int boxes = 0;
        for (int index = 0; index < 2; index++) {
            Batch before = new BatchMaker(SET, plain, B, 9).trainBatch(0, index);
            Batch after = new BatchMaker(SET, cut, B, 9).trainBatch(0, index);
            assertRowsSumToOne(after);
            int row = 0, mate = B - 1;
            int pasted = 0;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    int at = row * SIZE + y * 8 + x;
                    float v = after.images()[at];
                    boolean fromMate = v == before.images()[mate * SIZE + y * 8 + x];
                    assertTrue(fromMate || v == before.images()[at]);
                    if (fromMate && v != before.images()[at]) pasted++;
                }
            }
            double lambda = after.targets()[row * K + after.labels()[row]];
            assertEquals(1 - pasted / 64.0, lambda, 1.0 / 64 + 1e-6);
            if (pasted > 0) boxes++;
        }
        assertTrue(boxes > 0, "no box was pasted");
    }

    @Test
    void mixProbabilityZeroLeavesBatchesUnmixed() {
        AugmentConfig never = AugmentConfig.none().withMixup(0.8, 1.0, 0.5, 0.0);
        Batch a = new BatchMaker(SET, never, B, 2).trainBatch(0, 0);
        Batch b = new BatchMaker(SET, AugmentConfig.none(), B, 2).trainBatch(0, 0);
        assertEquals(java.util.Arrays.toString(b.images()), java.util.Arrays.toString(a.images()));
        assertNotEquals(0f, a.targets()[a.labels()[0]]);
    }

    @Test
    void betaSamplesHaveTheRightMean() {
        var random = new java.util.SplittableRandom(4);
        double sum = 0, squares = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            double x = Sampling.beta(random, 0.8, 0.8);
            assertTrue(x >= 0 && x <= 1);
            sum += x;
            squares += x * x;
        }
        double mean = sum / n, variance = squares / n - mean * mean;
        assertEquals(0.5, mean, 0.01);
        assertEquals(0.25 / (2 * 0.8 + 1), variance, 0.005); // Var Beta(a, a) = 1 / (4 (2a + 1))
    }
}
