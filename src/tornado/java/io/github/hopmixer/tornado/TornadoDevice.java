package io.github.hopmixer.tornado;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Memory;
import io.github.hopmixer.plan.Plan;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A TornadoVM device (OpenCL, PTX or SPIR-V): runs step plans as task graphs (see {@link PlanRunner}).
 *
 * <p>Every plan buffer is one off-heap {@link FloatArray}, shared by name between plans for parameters, gradients,
 * moments and scalars, as in the JVM device; activations take turns in arrays as the plan's liveness map says. Its device copy stays resident: each step sends only what the host
 * wrote since (the batch and the step scalars; parameters and moments after initialisation or a checkpoint load) and
 * brings back only what {@link #read} asks for. The device keeps, per buffer, whether the host copy is current and
 * which plans' device copies are. Plans prepared before the first execution share one TornadoVM execution plan
 * ({@link GraphGroup}): a buffer one of them updated reaches the next on the device when the plan that ran last
 * passes it on (evaluation takes the weights training left there, and training takes them back); otherwise it goes
 * through the host.
 */
public final class TornadoDevice implements Device {

    private static final class Entry {
        final Buffer decl;
        final FloatArray array;
        boolean hostValid = true;
        final Set<PlanRunner> deviceValid = new HashSet<>();

        Entry(Buffer decl, FloatArray array) {
            this.decl = decl;
            this.array = array;
        }
    }

    private final uk.ac.manchester.tornado.api.common.TornadoDevice device;
    private final String id, name, type;
    private final TornadoConfig config;
    private final Map<String, Entry> shared = new HashMap<>();
    private final Map<Plan, Entry[]> perPlan = new IdentityHashMap<>();
    private final Map<Plan, PlanRunner> runners = new LinkedHashMap<>();
    private final List<GraphGroup> groups = new java.util.ArrayList<>();
    private final Set<Integer> identityHashes = new HashSet<>();

    TornadoDevice(String id, uk.ac.manchester.tornado.api.common.TornadoDevice device, String backend, String type, TornadoConfig config) {
        this.id = id;
        this.device = device;
        this.type = type;
        this.config = config;
        // a device run with another type's tornado-config says so (tornado:0:0@gpu)
        String own = config.source().endsWith("/" + type.toLowerCase(java.util.Locale.ROOT) + ".properties") ? "" : ", " + config.source();
        this.name = "tornado " + backend + " " + device.getPhysicalDevice().getDeviceName().trim() + " (" + type + own + ")";
    }

    @Override
    public String name() { return name; }

    /**
     * Liveness without recomputation: on PoCL the recomputed GELU and LayerNorm outputs cost ≈10 % of a step and a
     * fifth task graph (side by side, paramixer_nano batch 128), while liveness alone already halves the plan's bytes.
     * {@code -Dhopmixer.plan.memory} still chooses.
     */
    @Override
    public Memory planMemory() { return memory(); }

    /** The plan memory TornadoVM devices use (also what the kernel audit lists). */
    public static Memory memory() {
        return System.getProperty("hopmixer.plan.memory") != null ? Memory.defaults() : Memory.SHARE;
    }

    public String id() { return id; }

    public String type() { return type; }

    public TornadoConfig config() { return config; }

    /** TornadoVM's device, for its limits. */
    uk.ac.manchester.tornado.api.common.TornadoDevice tornadoDevice() { return device; }

    /** Seconds the first execution of a prepared plan took (TornadoVM compiles its kernels then), NaN before. */
    public double compileSeconds(Plan plan) {
        PlanRunner r = runners.get(plan);
        return r == null ? Double.NaN : r.compileSeconds();
    }

    /** Kernels (TornadoVM tasks) and task graphs (kernel graphs and state upload graphs) of a prepared plan. */
    public int[] kernelsAndGraphs(Plan plan) {
        PlanRunner r = runner(plan);
        return new int[] {r.kernelCount(), r.roundTrips().kernelGraphs() + r.roundTrips().uploadGraphs()};
    }

    /**
     * A prepared plan's host round trips so far: its kernel graphs (blocking execute() calls an execution needs), and in
     * all its executions, execute() calls, state uploads and buffers read back.
     */
    public PlanRunner.RoundTrips roundTrips(Plan plan) {
        return runner(plan).roundTrips();
    }

    /**
     * Per op and kernel, the device nanoseconds of every later execution of the prepared plans (TornadoVM's
     * profiler, which adds some overhead of its own); the live map.
     */
    public Map<String, Long> startProfile() {
        Map<String, Long> into = new java.util.TreeMap<>();
        for (PlanRunner r : runners.values()) r.profile(into);
        return into;
    }

    @Override
    public void prepare(Plan plan) {
        if (perPlan.containsKey(plan)) return;
        Entry[] entries = new Entry[plan.buffers().size()];
        // Per-step buffers by the plan's liveness storage map: buffers whose lifetimes do not overlap take the same
        // array (TornadoVM tasks referencing one array object share its device copy), each with its own Entry.
        FloatArray[] storage = new FloatArray[plan.storage().count()];
        for (Buffer b : plan.buffers()) {
            if (b.shared()) {
                Entry prev = shared.get(b.name());
                if (prev != null && (prev.decl.size() != b.size() || prev.decl.role() != b.role())) {
                    throw new IllegalStateException("buffer " + b.name() + " was prepared as " + prev.decl + " (" + prev.decl.role()
                            + ") and is now asked for as " + b + " (" + b.role() + ")");
                }
                entries[b.id()] = prev != null ? prev : new Entry(b, allocate(b.size()));
                shared.putIfAbsent(b.name(), entries[b.id()]);
            } else {
                int k = plan.storage().of()[b.id()];
                if (storage[k] == null) storage[k] = allocate(plan.storage().floats()[k]);
                entries[b.id()] = new Entry(b, storage[k]);
            }
        }
        FloatArray[] arrays = new FloatArray[entries.length];
        for (int i = 0; i < arrays.length; i++) arrays[i] = entries[i].array;
        PlanRunner runner = new PlanRunner(plan, arrays, device, name, config, this::allocate);
        perPlan.put(plan, entries);
        runners.put(plan, runner);
    }

    /**
     * A zeroed buffer whose identity hash no other buffer of this device has: TornadoVM keys a task graph's objects by
     * {@code hashCode()}, which for its arrays is the identity hash, so two arrays with equal hashes would share one
     * device buffer.
     */
    private FloatArray allocate(int floats) {
        for (;;) {
            FloatArray a = PlanRunner.zeroed(floats);
            if (identityHashes.add(System.identityHashCode(a))) return a;
        }
    }

    private PlanRunner runner(Plan plan) {
        PlanRunner r = runners.get(plan);
        if (r == null) throw new IllegalStateException("plan " + plan.name() + " was not prepared on this device");
        return r;
    }

    @Override
    public void execute(Plan plan) {
        PlanRunner r = runner(plan);
        if (r.group() == null) {
            // The plans prepared so far and not yet run share one TornadoVM execution plan, hence their device buffers.
            List<PlanRunner> fresh = runners.values().stream().filter(x -> x.group() == null).toList();
            groups.add(new GraphGroup(fresh, device, config));
        }
        Entry[] e = perPlan.get(plan);
        boolean sendState = false;
        for (int id : r.groupState) sendState |= !onDevice(r, e[id]);
        if (sendState) for (int id : r.groupState) toHost(e[id]);
        for (int id : r.groupStep) toHost(e[id]);
        r.run(sendState);
        for (int id : r.groupState) e[id].deviceValid.add(r);
        for (int id : r.groupStep) e[id].deviceValid.add(r);
        for (int id : r.written) {
            e[id].hostValid = false;
            e[id].deviceValid.clear();
            e[id].deviceValid.add(r);
        }
    }

    /**
     * Whether the plan's first graph will find the buffer's current device copy: it takes it from the plan of its group
     * that ran last, when that plan passes it on, else it keeps its own from its last run.
     */
    private static boolean onDevice(PlanRunner r, Entry e) {
        PlanRunner prev = r.group().last;
        if (prev != null && prev != r && prev.holdsAtEnd(e.array)) return e.deviceValid.contains(prev);
        return e.deviceValid.contains(r);
    }

    /** Makes the host copy current, from a device copy that is. */
    private static void toHost(Entry e) {
        if (e.hostValid) return;
        PlanRunner src = e.deviceValid.iterator().next();
        src.pull(e.array);
        e.hostValid = true;
    }

    private Entry entry(Buffer b) {
        if (b.shared()) {
            Entry e = shared.get(b.name());
            if (e == null) throw new IllegalStateException("buffer " + b.name() + " is not allocated on this device");
            return e;
        }
        for (Map.Entry<Plan, Entry[]> pe : perPlan.entrySet()) {
            Plan p = pe.getKey();
            if (b.id() < p.buffers().size() && p.buffers().get(b.id()) == b) return pe.getValue()[b.id()];
        }
        throw new IllegalStateException("buffer " + b.name() + " belongs to no prepared plan");
    }

    @Override
    public void write(Buffer b, float[] src) {
        Device.checkLength(b, src.length);
        Entry e = entry(b);
        MemorySegment.copy(src, 0, e.array.getSegment(), ValueLayout.JAVA_FLOAT, 0, src.length);
        e.hostValid = true;
        e.deviceValid.clear();
    }

    @Override
    public void read(Buffer b, float[] dst) {
        Device.checkLength(b, dst.length);
        Entry e = entry(b);
        toHost(e);
        MemorySegment.copy(e.array.getSegment(), ValueLayout.JAVA_FLOAT, 0, dst, 0, dst.length);
    }

    @Override
    public void close() {
        for (GraphGroup g : groups) g.close();
        groups.clear();
        runners.clear();
    }

    /** A throwable's message with its causes', for errors that must say why. */
    static String reason(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().replaceAll("\u001B\\[[0-9;]*m", "").trim();
            if (sb.length() > 0) sb.append(" <- ");
            sb.append(t.getClass().getSimpleName()).append(m.isEmpty() ? "" : ": " + m.lines().findFirst().orElse(""));
        }
        return sb.toString();
    }
}
