package io.github.hopmixer.train;

import io.github.hopmixer.data.Batch;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.train.StepPlans.Step;

import java.util.Iterator;

/** Top-1, top-5 and mean cross-entropy (hard labels, as timm's validate) over an evaluation pass. */
public final class Evaluator {

    public record Result(double loss, double top1, double top5, int count) {}

    private Evaluator() {}

    public static Result run(Device d, Step eval, Iterator<Batch> batches) {
        int k = eval.model().numClasses();
        float[] logits = new float[eval.logits().size()], losses = new float[eval.batch()];
        double lossSum = 0;
        long top1 = 0, top5 = 0;
        int count = 0;
        DropPath.off(d, eval.dropPathMasks());
        while (batches.hasNext()) {
            Batch b = batches.next();
            d.write(eval.images(), b.images());
            d.write(eval.targets(), oneHot(b.labels(), k));
            d.execute(eval.plan());
            d.read(eval.logits(), logits);
            d.read(eval.losses(), losses);
            for (int i = 0; i < b.valid(); i++) {
                int rank = rank(logits, i * k, k, b.labels()[i]);
                if (rank < 1) top1++;
                if (rank < 5) top5++;
                lossSum += losses[i];
            }
            count += b.valid();
        }
        if (count == 0) throw new IllegalStateException("evaluation set is empty");
        return new Result(lossSum / count, 100.0 * top1 / count, 100.0 * top5 / count, count);
    }

    /**
     * How many classes rank above the label: those with a greater logit, or an equal one at a lower index (torch.topk
     * in practice, hence timm's accuracy, returns tied classes lowest index first), or NaN (topk sorts NaN highest).
     * Counting ties for the label made uniform logits read 100%; a NaN label logit is never correct.
     */
    static int rank(float[] logits, int off, int k, int label) {
        float v = logits[off + label];
        if (Float.isNaN(v)) return k;
        int r = 0;
        for (int j = 0; j < k; j++) {
            float z = logits[off + j];
            if (z > v || z == v && j < label || Float.isNaN(z)) r++;
        }
        return r;
    }

    static float[] oneHot(int[] labels, int k) {
        float[] t = new float[labels.length * k];
        for (int i = 0; i < labels.length; i++) t[i * k + labels[i]] = 1f;
        return t;
    }
}
