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
            var plan = StepPlans.training(m, 3).plan();
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

    @Test
    void rulesFlagLongLoopsAndThinLaunchesButNotGemmReductions() {
        List<KernelAudit.Row> rows = KernelAudit.rows(io.github.hopmixer.model.Models.get("paramixer_nano").withData(32, 3, 10), 128,
                TornadoConfig.forType("GPU"));
        KernelAudit.Row ln = rows.stream().filter(r -> r.shape().equals("LayerNorm[rows=128, dim=8192]")).findFirst().orElseThrow();
        assertEquals(128, ln.items());
        assertEquals(8192, ln.loop());
        assertEquals("loop 8192 > 1024; 1048576 elements on 128 < 16384 work-items", ln.violation());
        for (KernelAudit.Row r : rows) {
            if (r.gemmReduction()) assertTrue(!r.violation().contains("loop"), r.toString());
            if (r.kernel().equals("GeluKernels.forward")) assertEquals("", r.violation(), r.toString());
            if (r.kernel().equals("CanaryKernels.mark")) assertEquals(1, r.items());
        }
    }
}
