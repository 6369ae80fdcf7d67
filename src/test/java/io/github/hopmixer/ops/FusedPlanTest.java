package io.github.hopmixer.ops;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.JvmDevice;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.ops.FusedOps.GemmBiasGelu;
import io.github.hopmixer.ops.FusedOps.GemmGeluBackward;
import io.github.hopmixer.ops.FusedOps.GemmBiasResidual;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Memory;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.testing.Tiny;
import io.github.hopmixer.train.StepPlans;
import io.github.hopmixer.train.StepPlans.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Where {@link FusedOps#fuse} applies, and that a fused step is the unfused step, bit for bit, on the JVM. */
class FusedPlanTest {

    static long count(Plan p, Class<?> kind) {
        return p.invocations().stream().filter(i -> kind.isInstance(i.op())).count();
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void everyMlpActivationIsFusedForwardAndBackward(Family family) {
        ModelConfig m = Tiny.model(family, 1, family == Family.ASYMMIXER ? 0.1 : 0);
        // As the tape wrote them (no recomputation), so the GELUs counted are the model's.
        Plan plain = StepPlans.training(m, 3, true, Memory.PLAIN, false).plan();
        Plan fused = StepPlans.training(m, 3, true, Memory.PLAIN, true).plan();
        long gelus = count(plain, GeluOps.Gelu.class);
        assertEquals(2L * m.depth(), gelus, "one GELU per MLP, two MLPs per block");
        assertEquals(0, count(plain, GemmBiasGelu.class) + count(plain, GemmGeluBackward.class));
        assertEquals(gelus, count(fused, GemmBiasGelu.class), "every GELU fused into its GEMM");
        assertEquals(gelus, count(fused, GemmGeluBackward.class), "every GELU backward fused into its gradient's GEMM");
        assertEquals(0, count(fused, GeluOps.Gelu.class) + count(fused, GeluOps.GeluBackward.class));
        // h's only later use is its backward, so each forward leaves the backward GELU'(h) instead of h.
        assertEquals(gelus, fused.invocations().stream().filter(i -> i.op() instanceof GemmBiasGelu f && f.slope()).count());
        assertEquals(gelus, fused.invocations().stream().filter(i -> i.op() instanceof GemmGeluBackward b && b.slope()).count());
        // Without a backward (an evaluation step) h keeps its value.
        assertEquals(0, StepPlans.evaluation(m, 3, Memory.PLAIN, true).plan().invocations().stream()
                .filter(i -> i.op() instanceof GemmBiasGelu f && f.slope()).count());
        // Each MLP's output layer (product and bias) is added to the residual stream in its epilogue.
        long residuals = count(plain, ResidualOps.Residual.class);
        assertEquals(gelus, residuals, "one residual per MLP");
        assertEquals(residuals, count(fused, GemmBiasResidual.class), "every MLP output added to the stream by its GEMM");
        assertEquals(0, count(fused, ResidualOps.Residual.class));
        // Bias adds go with the product (timm's Mixer): fc1's into the GELU epilogue, fc2's into the residual's.
        long biases = count(plain, BiasOps.AddBias.class);
        assertEquals(family.bias() ? biases - gelus - residuals : biases, count(fused, BiasOps.AddBias.class));
        assertEquals(plain.invocations().size() - gelus - (family.bias() ? gelus : 0) - gelus
                - residuals - (family.bias() ? residuals : 0), fused.invocations().size());
        assertTrue(fused.name().endsWith("/fused") && !plain.name().endsWith("/fused"), fused.name());
    }

    /** The unfused step, whatever a device that lacks the fused ops would run: chosen by its capability. */
    @Test
    void aDeviceWithoutTheFusedOpsGetsTheUnfusedPlan() {
        Device without = new Device() {
            public String name() { return "no fused ops"; }
            public void prepare(Plan plan) {}
            public void execute(Plan plan) {}
            public void write(Buffer buffer, float[] src) {}
            public void read(Buffer buffer, float[] dst) {}
        };
        ModelConfig m = Tiny.model(Family.PARAMIXER, 1, 0);
        assertFalse(without.fusedOps());
        Plan p = StepPlans.training(m, 3, without).plan();
        assertEquals(StepPlans.training(m, 3).plan().invocations().size(), p.invocations().size());
        assertEquals(0, count(p, GemmBiasGelu.class) + count(p, GemmGeluBackward.class));
        try (JvmDevice jvm = new JvmDevice(1)) {
            assertTrue(StepPlans.training(m, 3, jvm).plan().name().endsWith("/fused"));
            assertTrue(StepPlans.evaluation(m, 3, jvm).plan().invocations().stream().anyMatch(i -> i.op() instanceof GemmBiasGelu));
        }
    }

    /**
     * The fused kernels compute every element with the operations of the unfused sequence, so three training steps of
     * the fused plan (2 and 3 threads) give the unfused plan's losses, weights, gradients and moments exactly.
     */
    @ParameterizedTest
    @EnumSource(Family.class)
    void fusedStepsAreTheUnfusedStepsBitForBit(Family family) {
        ModelConfig m = Tiny.model(family, 2, family == Family.ASYMMIXER ? 0.1 : 0);
        // Every buffer its own storage, so intermediate activations can be compared after the steps too.
        Step plain = StepPlans.training(m, 3, true, Memory.PLAIN, false), fused = StepPlans.training(m, 3, true, Memory.PLAIN, true);
        // What the JVM device trains with: fused, shared storage, recomputation; compared where storage persists.
        Step lean = StepPlans.training(m, 3, true, Memory.LEAN, true);
        try (JvmDevice a = new JvmDevice(2); JvmDevice b = new JvmDevice(3); JvmDevice c = new JvmDevice(2, true)) {
            a.prepare(plain.plan());
            b.prepare(fused.plan());
            c.prepare(lean.plan());
            Tiny.fill(a, plain, 5);
            Tiny.fill(b, fused, 5);
            Tiny.fill(c, lean, 5);
            for (int step = 0; step < 3; step++) {
                a.execute(plain.plan());
                b.execute(fused.plan());
                c.execute(lean.plan());
            }
            for (Buffer x : plain.plan().buffers()) {
                if (x.role() == Role.ACTIVATION) continue;
                float[] va = new float[x.size()], vc = new float[x.size()];
                a.read(x, va);
                c.read(lean.plan().buffer(x.name()), vc);
                for (int i = 0; i < va.length; i++) {
                    if (Float.floatToRawIntBits(va[i]) != Float.floatToRawIntBits(vc[i])) {
                        fail(m.name() + " lean fused " + x.name() + "[" + i + "]: unfused " + va[i] + ", lean fused " + vc[i]);
                    }
                }
            }
            for (Buffer x : plain.plan().buffers()) {
                // GELU's output gradient g is what the fused backward never stores (every family: asymmixer's output is
                // one product with W2 + W1ᵀ, so its GELU output has one consumer too).
                if (x.name().endsWith(".act.grad")) {
                    assertTrue(!written(fused.plan(), x.name()), x.name() + " stored");
                    continue;
                }
                // The fused forward leaves GELU'(h) in h's buffer: compared in fusedKernelsGiveTheUnfusedKernelsBits.
                if (holdsSlope(fused.plan(), x.name())) continue;
                // A residual branch u (an MLP's output) is what the fused residual never stores; its sum y is compared.
                if (residualBranch(plain.plan(), x)) {
                    assertTrue(!written(fused.plan(), x.name()), x.name() + " stored");
                    continue;
                }
                float[] va = new float[x.size()], vb = new float[x.size()];
                a.read(x, va);
                b.read(fused.plan().buffer(x.name()), vb);
                for (int i = 0; i < va.length; i++) {
                    if (Float.floatToRawIntBits(va[i]) != Float.floatToRawIntBits(vb[i])) {
                        fail(m.name() + " " + x.name() + "[" + i + "]: unfused " + va[i] + ", fused " + vb[i]);
                    }
                }
            }
        }
    }

    /**
     * The kernels alone, on shapes of one and of several K blocks (n = 1030: blocks of 64), against the unfused
     * kernels in sequence, on one thread's range and on two: the same bits.
     */
    @Test
    void fusedKernelsGiveTheUnfusedKernelsBits() {
        java.util.Random r = new java.util.Random(3);
        for (int[] s : new int[][] {{45, 29, 37}, {35, 1030, 70}, {70, 130, 600}}) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = Tiny.randn(r, m * k, 1), b = Tiny.randn(r, n * k, 1), prior = Tiny.randn(r, m * n, 1), u = Tiny.randn(r, m * n, 1);
            GemmOps.Gemm gemm = new GemmOps.Gemm(1, m, n, k, false, true, 0, 0, 0, false);
            float[] h = new float[m * n], y = new float[m * n];
            // Over the op's own work items: 35×1030 splits by columns (GemmColumns), the fused kernels by rows.
            gemm.jvm(new float[][] {h, a, b}, 0, gemm.parallelism());
            new GeluOps.Gelu(m * n).jvm(new float[][] {y, h}, 0, m * n);
            float[] g = prior.clone(), dh = new float[m * n];
            GemmOps.Gemm sum = new GemmOps.Gemm(1, m, n, k, false, true, 0, 0, 0, true);
            sum.jvm(new float[][] {g, a, b}, 0, sum.parallelism());
            new GeluOps.GeluBackward(m * n, false).jvm(new float[][] {dh, g, u}, 0, m * n);
            // GELU'(h) as the unfused backward computes it: its gradient for an output gradient of ones.
            float[] ones = new float[m * n], slopeOfH = new float[m * n], dhOfH = new float[m * n];
            java.util.Arrays.fill(ones, 1f);
            new GeluOps.GeluBackward(m * n, false).jvm(new float[][] {slopeOfH, ones, h}, 0, m * n);
            new GeluOps.GeluBackward(m * n, false).jvm(new float[][] {dhOfH, g, h}, 0, m * n);
            for (boolean slope : new boolean[] {false, true})
                for (int split : new int[] {m, m / 2}) {
                    float[] fh = new float[m * n], fy = new float[m * n], fdh = new float[m * n];
                    GemmBiasGelu f = new GemmBiasGelu(1, m, n, k, false, true, 0, 0, false, false, slope);
                    f.jvm(new float[][] {fh, fy, a, b}, 0, split);
                    f.jvm(new float[][] {fh, fy, a, b}, split, m);
                    // The backward takes its GELU input from the forward: h, or with slope GELU'(h).
                    GemmGeluBackward fb = new GemmGeluBackward(1, m, n, k, false, true, 0, 0, true, false, slope);
                    float[] in = slope ? fh : u;
                    fb.jvm(new float[][] {fdh, in, a, b, prior}, 0, split);
                    fb.jvm(new float[][] {fdh, in, a, b, prior}, split, m);
                    float[] wantH = slope ? slopeOfH : h, wantDh = slope ? dhOfH : dh;
                    String what = m + "x" + n + "x" + k + (slope ? " slope" : "");
                    for (int i = 0; i < m * n; i++) {
                        if (Float.floatToRawIntBits(fy[i]) != Float.floatToRawIntBits(y[i]) || Float.floatToRawIntBits(fh[i]) != Float.floatToRawIntBits(wantH[i])) {
                            fail(what + " forward [" + i + "]: fused " + fy[i] + " / " + fh[i] + ", unfused " + y[i] + " / " + wantH[i]);
                        }
                        if (Float.floatToRawIntBits(fdh[i]) != Float.floatToRawIntBits(wantDh[i])) {
                            fail(what + " backward [" + i + "]: fused " + fdh[i] + ", unfused " + wantDh[i]);
                        }
                    }
                }
        }
    }

    /**
     * GELU'(h) replaces h only where nothing but the fused backward reads h afterwards and the host does not keep h: a
     * second reader, or a kept h, leaves the forward storing h and the backward computing GELU' itself.
     */
    @Test
    void slopeOnlyWhereTheFusedBackwardIsHsLastUse() {
        int m = 4, n = 6, k = 5, j = 3;
        Buffer h = new Buffer(0, "h", Role.ACTIVATION, new int[] {m, n}), y = new Buffer(1, "y", Role.ACTIVATION, new int[] {m, n});
        Buffer a = new Buffer(2, "a", Role.INPUT, new int[] {m, k}), w = new Buffer(3, "w", Role.PARAM, new int[] {n, k});
        Buffer g = new Buffer(4, "g", Role.ACTIVATION, new int[] {m, n}), dh = new Buffer(5, "dh", Role.ACTIVATION, new int[] {m, n});
        Buffer u = new Buffer(6, "u", Role.INPUT, new int[] {m, j}), v = new Buffer(7, "v", Role.PARAM, new int[] {j, n});
        Buffer z = new Buffer(8, "z", Role.ACTIVATION, new int[] {m, n});
        java.util.List<Invocation> step = new java.util.ArrayList<>(java.util.List.of(
                new Invocation(new GemmOps.Gemm(1, m, n, k, false, true, 0, 0, 0, false), new Buffer[] {h, a, w}),
                new Invocation(new GeluOps.Gelu(m * n), new Buffer[] {y, h}),
                new Invocation(new GemmOps.Gemm(1, m, n, j, false, false, 0, 0, 0, false), new Buffer[] {g, u, v}),
                new Invocation(new GeluOps.GeluBackward(m * n, false), new Buffer[] {dh, g, h})));
        java.util.List<Invocation> alone = FusedOps.fuse(step, java.util.Set.of());
        assertEquals(2, alone.size());
        assertTrue(alone.get(0).op() instanceof GemmBiasGelu f && f.slope(), alone.toString());
        assertTrue(alone.get(1).op() instanceof GemmGeluBackward b && b.slope(), alone.toString());
        // The host reads h after the step.
        java.util.List<Invocation> kept = FusedOps.fuse(step, java.util.Set.of(h));
        assertTrue(kept.get(0).op() instanceof GemmBiasGelu f && !f.slope(), kept.toString());
        assertTrue(kept.get(1).op() instanceof GemmGeluBackward b && !b.slope(), kept.toString());
        // Another op reads h after its backward.
        step.add(new Invocation(new ResidualOps.Add(m * n, false), new Buffer[] {z, h}));
        java.util.List<Invocation> read = FusedOps.fuse(step, java.util.Set.of());
        assertTrue(read.get(0).op() instanceof GemmBiasGelu f && !f.slope(), read.toString());
        assertTrue(read.get(1).op() instanceof GemmGeluBackward b && !b.slope(), read.toString());
    }

    /**
     * The residual epilogue against GEMM, ADD_BIAS and RESIDUAL in sequence, on one thread's range and on two: the
     * same bits, with a bias per column and per row, one K block and several (k = 600: the product summed in y's own
     * storage), and in place (y is x).
     */
    @Test
    void fusedResidualGivesTheUnfusedBits() {
        java.util.Random r = new java.util.Random(5);
        for (int[] s : new int[][] {{45, 29, 37}, {36, 1030, 70}, {70, 130, 600}}) {
            int m = s[0], n = s[1], k = s[2], images = m % 5 == 0 ? 5 : 3;
            float[] a = Tiny.randn(r, m * k, 1), b = Tiny.randn(r, n * k, 1), x = Tiny.randn(r, m * n, 1);
            float[] mask = Tiny.randn(r, images, 1);
            for (boolean perRow : new boolean[] {false, true}) {
                float[] bias = Tiny.randn(r, perRow ? m : n, 1);
                float[] u = new float[m * n], y = new float[m * n];
                GemmOps.Gemm gemm = new GemmOps.Gemm(1, m, n, k, false, true, 0, 0, 0, false);
                gemm.jvm(new float[][] {u, a, b}, 0, gemm.parallelism());
                BiasOps.AddBias ab = perRow ? new BiasOps.AddBias(1, m, n) : new BiasOps.AddBias(m, n, 1);
                ab.jvm(new float[][] {u, bias}, 0, ab.parallelism());
                new ResidualOps.Residual(images, m * n / images).jvm(new float[][] {y, x, u, mask}, 0, m * n);
                GemmBiasResidual f = new GemmBiasResidual(1, m, n, k, false, true, 0, 0, true, perRow, m / images);
                for (int split : new int[] {m, m / 2}) {
                    for (boolean inPlace : new boolean[] {false, true}) {
                        float[] fx = x.clone(), fy = inPlace ? fx : new float[m * n];
                        f.jvm(new float[][] {fy, fx, a, b, mask, bias}, 0, split);
                        f.jvm(new float[][] {fy, fx, a, b, mask, bias}, split, m);
                        for (int i = 0; i < m * n; i++) {
                            if (Float.floatToRawIntBits(fy[i]) != Float.floatToRawIntBits(y[i])) {
                                fail(m + "x" + n + "x" + k + (perRow ? " bias/row" : " bias/column") + (inPlace ? " in place" : "")
                                        + " [" + i + "]: fused " + fy[i] + ", unfused " + y[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A residual takes its branch's product only where nothing else reads the branch u (before or after), the host
     * does not keep it, the product's operands are not written in between, and y is not x.
     */
    @Test
    void residualFusedOnlyWhereItsBranchIsItsAlone() {
        int m = 4, n = 6, k = 5;
        Buffer u = new Buffer(0, "u", Role.ACTIVATION, new int[] {m, n}), y = new Buffer(1, "y", Role.ACTIVATION, new int[] {m, n});
        Buffer a = new Buffer(2, "a", Role.ACTIVATION, new int[] {m, k}), w = new Buffer(3, "w", Role.PARAM, new int[] {n, k});
        Buffer bias = new Buffer(4, "bias", Role.PARAM, new int[] {n}), x = new Buffer(5, "x", Role.ACTIVATION, new int[] {m, n});
        Buffer mask = new Buffer(6, "mask", Role.INPUT, new int[] {2}), z = new Buffer(7, "z", Role.ACTIVATION, new int[] {m, n});
        Buffer za = new Buffer(8, "za", Role.ACTIVATION, new int[] {m, k});
        Invocation gemm = new Invocation(new GemmOps.Gemm(1, m, n, k, false, true, 0, 0, 0, false), new Buffer[] {u, a, w});
        Invocation addBias = new Invocation(new BiasOps.AddBias(m, n, 1), new Buffer[] {u, bias});
        Invocation residual = new Invocation(new ResidualOps.Residual(2, m * n / 2), new Buffer[] {y, x, u, mask});
        java.util.List<Invocation> step = java.util.List.of(gemm, addBias, residual);
        java.util.List<Invocation> fused = FusedOps.fuse(step, java.util.Set.of());
        assertEquals(1, fused.size(), fused.toString());
        assertTrue(fused.get(0).op() instanceof GemmBiasResidual f && f.bias() && !f.biasPerRow() && f.rowsPerImage() == 2, fused.toString());
        assertEquals(java.util.List.of(y, x, a, w, mask, bias), java.util.List.of(fused.get(0).buffers()));
        // The product moves down past ops that leave its operands alone.
        Invocation other = new Invocation(new ResidualOps.Add(m * n, false), new Buffer[] {z, x});
        assertEquals(2, FusedOps.fuse(java.util.List.of(gemm, addBias, other, residual), java.util.Set.of()).size());
        // Not fused: the host keeps u; u read before the residual or after it; a written in between; y is x; u an input.
        assertEquals(3, FusedOps.fuse(step, java.util.Set.of(u)).size());
        Invocation readsU = new Invocation(new ResidualOps.Add(m * n, false), new Buffer[] {z, u});
        assertEquals(4, FusedOps.fuse(java.util.List.of(gemm, addBias, readsU, residual), java.util.Set.of()).size());
        assertEquals(4, FusedOps.fuse(java.util.List.of(gemm, addBias, residual, readsU), java.util.Set.of()).size());
        Invocation writesA = new Invocation(new ResidualOps.Add(m * k, false), new Buffer[] {a, za});
        assertEquals(4, FusedOps.fuse(java.util.List.of(gemm, addBias, writesA, residual), java.util.Set.of()).size());
        Invocation inPlace = new Invocation(new ResidualOps.Residual(2, m * n / 2), new Buffer[] {x, x, u, mask});
        assertEquals(3, FusedOps.fuse(java.util.List.of(gemm, addBias, inPlace), java.util.Set.of()).size());
        Buffer input = new Buffer(9, "input", Role.INPUT, new int[] {m, n});
        Invocation fromInput = new Invocation(new ResidualOps.Residual(2, m * n / 2), new Buffer[] {y, x, input, mask});
        assertEquals(1, FusedOps.fuse(java.util.List.of(fromInput), java.util.Set.of()).size());
        assertTrue(FusedOps.fuse(java.util.List.of(fromInput), java.util.Set.of()).get(0).op() instanceof ResidualOps.Residual);
    }

    /** Whether a fused forward with slope writes GELU'(h) into this buffer. */
    private static boolean holdsSlope(Plan p, String name) {
        Buffer b = p.buffer(name);
        return p.invocations().stream().anyMatch(i -> i.op() instanceof GemmBiasGelu f && f.slope() && i.buffers()[0] == b);
    }

    private static boolean residualBranch(Plan p, Buffer u) {
        return p.invocations().stream().anyMatch(i -> i.op() instanceof ResidualOps.Residual && i.buffers()[2] == u);
    }

    private static boolean written(Plan p, String name) {
        Buffer b = p.buffer(name);
        for (Invocation inv : p.invocations())
            for (int a = 0; a < inv.buffers().length; a++) if (inv.buffers()[a] == b && inv.op().writes(a)) return true;
        return false;
    }
}
