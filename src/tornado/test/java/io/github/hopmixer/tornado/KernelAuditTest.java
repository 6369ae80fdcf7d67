package io.github.hopmixer.tornado;

import io.github.hopmixer.device.Devices;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.testing.Tiny;
import io.github.hopmixer.train.StepPlans;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel audit lists exactly the launches the device prepares (the same layout code), and its rules flag what
 * they should: a LayerNorm row of 8,192 on one work-item, a large launch on few work-items, not a GEMM's reduction.
 */
class KernelAuditTest {

    @Test
    void listsTheLaunchesThePreparedPlanHas() {
        TornadoDeviceTest.requireTornado();
        ModelConfig m = Tiny.model(Family.PARAMIXER, 1, 0);
        try (TornadoDevice d = (TornadoDevice) Devices.open("tornado", 1)) {
            var plan = StepPlans.training(m, 3, d).plan();
            d.prepare(plan);
            int[] kg = d.kernelsAndGraphs(plan);
            List<KernelAudit.Row> rows = KernelAudit.rows(m, 3, d.config());
            long canaries = rows.stream().filter(r -> r.kernel().equals("CanaryKernels.mark")).count();
            long touches = rows.stream().filter(r -> r.kernel().equals("TransferKernels.touch")).count();
            assertEquals(kg[0], rows.size() - canaries - touches, "kernels");
            // the first graph takes the step's inputs (images, targets, scalars, DropPath masks): one touch task
            assertEquals(1, touches, "touch tasks");
            assertEquals(0, rows.stream().filter(r -> r.kernel().equals("TransferKernels.touch") && r.graph() > 0).count());
            // graphs: the kernel graphs (one canary each) and the parameter upload graph
            assertEquals(kg[1], canaries + 1, "graphs");
        }
    }

    static List<KernelAudit.Row> nano(String type) {
        return KernelAudit.rows(io.github.hopmixer.model.Models.get("paramixer_nano").withData(32, 3, 10), 128, TornadoConfig.forType(type));
    }

    @Test
    void rulesFlagLongLoopsAndThinLaunchesButNotGemmReductions() {
        // The CPU config's one-work-item-per-row LayerNorm breaks both rules, as the rules should say.
        List<KernelAudit.Row> rows = nano("CPU");
        KernelAudit.Row ln = rows.stream().filter(r -> r.shape().equals("LayerNorm[rows=128, dim=8192]")).findFirst().orElseThrow();
        assertEquals("LayerNormKernels.forward", ln.kernel());
        assertEquals(128, ln.items());
        assertEquals(8192, ln.loop());
        assertEquals("loop 8192 > 1024; 1048576 elements on 128 < 16384 work-items", ln.violation());
        for (KernelAudit.Row r : rows) {
            if (r.gemmReduction()) assertTrue(!r.violation().contains("loop"), r.toString());
            if (r.kernel().equals("GeluKernels.forward")) assertEquals("", r.violation(), r.toString());
            if (r.kernel().equals("CanaryKernels.mark")) assertEquals(1, r.items());
        }
        // each rule above met rows to judge
        assertTrue(rows.stream().anyMatch(KernelAudit.Row::gemmReduction), "no GEMM reduction in the audit");
        assertTrue(rows.stream().anyMatch(r -> r.kernel().equals("GeluKernels.forward")), "no GELU launch in the audit");
        assertTrue(rows.stream().anyMatch(r -> r.kernel().equals("CanaryKernels.mark")), "no canary in the audit");
    }

