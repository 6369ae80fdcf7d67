package io.github.hopmixer.device;

import io.github.hopmixer.device.OpCases.OpCase;
import io.github.hopmixer.kernels.Gemm;
import io.github.hopmixer.ops.FusedOps.GemmBiasGelu;
import io.github.hopmixer.ops.FusedOps.GemmGeluBackward;
import io.github.hopmixer.ops.FusedOps.GemmBiasResidual;

import java.util.ArrayList;
import java.util.List;

/**
 * The fused ops' cases of {@link OpCases#all()}: a channel layer (batch folded into M, a weight as b
 * stored transposed, a bias per column) and a token layer (a weight as a, per-image b, a bias per row), with awkward
 * sizes and more rows than one epilogue block ({@link Gemm#BLOCK}) so blocks and thread splits cut through them.
 */
final class FusedCases {
    private FusedCases() {}

    static List<OpCase> cases() {
        List<OpCase> cs = new ArrayList<>();
        // batch, m, n, k, tA, tB, strideA, strideB
        int[][] shapes = {{1, 45, 29, 37, 0, 1, 0, 0}, {3, 13, 33, 7, 0, 0, 0, 7 * 33}, {2, 19, 13, 5, 1, 0, 5 * 19, 0},
                {1, 40, 33, 16, 0, 0, 0, 0},
                {1, 35, 1030, 70, 0, 1, 0, 0},
                // n ≥ 1024: blocks of 64 rows (Gemm.blockRows), cut by the thread split, over a packed a (16 panels)
                {1, 70, 1024, 40, 0, 0, 0, 0},
                // K = 600 > 512: K blocks (Gemm.kBlock), so the several-K-blocks paths (b's blocks outermost) run, as in
                // the 224-px models' channel layers; and a token layer's per-image b over K blocks.
                {1, 35, 100, 600, 0, 1, 0, 0}, {2, 14, 70, 530, 0, 0, 0, 530 * 70},
                // n = 128, whole panels: the JVM packs the transposed b straight from its rows (no k×n copy)
                {1, 35, 128, 600, 0, 1, 0, 0}, {1, 13, 128, 40, 0, 1, 0, 0}};
        for (int[] s : shapes) {
            String t = " " + s[0] + "x" + s[1] + "x" + s[2] + "x" + s[3] + " tA" + s[4] + " tB" + s[5];
            // With slope the forward leaves GELU'(h) in h's buffer and the backward multiplies by it.
            for (boolean slope : new boolean[] {false, true}) {
                String sl = slope ? " slope" : "";
                for (int bias = 0; bias < 3; bias++) {
                    GemmBiasGelu op = new GemmBiasGelu(s[0], s[1], s[2], s[3], s[4] == 1, s[5] == 1, s[6], s[7], bias > 0, bias == 2, slope);
                    cs.add(new OpCase("GEMM_BIAS_GELU" + t + (bias == 0 ? " no bias" : bias == 1 ? " bias/column" : " bias/row") + sl, op,
                            OpCases.gaussian(), FusedCases::forwardMagnitude));
                }
                if (!slope) {
                    // The residual epilogue: one mask entry per image of rowsPerImage rows (several images in a batch-1
                    // product, as the channel layers fold them into M).
                    int rows = s[0] * s[1], images = rows % 5 == 0 ? 5 : rows % 3 == 0 ? 3 : rows % 2 == 0 ? 2 : 1;
                    for (int bias = 0; bias < 3; bias++) {
                        GemmBiasResidual op = new GemmBiasResidual(s[0], s[1], s[2], s[3], s[4] == 1, s[5] == 1, s[6], s[7], bias > 0,
                                bias == 2, rows / images);
                        cs.add(new OpCase("GEMM_BIAS_RESIDUAL" + t + (bias == 0 ? " no bias" : bias == 1 ? " bias/column" : " bias/row")
                                + " " + images + " images", op, OpCases.gaussian(), FusedCases::residualMagnitude));
                    }
                }
                for (int v = 0; v < 3; v++) {
                    boolean sumInto = v == 1, acc = v == 2;
                    GemmGeluBackward op = new GemmGeluBackward(s[0], s[1], s[2], s[3], s[4] == 1, s[5] == 1, s[6], s[7], sumInto, acc, slope);
                    cs.add(new OpCase("GEMM_GELU_BACKWARD" + t + (sumInto ? " sumInto" : "") + (acc ? " acc" : "") + sl, op,
                            OpCases.gaussian(), FusedCases::backwardMagnitude));
                }
            }
        }
        return cs;
    }

