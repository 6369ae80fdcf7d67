package io.github.hopmixer.device;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * The embedded default: float kernels on all cores. Each invocation's work items are split into one contiguous
 * range per thread; kernels own their range's outputs, so no locks and results do not depend on the split.
 */
public final class JvmDevice implements Device {
    private final BufferStore<float[]> store;
    private final int threads;
    private final ForkJoinPool pool;
    /** Nanoseconds per invocation label (op, and a GEMM's shape), summed over profiled steps; null when off. */
    private java.util.Map<String, Long> profile;

    public JvmDevice(int threads) {
        this(threads, Boolean.getBoolean("hopmixer.poison"));
    }

    /**
     * @param poison debugging: fill storage with NaN whenever liveness says it is dead ({@code -Dhopmixer.poison=true}
     *               for the default constructors), so a liveness bug shows as NaN results
     */
    public JvmDevice(int threads, boolean poison) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        this.store = new BufferStore<>(float[]::new, poison ? a -> java.util.Arrays.fill(a, Float.NaN) : null);
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    public JvmDevice() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** Its kernels include the fused ops'. */
    @Override
    public boolean fusedOps() { return true; }

    @Override
    public String name() { return "jvm(" + threads + " threads)"; }

    public int threads() { return threads; }

    @Override
    public void prepare(Plan plan) { store.prepare(plan); }

    @Override
    public void execute(Plan plan) {
        Bound[] bound = bound(plan);
        boolean poison = store.poisoning();
        for (int s = 0; s < bound.length; s++) {
            Bound b = bound[s];
            long t0 = profile != null ? System.nanoTime() : 0;
            if (b.root == null) {
                run(b.inv, b.args, 0, b.inv.parallelism());
            } else {
                b.root.reinitialize();
                for (RecursiveAction part : b.parts) part.reinitialize();
                pool.invoke(b.root);
            }
            if (profile != null) profile.merge(b.inv.op().label(), System.nanoTime() - t0, Long::sum);
            if (poison) store.afterInvocation(plan, s);
        }
    }

    /**
     * An invocation with its arrays and its fork-join tasks, made once per plan: a step then allocates nothing
     * (completed tasks are re-armed with {@code reinitialize}).
     */
    private static final class Bound {
        final Invocation inv;
        final float[][] args;
        final RecursiveAction[] parts;
        final RecursiveAction root;

        Bound(Invocation inv, float[][] args, int threads, boolean pooled) {
            this.inv = inv;
            this.args = args;
            int n = inv.parallelism(), count = Math.min(threads, n);
            if (!pooled || count <= 1) {
                parts = null;
                root = null;
                return;
            }
            parts = new RecursiveAction[count];
            for (int p = 0; p < count; p++) {
                int lo = (int) ((long) n * p / count), hi = (int) ((long) n * (p + 1) / count);
                parts[p] = new RecursiveAction() {
                    @Override
                    protected void compute() { run(inv, args, lo, hi); }
                };
            }
            root = new RecursiveAction() {
                @Override
                protected void compute() { invokeAll(parts); }
            };
        }
    }

    private final java.util.Map<Plan, Bound[]> bound = new java.util.IdentityHashMap<>();

    private Bound[] bound(Plan plan) {
        Bound[] b = bound.get(plan);
        if (b != null) return b;
        Object[] arrays = store.arrays(plan);
        b = new Bound[plan.invocations().size()];
        for (int s = 0; s < b.length; s++) {
            Invocation inv = plan.invocations().get(s);
            float[][] f = new float[inv.buffers().length][];
            for (int k = 0; k < f.length; k++) f[k] = (float[]) arrays[inv.buffers()[k].id()];
            b[s] = new Bound(inv, f, threads, pool != null);
        }
        bound.put(plan, b);
        return b;
    }

    /**
     * Starts summing nanoseconds per op, GEMMs per shape ({@code GEMM b×m×n×k tA tB}), for profiles of where a step's
     * time goes; returns the live map.
     */
    public java.util.Map<String, Long> startProfile() {
        profile = new java.util.TreeMap<>();
        return profile;
    }

    public void stopProfile() {
        profile = null;
    }

    @Override
    public void write(Buffer b, float[] src) {
        Device.checkLength(b, src.length);
        System.arraycopy(src, 0, store.array(b), 0, src.length);
    }

    @Override
    public void read(Buffer b, float[] dst) {
        Device.checkLength(b, dst.length);
        System.arraycopy(store.array(b), 0, dst, 0, dst.length);
    }

    @Override
    public void close() {
        // close() waits for the workers to end: a closed device leaves no threads behind.
        if (pool != null) pool.close();
    }

    /** The op record runs its own JVM kernel: this device has no table of ops to keep in step. */
    static void run(Invocation inv, float[][] d, int lo, int hi) {
        inv.op().jvm(d, lo, hi);
    }
}
