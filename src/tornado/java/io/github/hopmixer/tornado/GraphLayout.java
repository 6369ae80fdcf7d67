package io.github.hopmixer.tornado;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.tornado.kernels.CanaryKernels;
import io.github.hopmixer.tornado.kernels.GemmKernels;
import io.github.hopmixer.tornado.kernels.TransferKernels;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * How a step plan becomes TornadoVM task graphs: its buffers by how they reach the device, its kernel tasks (from
 * {@link KernelTasks}), and their cut into as few graphs as TornadoVM 5.2 allows — at most {@code graph.tasks} tasks
 * (TornadoVM: 256), 1,024 graph nodes and 8,192 bytes of high-level code ({@link GraphNodes}) each — each ending with a canary task
 * ({@link CanaryKernels#mark}) that adds 1 to slot {@code c} of the {@code canary} buffer. The first graph sends the
 * step's inputs and the zeroed canary (its first tasks touch them, see {@link #touches}); the last brings the canary
 * back. {@link PlanRunner} builds its graphs from this, and the kernel audit ({@link KernelAudit}) lists it.
 *
 * @param groupState preset buffer ids that kernels update (parameters, moments): uploaded when the host wrote them
 * @param groupStep  preset, read-only per-step inputs (images, targets, masks, scalars), sent by the first graph
 * @param written    every buffer id a kernel writes
 * @param state      the arrays of groupState, kept on the device across steps
 * @param step       the arrays of groupStep and the canary, sent by the first graph every execution
 * @param chunks     the graphs' tasks, in order, each ending with its canary task
 * @param consumedBy per graph, the buffers it takes over from the graph run before it
 * @param heldBy     per graph, the buffers it passes on
 */
record GraphLayout(List<Integer> groupState, List<Integer> groupStep, List<Integer> written, Set<FloatArray> state,
                   Set<FloatArray> step, List<List<KernelTask>> chunks, List<Set<FloatArray>> consumedBy,
                   List<Set<FloatArray>> heldBy, FloatArray canary, int kernelCount) {

    /** TornadoVM 5.2's task-graph graph (TornadoGraph) holds 1024 nodes; keep a margin. */
    static final int NODE_LIMIT = 1000;
    /** TornadoVM 5.2's task graph keeps its tasks' high-level code in 8,192 bytes ({@link GraphNodes#codeBytes}). */
    static final int CODE_LIMIT = 8100;

    static GraphLayout of(Plan plan, FloatArray[] arrays, TornadoConfig cfg, IntFunction<FloatArray> allocator) {
        List<Integer> groupState = new ArrayList<>(), groupStep = new ArrayList<>(), written = new ArrayList<>();
        // Preset buffers (read before any kernel writes them) and written ones, among those the kernels use.
        BitSet used = new BitSet(), writes = new BitSet();
        for (Invocation inv : plan.invocations()) {
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
        Set<FloatArray> state = new LinkedHashSet<>(), step = new LinkedHashSet<>();
        for (int id : groupState) state.add(arrays[id]);
        for (int id : groupStep) step.add(arrays[id]);

        // Kernel tasks, per invocation; then cut into chunks (task graphs) at invocation boundaries.
        long transposed = 0, partials = 0;
        for (Invocation inv : plan.invocations()) {
            transposed = Math.max(transposed, KernelTasks.transposedFloats(inv, cfg));
            partials = Math.max(partials, KernelTasks.partialFloats(inv, cfg));
        }
        FloatArray tScratch = transposed > 0 ? allocator.apply(Math.toIntExact(transposed)) : null;
        FloatArray pScratch = partials > 0 ? allocator.apply(Math.toIntExact(partials)) : null;
        KernelTasks.Scratch scratch = new KernelTasks.Scratch() {
            @Override
            public FloatArray transposed() { return tScratch; }

            @Override
            public FloatArray partials() { return pScratch; }
        };
        List<List<KernelTask>> perInvocation = new ArrayList<>();
        Map<KernelTask, Set<FloatArray>> opWrites = new IdentityHashMap<>();
        int count = 0;
        for (Invocation inv : plan.invocations()) {
            FloatArray[] args = new FloatArray[inv.buffers().length];
            for (int a = 0; a < args.length; a++) args[a] = arrays[inv.buffers()[a].id()];
            List<KernelTask> ts = KernelTasks.of(inv, args, cfg, scratch);
            perInvocation.add(ts);
            count += ts.size();
            // A task on exactly the op's buffers writes what the op writes (for counting TornadoVM's graph nodes) —
            // except where the kernel wraps its arrays in vector views: TornadoVM's sketch counts every array handed
            // to a view's constructor as written (seen on paramixer_s16_224 with the CPU config: 35 more writes in one
            // graph than the op's, which took it past 1,024 nodes).
            for (KernelTask t : ts) {
                if (!sameArrays(t.arrays(), args) || GemmKernels.VECTOR_VIEWS.contains(t.kernel())) continue;
                Set<FloatArray> w = Collections.newSetFromMap(new IdentityHashMap<>());
                for (int a = 0; a < args.length; a++) if (inv.op().writes(a)) w.add(args[a]);
                opWrites.put(t, w);
            }
        }
        // The canary counts go to the device with the step's inputs (zeros) and come back with the last graph: each
        // graph's canary task adds 1 to its slot. One slot per graph; the plan has at most as many graphs as kernels.
        FloatArray canary = allocator.apply(Math.max(1, count));
        step.add(canary);
        List<KernelTask> touches = touches(step, canary, allocator);
        List<KernelTask> flat = new ArrayList<>(touches);
        perInvocation.forEach(flat::addAll);
        Map<KernelTask, GraphNodes.Args> args = GraphNodes.args(flat);
        if (args != null) opWrites.forEach((t, w) -> args.computeIfPresent(t, (k, a) -> a.writing(w)));

        // TornadoVM 5.2: at most 1024 graph nodes, 8192 bytes of high-level code and 256 tasks a task graph.
        for (int reserve = 0; ; reserve += 32) {
            List<List<KernelTask>> cs = chunk(touches, perInvocation, cfg.graphTasks() - 1, NODE_LIMIT - reserve, args, state, canary);
            for (int c = 0; c < cs.size(); c++) cs.get(c).add(canaryTask(canary, c));
            List<Set<FloatArray>> consumed = new ArrayList<>(), held = new ArrayList<>();
            chain(cs, state, consumed, held);
            boolean fits = true;
            for (int c = 0; c < cs.size(); c++) {
                fits &= nodes(cs.get(c), args, held.get(c), c == cs.size() - 1) <= NODE_LIMIT;
                fits &= GraphNodes.codeBytes(cs.get(c), args) <= CODE_LIMIT;
            }
            if (fits) return new GraphLayout(groupState, groupStep, written, state, step, cs, consumed, held, canary, count);
            if (reserve > NODE_LIMIT / 2) {
                throw new IllegalStateException("plan " + plan.name() + " cannot be cut into TornadoVM task graphs of at most "
                        + NODE_LIMIT + " graph nodes: too many buffers live at once (" + state.size() + " kept on the device)");
            }
        }
    }

    private static boolean sameArrays(List<FloatArray> list, FloatArray[] args) {
        if (list.size() != args.length) return false;
        for (int i = 0; i < args.length; i++) if (list.get(i) != args[i]) return false;
        return true;
    }

    /**
     * One-work-item tasks that take every step input (but the canary), so that the graph that sends them has a task
     * using each: TornadoVM sends only buffers a task of the graph takes.
     */
    static List<KernelTask> touches(Set<FloatArray> step, FloatArray canary, IntFunction<FloatArray> allocator) {
        List<FloatArray> all = new ArrayList<>(step);
        all.remove(canary);
        List<KernelTask> out = new ArrayList<>();
        int k = TransferKernels.TOUCH_ARITY;
        for (int t = 0; t * k < all.size(); t++) {
            FloatArray[] a = new FloatArray[k];
            for (int j = 0; j < k; j++) a[j] = all.get(Math.min(t * k + j, all.size() - 1));
            FloatArray sink = allocator.apply(1);
            List<FloatArray> arrays = new ArrayList<>(List.of(a));
            arrays.add(sink);
            out.add(new KernelTask("upload", Math.min(k, all.size() - t * k) + " buffers", "TransferKernels.touch",
                    (g, tn, kc) -> g.task(tn, TransferKernels::touch, kc, sink, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
                            a[10], a[11], a[12], a[13], a[14], a[15]),
                    KernelTasks.grid1(1, 1), List.copyOf(new LinkedHashSet<>(arrays)), 1, k, k, false));
        }
        return out;
    }

    static KernelTask canaryTask(FloatArray canary, int slot) {
        return new KernelTask("canary", "graph " + slot, "CanaryKernels.mark", (g, t, kc) -> g.task(t, CanaryKernels::mark, kc, canary, slot),
                KernelTasks.grid1(1, 1), List.of(canary), 1, 1, 1, false);
    }

    /**
     * Greedy cut at invocation boundaries: the first chunk starts with the touch tasks; at most maxTasks tasks and
     * nodeBudget graph nodes per chunk (counted with the state passed through and the canary task to come), and
     * TornadoVM's 8,192 bytes of high-level code.
     */
    static List<List<KernelTask>> chunk(List<KernelTask> touches, List<List<KernelTask>> perInvocation, int maxTasks, int nodeBudget,
                                        Map<KernelTask, GraphNodes.Args> args, Set<FloatArray> state, FloatArray canary) {
        List<List<KernelTask>> chunks = new ArrayList<>();
        List<KernelTask> current = new ArrayList<>(touches);
        Set<FloatArray> passed = new LinkedHashSet<>(state);
        passed.add(canary);
        for (List<KernelTask> ts : perInvocation) {
            List<KernelTask> next = new ArrayList<>(current);
            next.addAll(ts);
            if (next.size() > touches.size() && current.size() > (chunks.isEmpty() ? touches.size() : 0)
                    && (next.size() > maxTasks || nodes(next, args, passed, true) + 4 > nodeBudget
                        || GraphNodes.codeBytes(next, args) + 30 > CODE_LIMIT)) {
                chunks.add(current);
                next = new ArrayList<>(ts);
            }
            current = next;
        }
        if (!current.isEmpty()) chunks.add(current);
        return chunks;
    }

    /**
     * What each chunk consumes from the graph run before it (the state, which every graph passes on to the next step's
     * first, and every buffer an earlier chunk made or sent that this or a later chunk uses) and holds (that plus its
     * own), which it persists for the next. The first chunk consumes only the state: it sends the step's inputs.
     */
    static void chain(List<List<KernelTask>> chunks, Set<FloatArray> state, List<Set<FloatArray>> consumedBy, List<Set<FloatArray>> heldBy) {
        int n = chunks.size();
        List<Set<FloatArray>> usedBy = new ArrayList<>();
        for (List<KernelTask> c : chunks) {
            Set<FloatArray> u = new LinkedHashSet<>();
            for (KernelTask t : c) u.addAll(t.arrays());
            usedBy.add(u);
        }
        Set<FloatArray> held = new LinkedHashSet<>();
        for (int c = 0; c < n; c++) {
            Set<FloatArray> consumed = new LinkedHashSet<>(state);
            if (c > 0) {
                Set<FloatArray> later = new LinkedHashSet<>();
                for (int d = c; d < n; d++) later.addAll(usedBy.get(d));
                for (FloatArray x : held) if (later.contains(x)) consumed.add(x);
            }
            held = new LinkedHashSet<>(consumed);
            held.addAll(usedBy.get(c));
            consumedBy.add(consumed);
            heldBy.add(held);
        }
    }

    /** TornadoVM graph nodes of a chunk ({@link GraphNodes}); the last also streams the canary out. */
    static int nodes(List<KernelTask> tasks, Map<KernelTask, GraphNodes.Args> args, Set<FloatArray> held, boolean last) {
        if (args != null) for (KernelTask t : tasks) if (!args.containsKey(t)) args.putAll(GraphNodes.args(List.of(t)));
        return GraphNodes.count(tasks, args, held, last ? 1 : 0);
    }
}
