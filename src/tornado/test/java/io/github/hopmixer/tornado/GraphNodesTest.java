package io.github.hopmixer.tornado;

import io.github.hopmixer.device.Devices;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.train.DropPath;
import io.github.hopmixer.train.ModelState;
import io.github.hopmixer.train.StepPlans;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task-graph cutter's count of TornadoVM graph nodes ({@link GraphNodes}) must never fall short: TornadoVM 5.2
 * cannot grow a graph past 1,024 nodes and fails the plan ("Tornado Graph resize not implemented yet"). The 224-px
 * model with the CPU config is the case that did (its vector GEMM kernels write more arrays, to TornadoVM's eye,
 * than their ops do): one step must run. Batch 4 is the smallest that failed before the fix (1 and 2 did not).
 */
class GraphNodesTest {
    static final int BATCH = 4;

    @Test
    void s16WithTheCpuConfigFitsTornadoVmGraphs() {
        TornadoDeviceTest.requireTornado();
        String id = new TornadoProvider().list().getFirst().id() + "@cpu";
        var m = Models.get("paramixer_s16_224").withData(224, 3, 10);
        try (TornadoDevice d = (TornadoDevice) Devices.open(id, 1)) {
            StepPlans.Step st = StepPlans.training(m, BATCH, d); // the device's own plan (liveness)
            d.prepare(st.plan());
            ModelState.initialise(d, st, 1);
            Random r = new Random(1);
            float[] images = new float[st.images().size()];
            for (int i = 0; i < images.length; i++) images[i] = (float) r.nextGaussian();
            float[] targets = new float[st.targets().size()];
            for (int b = 0; b < BATCH; b++) targets[b * 10 + r.nextInt(10)] = 1f;
            d.write(st.images(), images);
            d.write(st.targets(), targets);
            DropPath.write(d, st.dropPathMasks(), 0.1, 1, 1);
            d.write(st.scalars(), Scalars.adamW(1e-4, 0.05, 1, 0));
            d.execute(st.plan());
            float[] losses = new float[BATCH];
            d.read(st.losses(), losses);
            for (float l : losses) assertTrue(Float.isFinite(l) && l > 0, "loss " + l);
        }
    }
}
