package io.github.hopmixer.device;

import io.github.hopmixer.kernels.Reuse;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;


/**
 * The embedded default: float kernels on all cores. Each invocation's work items are split into contiguous ranges
 * ({@link Chunks}) that its threads claim ({@link Workers}); kernels own their range's outputs, so no locks, and
 * results do not depend on the split.
 */
public final class JvmDevice implements Device {
    private final BufferStore<float[]> store;
    private final int threads;
    private final Workers workers;
    /**
     * Runs of invocations so far, on every JVM device: each run's number tells kernels which packed operands they
     * may reuse ({@link Reuse}).
     */
    private static final java.util.concurrent.atomic.AtomicLong CALLS = new java.util.concurrent.atomic.AtomicLong();
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
        this.workers = new Workers(threads, "hopmixer-jvm");
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
            b.call = CALLS.incrementAndGet();
            workers.run(b.bounds, b);
            if (profile != null) profile.merge(b.inv.op().label(), System.nanoTime() - t0, Long::sum);
            if (poison) store.afterInvocation(plan, s);
        }
    }

    /** An invocation with its arrays and its chunks, made once per plan. */
    private static final class Bound implements Workers.Chunk {
        final Invocation inv;
        final float[][] args;
        final int[] bounds;
        /** This run of the invocation: set before the workers see it, so every chunk of one run shares it. */
        long call;

        Bound(Invocation inv, float[][] args, int threads) {
            this.inv = inv;
            this.args = args;
            this.bounds = Chunks.bounds(inv.parallelism(), threads, inv.op().grain());
        }

        @Override
        public void run(int lo, int hi) {
            Reuse.begin(call);
            try {
                JvmDevice.run(inv, args, lo, hi);
            } finally {
                Reuse.end();
            }
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
            b[s] = new Bound(inv, f, threads);
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
        workers.close();
    }

    /** The op record runs its own JVM kernel: this device has no table of ops to keep in step. */
    static void run(Invocation inv, float[][] d, int lo, int hi) {
        inv.op().jvm(d, lo, hi);
    }
}
