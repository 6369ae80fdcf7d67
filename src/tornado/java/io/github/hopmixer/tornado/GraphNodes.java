package io.github.hopmixer.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoTaskGraphInterface;
import uk.ac.manchester.tornado.api.common.TaskPackage;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TornadoVM graph nodes of a task graph, counted as TornadoVM 5.2's {@code TornadoGraphBuilder} makes them. Its graph
 * holds 1,024 nodes and cannot grow ("Tornado Graph resize not implemented yet"): that, not the 256 tasks a graph may
 * hold, is what cuts a step into several graphs. Nodes: one per distinct primitive argument (a constant) and per
 * distinct object (buffer, vector view, the KernelContext); two context nodes; per task two (the task and its
 * buffer-allocation node), plus one per object argument it writes (TornadoVM's sketch decides; hopmixer counts the
 * buffers the plan's op writes, and every object argument of a task whose buffers are not the op's own, such as a
 * GEMM's transposed copy, or whose kernel makes vector views of them); per object a task takes, its first use and its
 * release (persist or free); one per object streamed out. Checked node by node against TornadoVM's own graph dump
 * ({@code -Dtornado.debug=True}) on paramixer_s16_224 with the CPU config. A graph's tasks must also
 * fit its 8,192 bytes of high-level code ({@link #codeBytes}).
 *
 * <p>A task's arguments are read by adding it to a {@link Recorder}, a task graph that keeps them instead of adding
 * the task. Where that cannot be made (no TornadoVM runtime on the class path), an upper bound stands in.
 */
final class GraphNodes {
    private GraphNodes() {}

    /**
     * One task's arguments: its primitive constants, its objects (buffers, vector views, KernelContext), and how many
     * object arguments it may write (all but the KernelContext, unless the plan's op says which).
     */
    record Args(List<Object> constants, List<Object> objects, int written) {
        /** The same, where the task writes only the objects in {@code writes} (identity). */
        Args writing(Set<?> writes) {
            int w = 0;
            for (Object o : objects) if (writes.contains(o)) w++;
            return new Args(constants, objects, Math.min(w, objects.size()));
        }
    }

    /** The arguments of each task (by identity); null where the recorder is not available. */
    static Map<KernelTask, Args> args(List<KernelTask> tasks) {
        Recorder r = Recorder.make();
        if (r == null) return null;
        KernelContext kc = new KernelContext();
        Map<KernelTask, Args> out = new IdentityHashMap<>();
        for (KernelTask t : tasks) {
            r.last = null;
            t.adder().add(r, "n" + r.serial++, kc);
            if (r.last != null) out.put(t, r.last);
        }
        return out;
    }

    /**
     * Nodes of one graph: tasks with their recorded arguments (or null: bounded from the buffers alone), the objects
     * the graph passes on (consumed or persisted without a task using them), and how many it streams out.
     */
    static int count(List<KernelTask> tasks, Map<KernelTask, Args> args, Set<?> passed, int streamedOut) {
        Set<Object> constants = new LinkedHashSet<>();
        Set<Object> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        int perTask = 0;
        for (int i = 0; i < tasks.size(); i++) {
            Args a = args == null ? null : args.get(tasks.get(i));
            List<?> objects = a != null ? a.objects() : tasks.get(i).arrays();
            if (a != null) constants.addAll(a.constants());
            else constants.add("bound" + i); // fewer than 4 new ints a task, as every hopmixer kernel
            taken.addAll(objects);
            perTask += 2 + (a != null ? a.written() : objects.size() + 3);
        }
        Set<Object> all = Collections.newSetFromMap(new IdentityHashMap<>());
        all.addAll(taken);
        all.addAll(passed);
        int kc = 2; // the KernelContext, when not recorded; a margin otherwise
        return constants.size() + all.size() + 2 + perTask + 2 * taken.size() + streamedOut + kc;
    }

    /**
     * Bytes of TornadoVM's high-level code for the tasks, which a task graph keeps in a fixed 8,192-byte buffer
     * ({@code TornadoTaskGraph.highLevelCode}; more throws a BufferOverflowException when the task is added): per
     * task 15, and 5 per argument.
     */
    static int codeBytes(List<KernelTask> tasks, Map<KernelTask, Args> args) {
        int bytes = 0;
        for (KernelTask t : tasks) {
            Args a = args == null ? null : args.get(t);
            bytes += 15 + 5 * (a != null ? a.constants().size() + a.objects().size() : t.arrays().size() + 17);
        }
        return bytes;
    }

    /** A task graph that records each task's arguments instead of adding the task. */
    static final class Recorder extends TaskGraph {
        Args last;
        int serial;

        private Recorder() {
            super("hmcount");
            taskGraphImpl = (TornadoTaskGraphInterface) Proxy.newProxyInstance(TornadoTaskGraphInterface.class.getClassLoader(),
                    new Class<?>[] {TornadoTaskGraphInterface.class}, (proxy, m, a) -> {
                        if (m.getName().equals("addTask") && a != null && a[0] instanceof TaskPackage p) last = split(p.getTaskParameters());
                        Class<?> r = m.getReturnType();
                        if (r == boolean.class) return false;
                        if (r == int.class || r == long.class) return r == int.class ? (Object) 0 : (Object) 0L;
                        return null;
                    });
        }

        static Recorder make() {
            try {
                return new Recorder();
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }

        /** Parameters of a task package: [0] the kernel, then its arguments. */
        private static Args split(Object[] params) {
            List<Object> constants = new ArrayList<>(), objects = new ArrayList<>();
            for (int i = 1; i < params.length; i++) {
                Object p = params[i];
                if (p == null) continue;
                if (p instanceof Number || p instanceof Boolean || p instanceof Character) constants.add(p);
                else objects.add(p);
            }
            int written = 0;
            for (Object o : objects) if (!(o instanceof KernelContext)) written++;
            return new Args(constants, objects, written);
        }
    }
}
