package io.github.hopmixer.tornado;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.tornado.kernels.CanaryKernels;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * How a step plan becomes TornadoVM task graphs: its buffers by how they reach the device, its kernel tasks (from
 * {@link KernelTasks}), and their cut into graphs of at most {@code graph.tasks} tasks, each ending with a canary task
 * ({@link CanaryKernels#mark}) that counts the graph's runs in slot {@code c} of the {@code canary} buffer.
 * {@link PlanRunner} builds its graphs from this, and the kernel audit ({@link KernelAudit}) lists it.
 *
 * @param groupState preset buffer ids that kernels update (parameters, moments): uploaded when the host wrote them
 * @param groupStep  preset, read-only per-step inputs (images, targets, masks, scalars)
 * @param written    every buffer id a kernel writes
 * @param chunks     the graphs' tasks, in order, each ending with its canary task
 * @param consumedBy per graph, the buffers it takes over from the graph run before it
 * @param heldBy     per graph, the buffers it passes on
 */
record GraphLayout(List<Integer> groupState, List<Integer> groupStep, List<Integer> written, Set<FloatArray> state,
                   Set<FloatArray> step, List<List<KernelTask>> chunks, List<Set<FloatArray>> consumedBy,
                   List<Set<FloatArray>> heldBy, FloatArray canary, int kernelCount) {

    /** TornadoVM 5.2's task-graph graph (TornadoGraph) holds 1024 nodes; keep a margin. */
    static final int NODE_LIMIT = 1000;

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
        int count = 0;
        for (Invocation inv : plan.invocations()) {
            FloatArray[] args = new FloatArray[inv.buffers().length];
            for (int a = 0; a < args.length; a++) args[a] = arrays[inv.buffers()[a].id()];
            List<KernelTask> ts = KernelTasks.of(inv, args, cfg, scratch);
            perInvocation.add(ts);
            count += ts.size();
        }
        // The canary counts are state: kept on the device across steps, sent with the parameters when they are sent.
        // One slot per graph; the plan has at most as many graphs as kernels.
        FloatArray canary = allocator.apply(Math.max(1, count));
        state.add(canary);
        Set<FloatArray> preset = new LinkedHashSet<>(state);
        preset.addAll(step);

        // TornadoVM's graph of one task graph holds at most 1024 nodes; the buffers passed through cost one each.
        for (int reserve = preset.size() + 32; ; reserve += 64) {
            List<List<KernelTask>> cs = chunk(perInvocation, cfg.graphTasks() - 1, NODE_LIMIT - reserve);
            for (int c = 0; c < cs.size(); c++) cs.get(c).add(canaryTask(canary, c));
            List<Set<FloatArray>> consumed = new ArrayList<>(), held = new ArrayList<>();
            chain(cs, preset, consumed, held);
            boolean fits = true;
            for (int c = 0; c < cs.size(); c++) fits &= nodes(cs.get(c), held.get(c)) <= NODE_LIMIT;
            if (fits) return new GraphLayout(groupState, groupStep, written, state, step, cs, consumed, held, canary, count);
            if (reserve > NODE_LIMIT) {
                throw new IllegalStateException("plan " + plan.name() + " cannot be cut into TornadoVM task graphs of at most "
                        + NODE_LIMIT + " graph nodes: too many buffers live at once (" + preset.size() + " preset)");
            }
        }
    }

    static KernelTask canaryTask(FloatArray canary, int slot) {
        return new KernelTask("canary", "graph " + slot, "CanaryKernels.mark", (g, t, kc) -> g.task(t, CanaryKernels::mark, kc, canary, slot),
                KernelTasks.grid1(1, 1), List.of(canary), 1, 1, 1, false);
    }

    /** Greedy cut at invocation boundaries: at most maxTasks tasks and nodeBudget estimated nodes per chunk. */
    static List<List<KernelTask>> chunk(List<List<KernelTask>> perInvocation, int maxTasks, int nodeBudget) {
        List<List<KernelTask>> chunks = new ArrayList<>();
        List<KernelTask> current = new ArrayList<>();
        for (List<KernelTask> ts : perInvocation) {
            List<KernelTask> next = new ArrayList<>(current);
            next.addAll(ts);
            if (!current.isEmpty() && (next.size() > maxTasks || nodes(next, Set.of()) > nodeBudget)) {
                chunks.add(current);
                next = new ArrayList<>(ts);
            }
            current = next;
        }
        if (!current.isEmpty()) chunks.add(current);
        return chunks;
    }

    /**
     * What each chunk consumes from the graph before it (the preset buffers, and every buffer an earlier chunk made
     * that this or a later chunk uses) and holds (that plus its own), which it persists for the next.
     */
    static void chain(List<List<KernelTask>> chunks, Set<FloatArray> preset, List<Set<FloatArray>> consumedBy, List<Set<FloatArray>> heldBy) {
        int n = chunks.size();
        List<Set<FloatArray>> usedBy = new ArrayList<>();
        for (List<KernelTask> c : chunks) {
            Set<FloatArray> u = new LinkedHashSet<>();
            for (KernelTask t : c) u.addAll(t.arrays());
            usedBy.add(u);
        }
        Set<FloatArray> held = new LinkedHashSet<>();
        for (int c = 0; c < n; c++) {
            Set<FloatArray> consumed = new LinkedHashSet<>(preset);
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

    /**
     * TornadoVM graph nodes of a chunk, over-estimated from TornadoGraphBuilder: one per distinct int constant, one
     * per object (the shared KernelContext, every buffer held), two more per buffer a task takes (first use, then
     * persist or free), one per task and one per buffer argument (its dependent read).
     */
    static int nodes(List<KernelTask> tasks, Set<FloatArray> held) {
        Set<FloatArray> taken = new LinkedHashSet<>();
        int perTask = 0;
        for (KernelTask t : tasks) {
            taken.addAll(t.arrays());
            perTask += 1 + t.arrays().size();
        }
        Set<FloatArray> all = new LinkedHashSet<>(held);
        all.addAll(taken);
        return 8 + 16 * tasks.size() / 4 + all.size() + 1 + 2 * taken.size() + perTask;
    }
}
