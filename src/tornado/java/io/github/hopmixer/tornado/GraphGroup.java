package io.github.hopmixer.tornado;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The task graphs of the plans prepared together on a device (a training and an evaluation plan), in one
 * {@link TornadoExecutionPlan}. TornadoVM 5.2 passes device buffers only between the graphs of one execution plan —
 * a graph consumes from the graph of its plan that ran last — so plans in one group share their weights on the
 * device: evaluation takes them from the training plan's last graph, and training takes them back, with no copy
 * through the host. Plans prepared after the group ran get a group of their own.
 */
final class GraphGroup implements AutoCloseable {
    private final TornadoExecutionPlan exec;
    private TornadoExecutionResult lastResult;
    /** The plan whose graphs ran last, to its end; null before the first run or after a failed one. */
    PlanRunner last;

    GraphGroup(List<PlanRunner> runners, uk.ac.manchester.tornado.api.common.TornadoDevice device, TornadoConfig cfg) {
        GridScheduler grids = new GridScheduler();
        List<TaskGraph> all = new ArrayList<>();
        for (PlanRunner r : runners) all.addAll(r.graphs(this, all.size(), runners, grids));
        ImmutableTaskGraph[] snapshots = new ImmutableTaskGraph[all.size()];
        for (int i = 0; i < snapshots.length; i++) snapshots[i] = all.get(i).snapshot();
        exec = new TornadoExecutionPlan(snapshots);
        exec.withDevice(device).withGridScheduler(grids);
        if (!cfg.openclFlags().isEmpty()) exec.withCompilerFlags(TornadoVMBackendType.OPENCL, cfg.openclFlags());
        if (runners.stream().anyMatch(PlanRunner::profiling)) exec.withProfiler(uk.ac.manchester.tornado.api.enums.ProfilerMode.SILENT);
    }

    TornadoExecutionPlan exec() { return exec; }

    /** One blocking execution of one graph. */
    TornadoExecutionResult execute(int graph) {
        lastResult = exec.withGraph(graph).execute();
        return lastResult;
    }

    /** Device to host: the array as the graph at that index holds it. */
    void pull(int graph, FloatArray x) {
        exec.withGraph(graph);
        lastResult.transferToHost(x);
    }

    @Override
    public void close() {
        try {
            exec.close();
        } catch (Exception e) {
            // freeing device memory at shutdown: nothing left to do
        }
    }
}