    /**
     * For a device without the fused ops ({@link Device#fusedOps()} false): its step plans never hold them, and a plan
     * that does is refused with a message naming the op. Returns whether that was checked (the plan's op is fused and
     * the device lacks it), so the caller has nothing left to compare.
     */
    static boolean refused(Device d, io.github.hopmixer.plan.Plan plan) {
        io.github.hopmixer.ops.Op op = plan.invocations().getFirst().op();
        boolean fused = op instanceof GemmBiasGelu || op instanceof GemmGeluBackward || op instanceof GemmBiasResidual;
        if (!fused || d.fusedOps()) return false;
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> {
            d.prepare(plan);
            d.execute(plan);
        }, d.name() + " ran " + op.name() + " though it says it has no fused ops");
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) messages.append(t.getMessage()).append('\n');
        org.junit.jupiter.api.Assertions.assertTrue(messages.toString().contains(op.name()), "the refusal names the op: " + messages);
        return true;
    }

    private static double[] abs(double[] v) {
        if (v == null) return null;
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
        return a;
    }

    /**
     * Σ|terms| of the product (and bias) for h; y = GELU(h) moves by at most 1.13·|δh|, plus its erf approximation, and
     * the slope GELU'(h) by at most 0.8·|δh| (|GELU''| ≤ 2φ(0)).
     */
    static double[][] forwardMagnitude(double[][] in, double[][] out, io.github.hopmixer.ops.Op o) {
        GemmBiasGelu f = (GemmBiasGelu) o;
        GemmBiasGelu op = new GemmBiasGelu(f.batch(), f.m(), f.n(), f.k(), f.transA(), f.transB(), f.strideA(), f.strideB(),
                f.bias(), f.biasPerRow(), false);
        int size = out[0].length;
        double[] h = new double[size], y = new double[size];
        op.ref(op.bias() ? new double[][] {h, y, abs(in[2]), abs(in[3]), abs(in[4])} : new double[][] {h, y, abs(in[2]), abs(in[3])},
                0, op.parallelism());
        double[] my = new double[size];
        for (int i = 0; i < size; i++) my[i] = 1.2 * h[i];
        return new double[][] {h, my, null, null, null};
    }

    /** dh = GELU'(h)·g: Σ|terms| of g (with its prior terms) times 1 + |h| (GELU' ≤ 1.13), plus the prior dh. */
    static double[][] backwardMagnitude(double[][] in, double[][] out, io.github.hopmixer.ops.Op o) {
        GemmGeluBackward op = (GemmGeluBackward) o;
        int size = out[0].length;
        double[] g = op.sumInto() ? abs(in[4]) : new double[size];
        Gemm.ref(g, abs(in[2]), abs(in[3]), op.batch(), op.m(), op.n(), op.k(), op.transA() ? 1 : 0, op.transB() ? 1 : 0,
                op.strideA(), op.strideB(), op.batch() > 1 ? op.m() * op.n() : 0, op.sumInto() ? 1 : 0, 0, op.parallelism());
        double[] m = new double[size];
        for (int i = 0; i < size; i++) m[i] = g[i] * (1 + Math.abs(in[1][i])) + (op.acc() ? Math.abs(in[0][i]) : 0);
        return new double[][] {m, null, null, null, null};
    }

    /** y = x + mask·(u + bias): |x| + |mask|·(Σ|terms| of the product + |bias|), the reference on absolute values. */
    static double[][] residualMagnitude(double[][] in, double[][] out, io.github.hopmixer.ops.Op o) {
        GemmBiasResidual op = (GemmBiasResidual) o;
        double[] y = new double[out[0].length];
        double[][] d = op.bias() ? new double[][] {y, abs(in[1]), abs(in[2]), abs(in[3]), abs(in[4]), abs(in[5])}
                : new double[][] {y, abs(in[1]), abs(in[2]), abs(in[3]), abs(in[4])};
        op.ref(d, 0, op.parallelism());
        return new double[][] {y, null, null, null, null, null};
    }
}
