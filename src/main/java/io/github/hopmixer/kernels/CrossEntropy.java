package io.github.hopmixer.kernels;

/**
 * Softmax cross-entropy against soft targets (label smoothing and mixup are already in the targets, as in timm's
 * SoftTargetCrossEntropy): losses[b] = Σ_k t·(logsumexp − z), dlogits = (softmax·Σt − t)/B for the batch mean
 * (Σt is 1 up to rounding; using it keeps the gradient exact).
 */
public final class CrossEntropy {
    private CrossEntropy() {}

    public static void ref(double[] losses, double[] dlogits, double[] logits, double[] targets, int batch, int k, int lo, int hi) {
        for (int b = lo; b < hi; b++) {
            int o = b * k;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, logits[o + j]);
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(logits[o + j] - max);
            double lse = max + Math.log(sum), loss = 0, mass = 0;
            for (int j = 0; j < k; j++) {
                loss += targets[o + j] * (lse - logits[o + j]);
                mass += targets[o + j];
            }
            for (int j = 0; j < k; j++) dlogits[o + j] = (Math.exp(logits[o + j] - lse) * mass - targets[o + j]) / batch;
            losses[b] = loss;
        }
    }

    /** Float version; StrictMath keeps results independent of JIT state (the loop is tiny). */
    public static void jvm(float[] losses, float[] dlogits, float[] logits, float[] targets, int batch, int k, int lo, int hi) {
        for (int b = lo; b < hi; b++) {
            int o = b * k;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, logits[o + j]);
            float sum = 0f;
            for (int j = 0; j < k; j++) sum += (float) StrictMath.exp(logits[o + j] - max);
            float lse = max + (float) StrictMath.log(sum), loss = 0f, mass = 0f;
            for (int j = 0; j < k; j++) {
                loss += targets[o + j] * (lse - logits[o + j]);
                mass += targets[o + j];
            }
            for (int j = 0; j < k; j++) dlogits[o + j] = ((float) StrictMath.exp(logits[o + j] - lse) * mass - targets[o + j]) / batch;
            losses[b] = loss;
        }
    }
}