    /**
     * The GPU config's reductions are the work-group kernels, described as they launch, and meet the rules at nano
     * batch 128: the joint LayerNorm is one group of 256 per image (32,768 work-items, loops of 8,192 / 256 = 32), the
     * column sums put columns side by side while keeping 16 K work-items, and no launch but the GEMMs' breaks a rule.
     */
    @Test
    void theGpuConfigsReductionsAreWorkGroupKernelsThatMeetTheRules() {
        List<KernelAudit.Row> rows = nano("GPU");
        KernelAudit.Row ln = rows.stream().filter(r -> r.shape().equals("LayerNorm[rows=128, dim=8192]")).findFirst().orElseThrow();
        assertEquals("LayerNormGroupKernels.forward", ln.kernel());
        assertEquals("32768", ln.global());
        assertEquals("256", ln.local());
        assertEquals(32768, ln.items());
        assertEquals(32, ln.loop());
        KernelAudit.Row params = rows.stream().filter(r -> r.shape().startsWith("LayerNormBackwardParams[rows=8192, dim=128")).findFirst().orElseThrow();
        // 2 columns × 128 lanes per group, 64 groups: 16,384 work-items, each summing 8,192 / 128 = 64 rows
        assertEquals("16384", params.global());
        assertEquals(16384, params.items());
        assertEquals(64, params.loop());
        List<String> reductions = List.of("LayerNormKernels.forward", "LayerNormKernels.backwardInput", "LayerNormKernels.backwardParams",
                "BiasKernels.biasGrad", "TokenKernels.mean", "LossKernels.crossEntropy", "LossKernels.sumSquares");
        for (KernelAudit.Row r : rows) {
            assertTrue(!reductions.contains(r.kernel()), "a CPU-shaped reduction in the GPU config: " + r);
            if (!r.kernel().startsWith("GemmKernels.")) assertEquals("", r.violation(), r.toString());
            if (r.kernel().contains("GroupKernels.")) assertTrue(r.loop() <= KernelAudit.MAX_LOOP, r.toString());
        }
        // asymmixer's penalty: the two-pass sum of squares
        List<KernelAudit.Row> asym = KernelAudit.rows(io.github.hopmixer.model.Models.get("asymmixer_nano_l03").withData(32, 3, 10), 128,
                TornadoConfig.forType("GPU"));
        assertTrue(asym.stream().anyMatch(r -> r.kernel().equals("ReduceGroupKernels.sumSquaresPartial")));
        assertTrue(asym.stream().anyMatch(r -> r.kernel().equals("ReduceGroupKernels.sumSquaresFinal")));
        for (KernelAudit.Row r : asym) if (r.kernel().startsWith("ReduceGroupKernels.sumSquares")) assertEquals("", r.violation(), r.toString());
    }

    /**
     * Every launch of the GPU config's nano steps (paramixer's, asymmixer's with the two-pass sum of squares) fits a
     * typical GPU's limits (work-groups of 1,024, 1024×1024×64 per dimension) as LocalSizes checks them before a
     * plan runs: work-group sizes within the device's, each a divisor of its global size.
     */
    @Test
    void theGpuConfigsLaunchesPassTheLocalSizeCheckOnATypicalGpu() {
        TornadoConfig cfg = TornadoConfig.forType("GPU");
        for (String name : List.of("paramixer_nano", "asymmixer_nano_l03")) {
            var plan = StepPlans.training(io.github.hopmixer.model.Models.get(name).withData(32, 3, 10), 128, true,
                    TornadoDevice.memory(), false).plan();
            uk.ac.manchester.tornado.api.types.arrays.FloatArray[] arrays = new uk.ac.manchester.tornado.api.types.arrays.FloatArray[plan.buffers().size()];
            for (int i = 0; i < arrays.length; i++) arrays[i] = new uk.ac.manchester.tornado.api.types.arrays.FloatArray(1);
            GraphLayout layout = GraphLayout.of(plan, arrays, cfg, n -> new uk.ac.manchester.tornado.api.types.arrays.FloatArray(1));
            int groupKernels = 0;
            for (List<KernelTask> chunk : layout.chunks()) {
                for (KernelTask t : chunk) {
                    assertEquals(null, LocalSizes.check(t, new long[] {1024, 1024, 64}, 1024, "a GPU", plan.name(), cfg.source()));
                    if (t.kernel().contains("GroupKernels.")) groupKernels++;
                }
            }
            assertTrue(groupKernels >= 30, name + ": " + groupKernels + " work-group reduction launches");
        }
    }
}
