package io.github.hopmixer.device;

import io.github.hopmixer.kernels.*;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;

/**
 * The ground truth: every kernel's scalar reference in double precision, one thread. Every other device is
 * checked against it, and the finite-difference gradient tests run on it.
 */
public final class ReferenceDevice implements Device {
    private final BufferStore<double[]> store = new BufferStore<>(double[]::new);

    @Override
    public String name() { return "reference"; }

    @Override
    public void prepare(Plan plan) { store.prepare(plan); }

    @Override
    public void execute(Plan plan) {
        Object[] arrays = store.arrays(plan);
        for (Invocation inv : plan.steps()) run(inv, arrays);
    }

    @Override
    public void write(Buffer b, float[] src) {
        Device.checkLength(b, src.length);
        double[] a = store.array(b);
        for (int i = 0; i < src.length; i++) a[i] = src[i];
    }

    @Override
    public void read(Buffer b, float[] dst) {
        Device.checkLength(b, dst.length);
        double[] a = store.array(b);
        for (int i = 0; i < dst.length; i++) dst[i] = (float) a[i];
    }

    /** Double-precision access for gradient checks. */
    public double[] array(Buffer b) { return store.array(b); }

    private static void run(Invocation inv, Object[] arrays) {
        Buffer[] bs = inv.buffers();
        double[][] d = new double[bs.length][];
        for (int k = 0; k < bs.length; k++) d[k] = (double[]) arrays[bs[k].id()];
        int[] i = inv.ints();
        int lo = 0, hi = inv.parallelism();
        switch (inv.op()) {
            case GEMM -> Gemm.ref(d[0], d[1], d[2], i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7], i[8], i[9], lo, hi);
            case ADD_BIAS -> Bias.addRef(d[0], d[1], i[0], i[1], i[2], lo, hi);
            case BIAS_GRAD -> Bias.gradRef(d[0], d[1], i[0], i[1], i[2], i[3], lo, hi);
            case LAYERNORM -> LayerNorm.forwardRef(d[0], d[1], d[2], d[3], d[4], d[5], i[0], i[1], lo, hi);
            case LAYERNORM_BACKWARD_INPUT -> LayerNorm.backwardInputRef(d[0], d[1], d[2], d[3], d[4], d[5], i[0], i[1], i[2], lo, hi);
            case LAYERNORM_BACKWARD_PARAMS -> LayerNorm.backwardParamsRef(d[0], d[1], d[2], d[3], d[4], d[5], i[0], i[1], i[2], lo, hi);
            case GELU -> Gelu.forwardRef(d[0], d[1], i[0], lo, hi);
            case GELU_BACKWARD -> Gelu.backwardRef(d[0], d[1], d[2], i[0], i[1], lo, hi);
            case RESIDUAL -> Residual.forwardRef(d[0], d[1], d[2], d[3], i[0], i[1], lo, hi);
            case MASKED_ADD -> Residual.maskedAddRef(d[0], d[1], d[2], i[0], i[1], i[2], lo, hi);
            case ADD -> Residual.addRef(d[0], d[1], i[0], i[1], lo, hi);
            case TOKEN_MEAN -> TokenMean.forwardRef(d[0], d[1], i[0], i[1], i[2], lo, hi);
            case TOKEN_MEAN_BACKWARD -> TokenMean.backwardRef(d[0], d[1], i[0], i[1], i[2], i[3], lo, hi);
            case PATCHIFY -> Patchify.forwardRef(d[0], d[1], i[0], i[1], i[2], i[3], i[4], lo, hi);
            case CROSS_ENTROPY -> CrossEntropy.ref(d[0], d[1], d[2], d[3], i[0], i[1], lo, hi);
            case SUM_SQUARES -> Penalty.sumSquaresRef(d[0], d[1], i[0], i[1]);
            case L2_GRAD -> Penalty.gradRef(d[0], d[1], d[2], i[0], i[1], lo, hi);
            case ADAMW -> AdamW.ref(d[0], d[1], d[2], d[3], d[4], i[0], i[1], lo, hi);
        }
    }
}
