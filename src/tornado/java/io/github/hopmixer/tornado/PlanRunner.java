package io.github.hopmixer.tornado;

import io.github.hopmixer.plan.Plan;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * last in the previous step). Nothing comes back unless {@link #pull} asks for it, except the canary counts.
 *
 * <p>TornadoVM 5.2 only prints a kernel launch that OpenCL refuses (an invalid work-group size, say) and goes on, and
 * silently shrinks a local size larger than the device allows. So every task's local size is checked against the
 * device's limits when the plan is prepared ({@link LocalSizes}), and each graph ends with a canary task whose run
 * count the host reads after every execution ({@code -Dhopmixer.tornado.canary.every=N}: every N): a graph that
 * did not run to its end stops the plan with an error that names it.
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
    private final Map<FloatArray, Integer> pullGraph = new HashMap<>();
    private final List<Integer> uploadState;
    private final int uploadStep, firstChunk;
    private final TornadoExecutionPlan exec;
    private final GridScheduler grids = new GridScheduler();
    private final uk.ac.manchester.tornado.api.common.TornadoDevice device;
    private final TornadoConfig cfg;
    private final java.util.function.IntFunction<FloatArray> allocator;
    private TornadoExecutionResult lastResult;
    private boolean compiled;
    private double compileSeconds = Double.NaN;
    private final int kernelCount;
    /** Per task graph, how many times its last task ran (see {@link GraphLayout}); runs: executions of the plan. */
    private final FloatArray canary;
    private long runs;
    private static final int CANARY_EVERY = Math.max(1, Integer.getInteger("hopmixer.tornado.canary.every", 1));

    PlanRunner(Plan plan, FloatArray[] arrays, uk.ac.manchester.tornado.api.common.TornadoDevice device, String deviceName,
               TornadoConfig cfg, java.util.function.IntFunction<FloatArray> allocator) {
        this.plan = plan;
        this.arrays = arrays;
        this.device = device;
        this.deviceName = deviceName;
        this.cfg = cfg;
        this.allocator = allocator;
        String prefix = "hm" + SERIAL.incrementAndGet();

        GraphLayout layout = GraphLayout.of(plan, arrays, cfg, allocator);
        groupState.addAll(layout.groupState());
        groupStep.addAll(layout.groupStep());
        written.addAll(layout.written());
        this.kernelCount = layout.kernelCount();
        this.canary = layout.canary();
        Set<FloatArray> state = layout.state(), step = layout.step();
        Set<FloatArray> preset = new LinkedHashSet<>(state);
        preset.addAll(step);
        List<List<KernelTask>> chunks = new ArrayList<>();
        for (List<KernelTask> c : layout.chunks()) {
            List<KernelTask> tasks = new ArrayList<>();
            for (KernelTask t : c) {
                // Every launch is checked against the device's limits before the plan runs (TornadoVM would only print
                // the failed launch); a test may then tamper with a task to provoke a launch that fails.
                String bad = LocalSizes.check(t, device, deviceName, plan.name(), cfg.source());
                if (bad != null) throw new IllegalArgumentException(bad);
                tasks.add(tamper == null ? t : tamper.apply(t));
            }
            chunks.add(tasks);
        }
        List<Set<FloatArray>> consumedBy = layout.consumedBy(), heldBy = layout.heldBy();
        int n = chunks.size();

        List<TaskGraph> graphs = new ArrayList<>();
        String lastChunk = prefix + "c" + (n - 1);
        // Upload graphs: the state in parts that fit TornadoVM's graph, each passing the earlier parts on; then the step.
        List<FloatArray> stateList = new ArrayList<>(state);
        List<Integer> ubs = new ArrayList<>();
        Set<FloatArray> uploaded = new LinkedHashSet<>();
        for (int from = 0; from < stateList.size(); from += UPLOAD_PART) {
            List<FloatArray> part = stateList.subList(from, Math.min(stateList.size(), from + UPLOAD_PART));
            String name = prefix + "ub" + ubs.size();
            TaskGraph g = new TaskGraph(name);
            if (!uploaded.isEmpty()) g.consumeFromDevice(prefix + "ub" + (ubs.size() - 1), uploaded.toArray());
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, part.toArray());
            addTouches(g, part);
            uploaded.addAll(part);
            g.persistOnDevice(uploaded.toArray());
            ubs.add(graphs.size());
            graphs.add(g);
            graphNames.add(name);
        }
        String lastUb = ubs.isEmpty() ? null : graphNames.getLast();
        int ua = -1;
        if (!step.isEmpty()) {
            ua = graphs.size();
            String name = prefix + "ua";
            TaskGraph g = new TaskGraph(name);
            if (!state.isEmpty()) {
                g.consumeFromDevice(lastUb, state.toArray());
                g.consumeFromDevice(lastChunk, state.toArray());
            }
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, step.toArray());
            addTouches(g, new ArrayList<>(step));
            g.persistOnDevice(preset.toArray());
            graphs.add(g);
            graphNames.add(name);
        }
        this.uploadState = ubs;
        this.uploadStep = ua;
        this.firstChunk = graphs.size();
        for (int i = 0; i < firstChunk; i++) graphTasks.add(List.of());
        String upload = ua >= 0 ? prefix + "ua" : lastUb;

        // Chunks: consume from the graph run before what this one or a later one needs; persist it for the next.
        for (int c = 0; c < n; c++) {
            String name = prefix + "c" + c;
            TaskGraph g = new TaskGraph(name);
            Set<FloatArray> consumed = consumedBy.get(c);
            if (c > 0) {
                g.consumeFromDevice(prefix + "c" + (c - 1), consumed.toArray());
            } else if (!consumed.isEmpty()) {
                g.consumeFromDevice(upload, consumed.toArray());
                g.consumeFromDevice(lastChunk, consumed.toArray());
            }
            int index = graphs.size();
            List<KernelTask> tasks = chunks.get(c);
            KernelContext kc = new KernelContext();
            for (int t = 0; t < tasks.size(); t++) {
                KernelTask kt = tasks.get(t);
                String tn = "t" + t;
                try {
                    kt.adder().add(g, tn, kc);
                } catch (RuntimeException | Error e) {
                    throw new IllegalStateException("TornadoVM cannot take the kernel " + kt + " of plan " + plan.name() + " for "
                            + deviceName + ": " + TornadoDevice.reason(e), e);
                }
                grids.addWorkerGrid(name + "." + tn, kt.grid());
                for (FloatArray x : kt.arrays()) pullGraph.put(x, index);
            }
            g.persistOnDevice(heldBy.get(c).toArray());
            graphs.add(g);
            graphNames.add(name);
            graphTasks.add(tasks);
        }
        for (FloatArray x : preset) pullGraph.putIfAbsent(x, ua >= 0 ? ua : ubs.getLast());

        ImmutableTaskGraph[] snapshots = new ImmutableTaskGraph[graphs.size()];
        for (int i = 0; i < snapshots.length; i++) snapshots[i] = graphs.get(i).snapshot();
        this.exec = new TornadoExecutionPlan(snapshots);
        exec.withDevice(device).withGridScheduler(grids);
        if (!cfg.openclFlags().isEmpty()) exec.withCompilerFlags(TornadoVMBackendType.OPENCL, cfg.openclFlags());
    }

    /** State buffers per upload graph (3 graph nodes each, plus the touch tasks). */
    static final int UPLOAD_PART = 150;

    /** Test-only: applied to every task after the local-size check, to provoke a launch TornadoVM cannot make. */
    static volatile java.util.function.UnaryOperator<KernelTask> tamper;

    static FloatArray zeroed(int n) {
        FloatArray a = new FloatArray(n);
        a.init(0f);
        return a;
    }

    /** One-work-item tasks that take every buffer of an upload graph, so that TornadoVM sends them. */
    private void addTouches(TaskGraph g, List<FloatArray> all) {
        int k = TransferKernels.TOUCH_ARITY;
        String graphName = g.getTaskGraphName();
        KernelContext kc = new KernelContext();
        for (int t = 0; t * k < all.size(); t++) {
            FloatArray[] a = new FloatArray[k];
            for (int j = 0; j < k; j++) a[j] = all.get(Math.min(t * k + j, all.size() - 1));
            FloatArray sink = allocator.apply(1);
            String tn = "u" + t;
            g.task(tn, TransferKernels::touch, kc, sink, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
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
        // The canary counts travel with the state; the first run sends them even for a plan without parameters.
        boolean state = sendState || runs == 0;
        if (state) {
            for (int c = 0; c < canary.getSize(); c++) canary.set(c, runs);
            for (int g : uploadState) runGraph(g);
        }
        if ((sendStep || state) && uploadStep >= 0) runGraph(uploadStep);
        for (int g = firstChunk; g < graphNames.size(); g++) runGraph(g);
        runs++;
        if (runs % CANARY_EVERY == 0 || first) checkCanary();
        if (first) {
            compiled = true;
            compileSeconds = (System.nanoTime() - t0) / 1e9;
            if (System.getProperty("hopmixer.tornado.quiet") == null) {
                System.err.printf("hopmixer: %s compiled and ran once in %.1f s%n", plan.name(), compileSeconds);
            }
        }
    }

    /**
     * Reads the canary counts back (a few floats) and stops with the first graph whose last task did not run as
     * often as the plan: TornadoVM printed a launch it could not make and left that graph's outputs stale.
     */
    private void checkCanary() {
        pull(canary);
        for (int g = firstChunk; g < graphNames.size(); g++) {
            float seen = canary.get(g - firstChunk);
            if (seen == (float) runs) continue;
            List<KernelTask> tasks = graphTasks.get(g);
            throw new IllegalStateException("TornadoVM did not run task graph " + graphNames.get(g) + " of plan " + plan.name() + " on "
                    + deviceName + " to its end (run " + runs + ", its canary counted " + (long) seen + "): a kernel launch failed, "
                    + "see TornadoVM's message above; the graph runs " + tasks.getFirst() + " … " + tasks.get(Math.max(0, tasks.size() - 2))
                    + " (" + (tasks.size() - 1) + " kernels)");
        }
    }

    private void runGraph(int g) {
        try {
            lastResult = exec.withGraph(g).execute();
        } catch (RuntimeException | Error e) {
            throw failure(g, e);
        }
        if (profile != null && compiled) {
            // TornadoVM's profile log: "<graph>.t<i>": { ... "TASK_KERNEL_TIME": "<ns>" }
            Matcher m = TASK_TIME.matcher(lastResult.getProfilerResult().getProfileLog());
            String graph = graphNames.get(g) + ".t";
            while (m.find()) {
                if (!m.group(1).startsWith(graph)) continue;
                int t = Integer.parseInt(m.group(1).substring(graph.length()));
                List<KernelTask> tasks = graphTasks.get(g);
                String key = t < tasks.size() ? tasks.get(t).op() + " " + tasks.get(t).kernel() : "upload";
                if (PROFILE_SHAPES && t < tasks.size()) key += " " + tasks.get(t).shape();
                profile.merge(key, Long.parseLong(m.group(2)), Long::sum);
            }
            exec.clearProfiles();
        }
    }

    private static final Pattern TASK_TIME = Pattern.compile("\"([A-Za-z0-9_]+\\.t[0-9]+)\": \\{[^}]*?\"TASK_KERNEL_TIME\": \"([0-9]+)\"", Pattern.DOTALL);
    private Map<String, Long> profile;
    private static final boolean PROFILE_SHAPES = Boolean.getBoolean("hopmixer.tornado.profile.shapes");

    /** Accumulates device kernel nanoseconds per op and kernel (TornadoVM's profiler), from the next execution on. */
    void profile(Map<String, Long> into) {
        this.profile = into;
        exec.withProfiler(uk.ac.manchester.tornado.api.enums.ProfilerMode.SILENT);
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

    /** Compiles and runs each task alone; the first that fails, or null. */
    private KernelTask isolate(List<KernelTask> tasks) {
        for (KernelTask t : tasks) {
            // The task's adder binds the plan's buffers: they go to the device, nothing comes back to the host.
            TaskGraph g = new TaskGraph("hmdiag" + SERIAL.incrementAndGet());
            try {
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, t.arrays().toArray());
                t.adder().add(g, "t", new KernelContext());
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
