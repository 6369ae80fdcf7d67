package io.github.hopmixer.device;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;

/**
 * The ground truth: every kernel's scalar reference in double precision, one thread. Every other device is
 * checked against it, and the finite-difference gradient tests run on it.
 */
public final class ReferenceDevice implements Device {
    private final BufferStore<double[]> store;

    public ReferenceDevice() {
        this(Boolean.getBoolean("hopmixer.poison"));
    }

    /** @param poison debugging: fill storage with NaN whenever liveness says it is dead (see {@link JvmDevice}) */
    public ReferenceDevice(boolean poison) {
        store = new BufferStore<>(double[]::new, poison ? a -> java.util.Arrays.fill(a, Double.NaN) : null);
    }

    /** Its kernels include the fused ops'. */
    @Override
    public boolean fusedOps() { return true; }

    @Override
    public String name() { return "reference"; }

    @Override
    public void prepare(Plan plan) { store.prepare(plan); }

    @Override
    public void execute(Plan plan) {
        Object[] arrays = store.arrays(plan);
        for (int s = 0; s < plan.invocations().size(); s++) {
            run(plan.invocations().get(s), arrays);
            if (store.poisoning()) store.afterInvocation(plan, s);
        }
    }

    @Override
    public void write(Buffer b, float[] src) {
        Device.checkLength(b, src.length);
        double[] a = store.array(b);
        for (int i = 0; i < src.length; i++) a[i] = src[i];
    }

    @Override
    public void read(Buffer b, float[] dst) {
        Device.checkLength(b, dst.length);
        double[] a = store.array(b);
        for (int i = 0; i < dst.length; i++) dst[i] = (float) a[i];
    }

    /** Double-precision access for gradient checks. */
    public double[] array(Buffer b) { return store.array(b); }

    private static void run(Invocation inv, Object[] arrays) {
        Buffer[] bs = inv.buffers();
        double[][] d = new double[bs.length][];
        for (int k = 0; k < bs.length; k++) d[k] = (double[]) arrays[bs[k].id()];
        inv.op().ref(d, 0, inv.parallelism());
    }
}
