package io.github.hopmixer.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Top-k ranking: ties and NaN must never make a wrong or broken model look accurate. */
class EvaluatorTest {

    @Test
    void tiedLogitsRankLowerIndicesFirstAsTorchTopk() {
        float[] uniform = new float[10]; // what a model that learnt nothing (lr 0) gives: uniform logits
        assertEquals(0, Evaluator.rank(uniform, 0, 10, 0));
        assertEquals(3, Evaluator.rank(uniform, 0, 10, 3));
        assertEquals(9, Evaluator.rank(uniform, 0, 10, 9));
        // Uniform logits over 10 classes: top-1 is right for label 0 only, top-5 for labels 0..4, not 100%.
        int top1 = 0, top5 = 0;
        for (int label = 0; label < 10; label++) {
            int r = Evaluator.rank(uniform, 0, 10, label);
            if (r < 1) top1++;
            if (r < 5) top5++;
        }
        assertEquals(1, top1);
        assertEquals(5, top5);
    }

    @Test
    void greaterLogitsStillRankAboveAndOffsetIsRespected() {
        float[] z = {9, 9, 9, 0.5f, 2, 1, 2};
        assertEquals(0, Evaluator.rank(z, 3, 4, 1)); // row {0.5, 2, 1, 2}: label 1 ties label 3 and wins, being lower
        assertEquals(1, Evaluator.rank(z, 3, 4, 3)); // label 3: behind the tied label 1 only
        assertEquals(3, Evaluator.rank(z, 3, 4, 0));
    }

    @Test
    void nanIsNeverCorrect() {
        float[] nan = {Float.NaN, Float.NaN, Float.NaN};
        for (int label = 0; label < 3; label++) assertEquals(3, Evaluator.rank(nan, 0, 3, label));
        float[] oneNan = {1, Float.NaN, 0};
        assertEquals(1, Evaluator.rank(oneNan, 0, 3, 0), "a NaN elsewhere ranks above, as torch.topk sorts it");
        assertEquals(3, Evaluator.rank(oneNan, 0, 3, 1));
    }
}
