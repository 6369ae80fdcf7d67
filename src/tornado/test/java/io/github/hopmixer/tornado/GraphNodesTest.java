package io.github.hopmixer.tornado;

import io.github.hopmixer.bench.StepBench;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.model.Models;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task-graph cutter's count of TornadoVM graph nodes ({@link GraphNodes}) must never fall short: TornadoVM 5.2
 * cannot grow a graph past 1,024 nodes and fails the plan ("Tornado Graph resize not implemented yet"). The 224-px
 * model with the CPU config is the case that did (its vector GEMM kernels write more arrays, to TornadoVM's eye,
 * than their ops do): one step of the device's own plan must run, and give the JVM device's losses (within the
 * 1e-4 of {@link TornadoTrainingTest}). Batch 4 is the smallest that failed before the fix (1 and 2 did not).
 */
class GraphNodesTest {

    @Test
    void s16WithTheCpuConfigFitsTornadoVmGraphs() {
        TornadoDeviceTest.requireTornado();
        String id = new TornadoProvider().list().getFirst().id() + "@cpu";
        var m = Models.get("paramixer_s16_224").withData(224, 3, 10);
        float[] tornado, jvm;
        try (TornadoDevice d = (TornadoDevice) Devices.open(id, 1)) {
            // the trainer's step: the batch and scalars in, execute (every graph), the losses out
            StepBench.Runner r = new StepBench.Runner(d, m, 4);
            r.steps(1);
            tornado = r.losses();
        }
        try (var d = Devices.open("jvm", 2)) {
            StepBench.Runner r = new StepBench.Runner(d, m, 4);
            r.steps(1);
            jvm = r.losses();
        }
        assertEquals(4, tornado.length);
        for (int i = 0; i < 4; i++) {
            assertTrue(Float.isFinite(jvm[i]) && jvm[i] > 0, "JVM loss " + jvm[i]);
            assertEquals(jvm[i], tornado[i], TornadoTrainingTest.TOLERANCE * jvm[i], "image " + i + "'s loss");
        }
    }
}
