package io.github.hopmixer.tornado;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.ops.LayerNormOps.LayerNorm;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.testing.Tiny;
import io.github.hopmixer.train.StepPlans;
import io.github.hopmixer.train.StepPlans.Step;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failures TornadoVM 5.2 would let pass silently: a local size the device cannot launch is refused before a plan runs,
 * and a task graph whose last task did not run (TornadoVM prints the failed launch and goes on) stops the plan with an
 * error naming the graph — provoked on the device by a launch OpenCL refuses (local size 2 for a global size of 1).
 * (A refused launch of an earlier kernel of the graph is not seen by the canary, which runs after it: on PoCL the rest
 * of the graph still runs. Such launches are the ones the local-size check refuses before the plan runs.)
 */
class LaunchFailureTest {

    @AfterEach
    void untamper() {
        PlanRunner.tamper = null;
        System.clearProperty("hopmixer.tornado.graph.tasks");
    }

    static KernelTask layerNorm(int rows, int dim, int local) {
        Buffer[] args = new Buffer[6];
        long[] sizes = new LayerNorm(rows, dim).minSizes();
        for (int a = 0; a < 6; a++) args[a] = new Buffer(a, "a" + a, Role.INPUT, new int[] {Math.toIntExact(sizes[a])});
        FloatArray[] arrays = new FloatArray[6];
        for (int a = 0; a < 6; a++) arrays[a] = new FloatArray(1);
        System.setProperty("hopmixer.tornado.rows.local", String.valueOf(local));
        // the one-work-item-per-row kernel, whose local size is rows.local (the work-group kernels' is capped)
        System.setProperty("hopmixer.tornado.reduce.kernels", "items");
        try {
            return KernelTasks.of(new Invocation(new LayerNorm(rows, dim), args), arrays, TornadoConfig.forType("GPU"), null).getFirst();
        } finally {
            System.clearProperty("hopmixer.tornado.rows.local");
            System.clearProperty("hopmixer.tornado.reduce.kernels");
        }
    }

    static WorkerGrid grid(long global, long local) {
        WorkerGrid g = new WorkerGrid1D((int) global);
        g.setLocalWork(local, 1, 1);
        return g;
    }

    @Test
    void localSizesAreCheckedAgainstTheDeviceLimits() {
        long[] items = {256, 256, 64};
        KernelTask ok = layerNorm(1024, 128, 256);
        assertNull(LocalSizes.check(ok, items, 256, "gpu0", "train", "gpu.properties"));
        String big = LocalSizes.check(layerNorm(1024, 128, 512), items, 256, "gpu0", "train", "gpu.properties");
        assertEquals("kernel LAYERNORM (LayerNormKernels.forward) of plan train cannot launch on gpu0: local size 512 for global 1024, "
                + "dimension 0 over the device's 256 (max work-group 256, per dimension 256x256x64); lower the *.local keys of gpu.properties", big);
        String group = LocalSizes.check(ok, new long[] {1024, 1024, 1024}, 128, "gpu0", "train", "gpu.properties");
        assertTrue(group.contains("256 work-items per group, over the device's 128"), group);
        String ragged = LocalSizes.check(ok.withGrid(grid(100, 64)), items, 256, "gpu0", "train", "gpu.properties");
        assertTrue(ragged.contains("global size 100 not a multiple of local size 64"), ragged);
    }

    @Test
    void theRealDeviceRefusesATooLargeGroupBeforeThePlanRuns() {
        TornadoDeviceTest.requireTornado();
        try (Device d = Devices.open("tornado", 1)) {
            TornadoDevice td = (TornadoDevice) d;
            // 8192 work-items in one group: over any OpenCL device's work-group limit (PoCL: 4096).
            String msg = LocalSizes.check(layerNorm(8192, 16, 1).withGrid(grid(8192, 8192)), deviceOf(td), td.name(), "p", "cfg");
            assertTrue(msg != null && msg.startsWith("kernel LAYERNORM (LayerNormKernels.forward) of plan p cannot launch on " + td.name()), msg);
        }
    }

    static uk.ac.manchester.tornado.api.common.TornadoDevice deviceOf(TornadoDevice td) {
        return td.tornadoDevice();
    }

    @Test
    void aGraphThatDidNotRunToItsEndStopsThePlan() {
        TornadoDeviceTest.requireTornado();
        System.setProperty("hopmixer.tornado.graph.tasks", "8");
        // The canary of the second graph gets a launch OpenCL refuses; TornadoVM prints the error and goes on.
        PlanRunner.tamper = t -> t.kernel().equals("CanaryKernels.mark") && t.shape().equals("graph 1") ? t.withGrid(grid(1, 2)) : t;
        Step train = StepPlans.training(Tiny.model(Family.PARAMIXER, 1, 0), 3);
        try (Device d = Devices.open("tornado", 1)) {
            d.prepare(train.plan());
            Tiny.fill(d, train, 5);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.execute(train.plan()));
            assertTrue(e.getMessage().matches("TornadoVM did not run task graph hm\\d+c1 of plan .* to its end \\(run 1, its canary counted 0\\).*"),
                    e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
        // Without the tampering the same plan runs: every canary counts its graph's run.
        PlanRunner.tamper = null;
        try (Device d = Devices.open("tornado", 1)) {
            d.prepare(train.plan());
            Tiny.fill(d, train, 5);
            d.execute(train.plan());
            d.execute(train.plan());
            assertTrue(((TornadoDevice) d).kernelsAndGraphs(train.plan())[1] >= 3, "several graphs");
        }
    }
}
