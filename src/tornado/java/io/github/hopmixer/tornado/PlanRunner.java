package io.github.hopmixer.tornado;

import io.github.hopmixer.plan.Plan;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
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
 * One step plan as TornadoVM task graphs, run in order in the {@link GraphGroup} (one {@link TornadoExecutionPlan})
 * it shares with the plans prepared with it:
 *
 * <ol>
 *   <li>{@code ub0 … ubK} (upload state): send the host's copies of the preset buffers that kernels update
 *       (parameters, AdamW moments) — only when the host wrote one of them since the device last had it
 *       (initialisation, checkpoint load);</li>
 *   <li>{@code c0 … cN}: the plan's kernels, cut into as few graphs as TornadoVM allows ({@link GraphLayout}); the
 *       first also sends the step's inputs (images, targets, DropPath masks, step scalars) and the zeroed canary,
 *       the last brings the canary back.</li>
 * </ol>
 *
 * A step is N + 1 blocking {@code execute()} calls for N kernel graphs, nothing else (no separate upload graph, no
 * separate read of the canary); {@link #roundTrips} counts them.
 *
 * <p>Graphs share device buffers with TornadoVM's {@code persistOnDevice}/{@code consumeFromDevice}: each graph
 * consumes, from the graph run before it, the state and every buffer still needed later, so one device copy of each
 * buffer lives across graphs and across steps. TornadoVM takes consumed buffers from the graph of its execution plan
 * that ran last, so {@code c0} names every graph that may have run before it: this plan's upload graph and last
 * graph, and the last graph of every other plan of the group, for the state that graph holds (an evaluation plan
 * takes the weights the training plan left on the device, and training takes them back). Nothing comes back unless
 * {@link #pull} asks for it, except the canary counts.
 *
 * <p>TornadoVM 5.2 only prints a kernel launch that OpenCL refuses (an invalid work-group size, say) and goes on, and
 * silently shrinks a local size larger than the device allows. So every task's local size is checked against the
 * device's limits when the plan is prepared ({@link LocalSizes}), and each graph ends with a canary task: the host
 * zeroes the counts, the first graph sends them, every graph's last task adds 1 to its slot, the last graph brings
 * them back; a graph that did not run to its end stops the plan with an error that names it.
 */
final class PlanRunner implements AutoCloseable {
    private static final AtomicLong SERIAL = new AtomicLong();

    final Plan plan;
    private final String deviceName, prefix;
    /** Buffer ids: preset and kernel-written (state), preset and read-only per-step inputs, and everything written. */
    final List<Integer> groupState = new ArrayList<>(), groupStep = new ArrayList<>(), written = new ArrayList<>();
    private final GraphLayout layout;
    private final List<List<KernelTask>> chunks = new ArrayList<>();
    private final List<String> graphNames = new ArrayList<>();
    private final List<List<KernelTask>> graphTasks = new ArrayList<>();
    private final Map<FloatArray, Integer> pullGraph = new HashMap<>();
    private final List<Integer> uploadState = new ArrayList<>();
    private int firstChunk;
    private final uk.ac.manchester.tornado.api.common.TornadoDevice device;
    private final TornadoConfig cfg;
    private final java.util.function.IntFunction<FloatArray> allocator;
    private GraphGroup group;
    /** This runner's first graph's index in its group's execution plan. */
    private int base;
    private boolean compiled;
    private double compileSeconds = Double.NaN;
    private final int kernelCount;
    /** Per task graph, 1 once its last task ran this execution (see {@link GraphLayout}). */
    private final FloatArray canary;
    private long runs, executes, stateUploads, pulls;

    /** Host round trips of a plan: executions, blocking execute() calls, state uploads and buffer reads, in all. */
    record RoundTrips(int kernelGraphs, int uploadGraphs, long runs, long executes, long stateUploads, long pulls) {}

    PlanRunner(Plan plan, FloatArray[] arrays, uk.ac.manchester.tornado.api.common.TornadoDevice device, String deviceName,
               TornadoConfig cfg, java.util.function.IntFunction<FloatArray> allocator) {
        this.plan = plan;
        this.device = device;
        this.deviceName = deviceName;
        this.cfg = cfg;
        this.allocator = allocator;
        this.prefix = "hm" + SERIAL.incrementAndGet();
        this.layout = GraphLayout.of(plan, arrays, cfg, allocator);
        groupState.addAll(layout.groupState());
        groupStep.addAll(layout.groupStep());
        written.addAll(layout.written());
        this.kernelCount = layout.kernelCount();
        this.canary = layout.canary();
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
    }

    String lastGraphName() { return prefix + "c" + (chunks.size() - 1); }

    /** Whether this plan's last graph holds (passes on) the array: a later plan's first graph can take it from there. */
    boolean holdsAtEnd(FloatArray x) { return layout.heldBy().getLast().contains(x); }

    GraphGroup group() { return group; }

    /**
     * This plan's task graphs, for its group's execution plan, where they start at index {@code base}; {@code peers}
     * are the group's plans, whose last graphs this plan's first graph may follow.
     */
    List<TaskGraph> graphs(GraphGroup group, int base, List<PlanRunner> peers, GridScheduler grids) {
        this.group = group;
        this.base = base;
        Set<FloatArray> state = layout.state(), step = layout.step();
        List<Set<FloatArray>> consumedBy = layout.consumedBy(), heldBy = layout.heldBy();
        int n = chunks.size();
        List<TaskGraph> graphs = new ArrayList<>();
        // Upload graphs: the state in parts that fit TornadoVM's graph, each passing the earlier parts on.
        List<FloatArray> stateList = new ArrayList<>(state);
        Set<FloatArray> uploaded = new LinkedHashSet<>();
        for (int from = 0; from < stateList.size(); from += UPLOAD_PART) {
            List<FloatArray> part = stateList.subList(from, Math.min(stateList.size(), from + UPLOAD_PART));
            String name = prefix + "ub" + uploadState.size();
            TaskGraph g = new TaskGraph(name);
            if (!uploaded.isEmpty()) g.consumeFromDevice(prefix + "ub" + (uploadState.size() - 1), uploaded.toArray());
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, part.toArray());
            addTouches(g, part, grids);
            uploaded.addAll(part);
            g.persistOnDevice(uploaded.toArray());
            uploadState.add(graphs.size());
            graphs.add(g);
            graphNames.add(name);
        }
        String lastUb = uploadState.isEmpty() ? null : graphNames.getLast();
        this.firstChunk = graphs.size();
        for (int i = 0; i < firstChunk; i++) graphTasks.add(List.of());

        // Chunks: consume from the graph run before what this one or a later one needs; persist it for the next.
        for (int c = 0; c < n; c++) {
            String name = prefix + "c" + c;
            TaskGraph g = new TaskGraph(name);
            Set<FloatArray> consumed = consumedBy.get(c);
            if (c > 0) {
                g.consumeFromDevice(prefix + "c" + (c - 1), consumed.toArray());
            } else {
                if (!consumed.isEmpty()) {
                    if (lastUb != null) g.consumeFromDevice(lastUb, consumed.toArray());
                    g.consumeFromDevice(lastGraphName(), consumed.toArray());
                    for (PlanRunner p : peers) {
                        if (p == this) continue;
                        Object[] shared = consumed.stream().filter(p::holdsAtEnd).toArray();
                        if (shared.length > 0) g.consumeFromDevice(p.lastGraphName(), shared);
                    }
                }
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, step.toArray());
            }
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
                for (FloatArray x : kt.arrays()) pullGraph.put(x, graphs.size());
            }
            g.persistOnDevice(heldBy.get(c).toArray());
            if (c == n - 1) g.transferToHost(DataTransferMode.EVERY_EXECUTION, canary);
            graphs.add(g);
            graphNames.add(name);
            graphTasks.add(tasks);
        }
        return graphs;
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
    private void addTouches(TaskGraph g, List<FloatArray> all, GridScheduler grids) {
        KernelContext kc = new KernelContext();
        List<KernelTask> touches = GraphLayout.touches(new LinkedHashSet<>(all), null, allocator);
        for (int t = 0; t < touches.size(); t++) {
            touches.get(t).adder().add(g, "u" + t, kc);
            grids.addWorkerGrid(g.getTaskGraphName() + ".u" + t, touches.get(t).grid());
        }
    }

    int kernelCount() { return kernelCount; }

    int graphCount() { return firstChunk + chunks.size(); }

    RoundTrips roundTrips() {
        return new RoundTrips(chunks.size(), layout.state().isEmpty() ? 0 : (layout.state().size() + UPLOAD_PART - 1) / UPLOAD_PART, runs,
                executes, stateUploads, pulls);
    }

    /** Seconds the first execution took (TornadoVM compiles every task then); NaN before it. */
    double compileSeconds() { return compileSeconds; }

    /**
     * Runs the plan: the upload graphs if asked (the caller has made the host copies of the state current), then every
     * chunk, the first sending the step's inputs (the caller has made their host copies current).
     */
    void run(boolean sendState) {
        if (group == null) throw new IllegalStateException("plan " + plan.name() + " has no execution plan yet");
        long t0 = System.nanoTime();
        boolean first = !compiled;
        if (first && System.getProperty("hopmixer.tornado.quiet") == null) {
            System.err.printf("hopmixer: TornadoVM compiles %d kernels of %s for %s (%d task graphs; once per plan)%n",
                    kernelCount, plan.name(), deviceName, graphCount());
        }
        for (int c = 0; c < canary.getSize(); c++) canary.set(c, 0f);
        group.last = null;
        if (sendState) {
            for (int g : uploadState) runGraph(g);
            stateUploads++;
        }
        for (int g = firstChunk; g < graphNames.size(); g++) runGraph(g);
        group.last = this;
        runs++;
        checkCanary();
        if (first) {
            compiled = true;
            compileSeconds = (System.nanoTime() - t0) / 1e9;
            if (System.getProperty("hopmixer.tornado.quiet") == null) {
                System.err.printf("hopmixer: %s compiled and ran once in %.1f s%n", plan.name(), compileSeconds);
            }
        }
    }

    /**
     * Checks the canary counts the last graph brought back (a few floats) and stops with the first graph whose last
     * task did not run: TornadoVM printed a launch it could not make and left that graph's outputs stale.
     */
    private void checkCanary() {
        for (int c = 0; c < chunks.size(); c++) {
            float seen = canary.get(c);
            if (seen == 1f) continue;
            int g = firstChunk + c;
            List<KernelTask> tasks = graphTasks.get(g);
            throw new IllegalStateException("TornadoVM did not run task graph " + graphNames.get(g) + " of plan " + plan.name() + " on "
                    + deviceName + " to its end (run " + runs + ", its canary counted " + (long) seen + "): a kernel launch failed, "
                    + "see TornadoVM's message above; the graph runs " + tasks.getFirst() + " … " + tasks.get(Math.max(0, tasks.size() - 2))
                    + " (" + (tasks.size() - 1) + " kernels)");
        }
    }

    private void runGraph(int g) {
        TornadoExecutionResult result;
        try {
            result = group.execute(base + g);
            executes++;
        } catch (RuntimeException | Error e) {
            throw failure(g, e);
        }
        if (profile != null && compiled) {
            // TornadoVM's profile log: "<graph>.t<i>": { ... "TASK_KERNEL_TIME": "<ns>" }
            Matcher m = TASK_TIME.matcher(result.getProfilerResult().getProfileLog());
            String graph = graphNames.get(g) + ".t";
            while (m.find()) {
                if (!m.group(1).startsWith(graph)) continue;
                int t = Integer.parseInt(m.group(1).substring(graph.length()));
                List<KernelTask> tasks = graphTasks.get(g);
                String key = t < tasks.size() ? tasks.get(t).op() + " " + tasks.get(t).kernel() : "upload";
                if (PROFILE_SHAPES && t < tasks.size()) key += " " + tasks.get(t).shape();
                profile.merge(key, Long.parseLong(m.group(2)), Long::sum);
            }
            group.exec().clearProfiles();
        }
    }

    private static final Pattern TASK_TIME = Pattern.compile("\"([A-Za-z0-9_]+\\.t[0-9]+)\": \\{[^}]*?\"TASK_KERNEL_TIME\": \"([0-9]+)\"", Pattern.DOTALL);
    private Map<String, Long> profile;
    private static final boolean PROFILE_SHAPES = Boolean.getBoolean("hopmixer.tornado.profile.shapes");

    /** Accumulates device kernel nanoseconds per op and kernel (TornadoVM's profiler), from the next execution on. */
    void profile(Map<String, Long> into) {
        this.profile = into;
        if (group != null) group.exec().withProfiler(uk.ac.manchester.tornado.api.enums.ProfilerMode.SILENT);
    }

    /** Whether profiling was asked for before the group's execution plan was made. */
    boolean profiling() { return profile != null; }

    /** Device to host: the current device copy of an array this plan's kernels use. */
    void pull(FloatArray x) {
        Integer g = pullGraph.get(x);
        if (g == null || group == null || runs == 0) throw new IllegalStateException("plan " + plan.name() + " holds no device copy of this buffer");
        try {
            group.pull(base + g, x);
            pulls++;
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
        // the group's execution plan holds the device memory; TornadoDevice closes it
    }
}
