package io.github.hopmixer.tornado;

import io.github.hopmixer.bench.StepBench;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.model.Models;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The task-graph cutter's count of TornadoVM graph nodes ({@link GraphNodes}) must never fall short: TornadoVM 5.2
 * cannot grow a graph past 1,024 nodes and fails the plan ("Tornado Graph resize not implemented yet"). The 224-px
 * model with the CPU config is the case that did (its vector GEMM kernels write more arrays, to TornadoVM's eye,
 * than their ops do): one step of the device's own plan must run. Batch 4 is the smallest that failed before the fix
 * (1 and 2 did not).
 */
class GraphNodesTest {

    @Test
    void s16WithTheCpuConfigFitsTornadoVmGraphs() {
        TornadoDeviceTest.requireTornado();
        String id = new TornadoProvider().list().getFirst().id() + "@cpu";
        var m = Models.get("paramixer_s16_224").withData(224, 3, 10);
        try (TornadoDevice d = (TornadoDevice) Devices.open(id, 1)) {
            // the trainer's step: the batch and scalars in, execute (every graph), the losses out
            assertEquals(4, StepBench.trainingStep(d, m, 4, 0, 1).batch());
        }
    }
}
