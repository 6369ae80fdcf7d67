package io.github.hopmixer.tornado;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.tornado.kernels.TransferKernels;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One step plan as TornadoVM task graphs in one {@link TornadoExecutionPlan}, run in order:
 *
 * <ol>
 *   <li>{@code ub} (upload state): sends the host's copies of the preset buffers that kernels update (parameters,
 *       AdamW moments) — only when the host wrote one of them since the device last had it (initialisation,
 *       checkpoint load, or another plan of the device changed them);</li>
 *   <li>{@code ua} (upload step): sends the preset buffers that kernels only read and the host rewrites every step
 *       (images, targets, DropPath masks, the step scalars);</li>
 *   <li>{@code c0 … cN}: the plan's kernels, cut into graphs of {@code graph.tasks} tasks.</li>
 * </ol>
 *
 * Graphs share device buffers with TornadoVM's {@code persistOnDevice}/{@code consumeFromDevice}: each graph
 * consumes, from the graph run before it, the preset buffers and every buffer still needed later, so one device
 * copy of each buffer lives across graphs and across steps (the first chunk also consumes from the last, which ran
 * last in the previous step). Nothing comes back unless {@link #pull} asks for it.
 */
final class PlanRunner implements AutoCloseable {
    private static final AtomicLong SERIAL = new AtomicLong();

    final Plan plan;
    private final String deviceName;
    private final FloatArray[] arrays;
    /** Buffer ids: preset and kernel-written (state), preset and read-only per-step inputs, and everything written. */
    final List<Integer> groupState = new ArrayList<>(), groupStep = new ArrayList<>(), written = new ArrayList<>();
    private final List<String> graphNames = new ArrayList<>();
    private final List<List<KernelTask>> graphTasks = new ArrayList<>();
    private final List<List<String>> taskNames = new ArrayList<>();
    private final Map<FloatArray, Integer> pullGraph = new HashMap<>();
    private final int uploadState, uploadStep, firstChunk;
    private final TornadoExecutionPlan exec;
    private final GridScheduler grids = new GridScheduler();
    private final uk.ac.manchester.tornado.api.common.TornadoDevice device;
    private final TornadoConfig cfg;
    private TornadoExecutionResult lastResult;
    private boolean compiled;
    private double compileSeconds = Double.NaN;
    private final int kernelCount;

    PlanRunner(Plan plan, FloatArray[] arrays, uk.ac.manchester.tornado.api.common.TornadoDevice device, String deviceName,
               TornadoConfig cfg) {
        this.plan = plan;
        this.arrays = arrays;
        this.device = device;
        this.deviceName = deviceName;
        this.cfg = cfg;
        String prefix = "hm" + SERIAL.incrementAndGet();

        // Preset buffers (read before any kernel writes them) and written ones, among those the kernels use.
        BitSet used = new BitSet(), writes = new BitSet();
        for (Invocation inv : plan.steps()) {
            for (int a = 0; a < inv.buffers().length; a++) {
                used.set(inv.buffers()[a].id());
                if (inv.op().writes(a)) writes.set(inv.buffers()[a].id());
            }
        }
        for (Buffer b : plan.buffers()) {
            if (!used.get(b.id())) continue;
            boolean preset = b.role() == Role.PARAM || b.role() == Role.OPT_STATE || b.role() == Role.INPUT || b.role() == Role.SCALARS;
            boolean stepInput = (b.role() == Role.INPUT || b.role() == Role.SCALARS) && !writes.get(b.id());
            if (preset) (stepInput ? groupStep : groupState).add(b.id());
            if (writes.get(b.id())) written.add(b.id());
        }
        Set<FloatArray> state = arraysOf(groupState), step = arraysOf(groupStep);
        Set<FloatArray> preset = new LinkedHashSet<>(state);
        preset.addAll(step);

        // Kernel tasks, cut into chunks at invocation boundaries.
        long scratchFloats = 0;
        for (Invocation inv : plan.steps()) scratchFloats = Math.max(scratchFloats, KernelTasks.scratchFloats(inv));
        FloatArray scratch = scratchFloats > 0 ? zeroed(Math.toIntExact(scratchFloats)) : null;
        List<List<KernelTask>> chunks = new ArrayList<>();
        List<KernelTask> current = new ArrayList<>();
        int count = 0;
        for (Invocation inv : plan.steps()) {
            FloatArray[] args = new FloatArray[inv.buffers().length];
            for (int a = 0; a < args.length; a++) args[a] = arrays[inv.buffers()[a].id()];
            List<KernelTask> ts = KernelTasks.of(inv, args, cfg, floats -> scratch);
            if (!current.isEmpty() && current.size() + ts.size() > cfg.graphTasks()) {
                chunks.add(current);
                current = new ArrayList<>();
            }
            current.addAll(ts);
            count += ts.size();
        }
        if (!current.isEmpty()) chunks.add(current);
        this.kernelCount = count;
        int n = chunks.size();
        List<Set<FloatArray>> usedBy = new ArrayList<>();
        for (List<KernelTask> c : chunks) {
            Set<FloatArray> u = new LinkedHashSet<>();
            for (KernelTask t : c) u.addAll(t.arrays());
            usedBy.add(u);
        }

        List<TaskGraph> graphs = new ArrayList<>();
        String lastChunk = prefix + "c" + (n - 1);
        // Upload graphs.
        int ub = -1, ua = -1;
        if (!state.isEmpty()) {
            ub = graphs.size();
            TaskGraph g = new TaskGraph(prefix + "ub");
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, state.toArray());
            addTouches(g, ub, state);
            g.persistOnDevice(state.toArray());
            graphs.add(g);
        }
        if (!step.isEmpty()) {
            ua = graphs.size();
            TaskGraph g = new TaskGraph(prefix + "ua");
            if (!state.isEmpty()) {
                g.consumeFromDevice(prefix + "ub", state.toArray());
                g.consumeFromDevice(lastChunk, state.toArray());
            }
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, step.toArray());
            addTouches(g, ua, step);
            g.persistOnDevice(preset.toArray());
            graphs.add(g);
        }
        this.uploadState = ub;
        this.uploadStep = ua;
        this.firstChunk = graphs.size();
        String upload = ua >= 0 ? prefix + "ua" : ub >= 0 ? prefix + "ub" : null;

        // Chunks: consume from the previous graph what this one or a later one needs, persist for the next.
        Set<FloatArray> held = new LinkedHashSet<>();
        for (int c = 0; c < n; c++) {
            String name = prefix + "c" + c;
            TaskGraph g = new TaskGraph(name);
            Set<FloatArray> consumed = new LinkedHashSet<>(preset);
            if (c > 0) {
                Set<FloatArray> later = new LinkedHashSet<>();
                for (int d = c; d < n; d++) later.addAll(usedBy.get(d));
                for (FloatArray x : held) if (later.contains(x)) consumed.add(x);
                g.consumeFromDevice(prefix + "c" + (c - 1), consumed.toArray());
            } else if (!preset.isEmpty()) {
                g.consumeFromDevice(upload, consumed.toArray());
                g.consumeFromDevice(lastChunk, consumed.toArray());
            }
            int index = graphs.size();
            List<String> names = new ArrayList<>();
            List<KernelTask> tasks = chunks.get(c);
            for (int t = 0; t < tasks.size(); t++) {
                KernelTask kt = tasks.get(t);
                String tn = "t" + t;
                try {
                    kt.adder().add(g, tn);
                } catch (RuntimeException | Error e) {
                    throw new IllegalStateException("TornadoVM cannot take the kernel " + kt + " of plan " + plan.name() + " for "
                            + deviceName + ": " + TornadoDevice.reason(e), e);
                }
                grids.addWorkerGrid(name + "." + tn, kt.grid());
                names.add(tn);
                for (FloatArray x : kt.arrays()) pullGraph.put(x, index);
            }
            held = new LinkedHashSet<>(consumed);
            held.addAll(usedBy.get(c));
            g.persistOnDevice(held.toArray());
            graphs.add(g);
            graphNames.add(name);
            graphTasks.add(tasks);
            taskNames.add(names);
        }
        // Upload graph names and tasks go first in the lists, like the graphs.
        if (ua >= 0) {
            graphNames.addFirst(prefix + "ua");
            graphTasks.addFirst(List.of());
            taskNames.addFirst(List.of());
        }
        if (ub >= 0) {
            graphNames.addFirst(prefix + "ub");
            graphTasks.addFirst(List.of());
            taskNames.addFirst(List.of());
        }
        for (FloatArray x : preset) pullGraph.putIfAbsent(x, ua >= 0 ? ua : ub);

        ImmutableTaskGraph[] snapshots = new ImmutableTaskGraph[graphs.size()];
        for (int i = 0; i < snapshots.length; i++) snapshots[i] = graphs.get(i).snapshot();
        this.exec = new TornadoExecutionPlan(snapshots);
        exec.withDevice(device).withGridScheduler(grids);
        if (!cfg.openclFlags().isEmpty()) exec.withCompilerFlags(TornadoVMBackendType.OPENCL, cfg.openclFlags());
    }

    private Set<FloatArray> arraysOf(List<Integer> ids) {
        Set<FloatArray> s = new LinkedHashSet<>();
        for (int id : ids) s.add(arrays[id]);
        return s;
    }

    static FloatArray zeroed(int n) {
        FloatArray a = new FloatArray(n);
        a.init(0f);
        return a;
    }

    /** One-work-item tasks that take every buffer of an upload graph, so that TornadoVM sends them. */
    private void addTouches(TaskGraph g, int graphIndex, Set<FloatArray> group) {
        List<FloatArray> all = new ArrayList<>(group);
        int k = TransferKernels.TOUCH_ARITY;
        String graphName = g.getTaskGraphName();
        for (int t = 0; t * k < all.size(); t++) {
            FloatArray[] a = new FloatArray[k];
            for (int j = 0; j < k; j++) a[j] = all.get(Math.min(t * k + j, all.size() - 1));
            FloatArray sink = new FloatArray(1);
            String tn = "u" + t;
            g.task(tn, TransferKernels::touch, new KernelContext(), sink, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
                    a[11], a[12], a[13], a[14], a[15]);
            WorkerGrid one = new WorkerGrid1D(1);
            one.setLocalWork(1, 1, 1);
            grids.addWorkerGrid(graphName + "." + tn, one);
        }
    }

    int kernelCount() { return kernelCount; }

    int graphCount() { return graphNames.size(); }

    /** Seconds the first execution took (TornadoVM compiles every task then); NaN before it. */
    double compileSeconds() { return compileSeconds; }

    /**
     * Runs the plan: the upload graphs if asked (the caller has made the host copies current), then every chunk.
     */
    void run(boolean sendState, boolean sendStep) {
        long t0 = System.nanoTime();
        boolean first = !compiled;
        if (first && System.getProperty("hopmixer.tornado.quiet") == null) {
            System.err.printf("hopmixer: TornadoVM compiles %d kernels of %s for %s (%d task graphs; once per plan)%n",
                    kernelCount, plan.name(), deviceName, graphNames.size());
        }
        if (sendState && uploadState >= 0) runGraph(uploadState);
        if ((sendStep || sendState) && uploadStep >= 0) runGraph(uploadStep);
        for (int g = firstChunk; g < graphNames.size(); g++) runGraph(g);
        if (first) {
            compiled = true;
            compileSeconds = (System.nanoTime() - t0) / 1e9;
            if (System.getProperty("hopmixer.tornado.quiet") == null) {
                System.err.printf("hopmixer: %s compiled and ran once in %.1f s%n", plan.name(), compileSeconds);
            }
        }
    }

    private void runGraph(int g) {
        try {
            lastResult = exec.withGraph(g).execute();
        } catch (RuntimeException | Error e) {
            throw failure(g, e);
        }
    }

    /** Device to host: the current device copy of an array this plan's kernels use. */
    void pull(FloatArray x) {
        Integer g = pullGraph.get(x);
        if (g == null || lastResult == null) throw new IllegalStateException("plan " + plan.name() + " holds no device copy of this buffer");
        try {
            exec.withGraph(g);
            lastResult.transferToHost(x);
        } catch (RuntimeException | Error e) {
            throw new IllegalStateException("TornadoVM could not copy a buffer of plan " + plan.name() + " back from " + deviceName + ": "
                    + TornadoDevice.reason(e), e);
        }
    }

    /**
     * The error for a failed graph: the device, the graph's tasks, TornadoVM's reason, and — found by compiling each
     * of the graph's tasks alone — the op and kernel that cannot run on the device.
     */
    private IllegalStateException failure(int g, Throwable e) {
        List<KernelTask> tasks = graphTasks.get(g);
        StringBuilder msg = new StringBuilder("TornadoVM failed to run plan ").append(plan.name()).append(" on ").append(deviceName)
                .append(", task graph ").append(graphNames.get(g));
        if (tasks.isEmpty()) {
            msg.append(" (upload of the host's buffers)");
        } else {
            KernelTask culprit = isolate(tasks);
            if (culprit != null) {
                msg.append(": the kernel for ").append(culprit.op()).append(" (").append(culprit.kernel()).append(") cannot run there");
            } else {
                msg.append(" (tasks: ");
                for (int t = 0; t < tasks.size(); t++) msg.append(t == 0 ? "" : ", ").append(tasks.get(t));
                msg.append(")");
            }
        }
        msg.append(". Reason: ").append(TornadoDevice.reason(e));
        if (String.valueOf(e.getMessage()).contains("Recover option disabled")) {
            msg.append(" (TornadoVM gave no reason: its graph compiler failed, for example on a graph over "
                    + "-Dtornado.tvm.maxbytecodesize, which tornado-config/tornado-jvm.args raises; or lower graph.tasks)");
        }
        return new IllegalStateException(msg.toString(), e);
    }

    /** Compiles and runs each task alone on copies of its buffers; the first that fails, or null. */
    private KernelTask isolate(List<KernelTask> tasks) {
        for (KernelTask t : tasks) {
            List<FloatArray> copies = new ArrayList<>();
            Map<FloatArray, FloatArray> map = new HashMap<>();
            for (FloatArray x : t.arrays()) {
                FloatArray c = map.computeIfAbsent(x, y -> zeroed(y.getSize()));
                copies.add(c);
            }
            // The task's adder binds its own buffers; compile it on them with nothing copied back to the host.
            TaskGraph g = new TaskGraph("hmdiag" + SERIAL.incrementAndGet());
            try {
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, t.arrays().toArray());
                t.adder().add(g, "t");
                g.transferToHost(DataTransferMode.UNDER_DEMAND, t.arrays().toArray());
                try (TornadoExecutionPlan p = new TornadoExecutionPlan(g.snapshot())) {
                    p.withDevice(device).withGridScheduler(new GridScheduler(g.getTaskGraphName() + ".t", t.grid()));
                    if (!cfg.openclFlags().isEmpty()) p.withCompilerFlags(TornadoVMBackendType.OPENCL, cfg.openclFlags());
                    p.execute();
                }
            } catch (Throwable x) {
                return t;
            }
        }
        return null;
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
