package io.github.hopmixer.kernels;

import io.github.hopmixer.device.OpCases;
import io.github.hopmixer.ops.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static io.github.hopmixer.kernels.KernelGradientTest.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acc flag of every backward op, reference and JVM: acc = 0 overwrites its outputs without reading them, acc = 1
 * adds to what they hold. The ops come from the one op catalogue, {@link OpCases#all}.
 */
class AccFlagTest {
    interface RefKernel { void run(double[][] a, int acc); }

    interface JvmKernel { void run(float[][] a, int acc); }

    /** A backward kernel: its buffer sizes, which arguments it writes, and both versions over the full range. */
    record AccCase(String name, int[] sizes, int[] outputs, RefKernel ref, JvmKernel jvm) {
        @Override
        public String toString() { return name; }
    }

    /**
     * Every op with an acc flag, from the one op catalogue ({@link OpCases#all}: it holds each such op with
     * both values), taken at acc = 0; the checks below run each with both.
     */
    static Stream<AccCase> accCases() {
        return OpCases.all().stream()
                .filter(c -> accComponent(c.op().getClass()) != null && withAcc(c.op(), false).equals(c.op()))
                .map(c -> {
                    Op op = c.op();
                    long[] sz = op.minSizes();
                    return new AccCase(op.name() + " " + c.name(), Arrays.stream(sz).mapToInt(Math::toIntExact).toArray(),
                            op.outputs(),
                            (a, acc) -> withAcc(op, acc != 0).ref(a, 0, op.parallelism()),
                            (a, acc) -> withAcc(op, acc != 0).jvm(a, 0, op.parallelism()));
                });
    }

    /** The {@code acc} component of an op record, or null when it has none. */
    static RecordComponent accComponent(Class<?> kind) {
        return Arrays.stream(kind.getRecordComponents()).filter(rc -> rc.getName().equals("acc")).findFirst().orElse(null);
    }

    /** The same op with its acc flag set to {@code acc}, through the record's canonical constructor. */
    static Op withAcc(Op op, boolean acc) {
        try {
            RecordComponent[] rcs = op.getClass().getRecordComponents();
            Class<?>[] types = new Class<?>[rcs.length];
            Object[] values = new Object[rcs.length];
            for (int i = 0; i < rcs.length; i++) {
                types[i] = rcs[i].getType();
                values[i] = rcs[i].getName().equals("acc") ? (Object) acc : rcs[i].getAccessor().invoke(op);
            }
            return (Op) op.getClass().getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void accCasesCoverEveryOpWithAnAccFlag() {
        // Every op record with an acc flag is an acc op; each needs a case above, under the op's name.
        for (Class<?> kind : Op.kinds()) {
            if (accComponent(kind) == null) continue;
            assertTrue(accCases().anyMatch(c -> c.name().startsWith(opName(kind) + " ")), kind.getSimpleName() + " has an acc flag but no acc case");
        }
    }

    /** An op kind's name, from an instance with every argument zero (records check nothing on construction). */
    static String opName(Class<?> kind) {
        try {
            var components = kind.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            Object[] zeros = new Object[components.length];
            for (int i = 0; i < types.length; i++) {
                types[i] = components[i].getType();
                zeros[i] = types[i] == boolean.class ? (Object) false : (Object) 0;
            }
            return ((Op) kind.getDeclaredConstructor(types).newInstance(zeros)).name();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * acc = 0 ignores whatever the output held (NaN in, finite out, and the same result as from zeros); acc = 1 adds
     * the acc = 0 result to it. For the reference that is exact (it computes the same sum and adds it once).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("accCases")
    void accFlagReference(AccCase k) {
        Random r = new Random(k.name().hashCode());
        double[][] base = new double[k.sizes().length][];
        for (int a = 0; a < base.length; a++) base[a] = randn(r, k.sizes()[a], 1);
        double[][] prior = new double[base.length][];
        for (int o : k.outputs()) prior[o] = randn(r, k.sizes()[o], 1);

        double[][] fromNaN = copy(base), fromPrior = copy(base), added = copy(base);
        for (int o : k.outputs()) {
            Arrays.fill(fromNaN[o], Double.NaN);
            fromPrior[o] = prior[o].clone();
            added[o] = prior[o].clone();
        }
        k.ref().run(fromNaN, 0);
        k.ref().run(fromPrior, 0);
        k.ref().run(added, 1);
        for (int o : k.outputs()) {
            for (double v : fromNaN[o]) assertTrue(Double.isFinite(v), k + ": acc=0 left an output entry unwritten");
            assertArrayEquals(fromNaN[o], fromPrior[o], 0.0, k + ": acc=0 depends on the output's prior content");
            for (int i = 0; i < prior[o].length; i++) {
                assertEquals(prior[o][i] + fromNaN[o][i], added[o][i], 0.0, k + ": acc=1 at " + i);
            }
        }
        for (int a = 0; a < base.length; a++) {
            if (contains(k.outputs(), a)) continue;
            assertArrayEquals(base[a], added[a], 0.0, k + " wrote its input " + a);
        }
    }

    /**
     * The same for the float JVM version. acc = 0 must be exact (no read of the output at all); acc = 1 may add
     * the prior value at a different point of the float sum (GEMM starts its FMA chain from it), so the check is
     * |acc1 − (prior + acc0)| ≤ 1e-4·(1 + |prior| + |acc0|): sums of at most 111 terms (the catalogue's longest GEMM
     * reduction, K 37 × batch 3) of size O(1), each rounding ≤ 6e-8 relative, are off by at most 7e-6·(1 + |acc0|),
     * while a missing or doubled prior is off by |prior| = O(1).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("accCases")
    void accFlagJvm(AccCase k) {
        Random r = new Random(k.name().hashCode() + 1);
        float[][] base = new float[k.sizes().length][];
        for (int a = 0; a < base.length; a++) base[a] = toFloat(randn(r, k.sizes()[a], 1));
        float[][] prior = new float[base.length][];
        for (int o : k.outputs()) prior[o] = toFloat(randn(r, k.sizes()[o], 1));
        float[][] fromNaN = copy(base), fromPrior = copy(base), added = copy(base);
        for (int o : k.outputs()) {
            Arrays.fill(fromNaN[o], Float.NaN);
            fromPrior[o] = prior[o].clone();
            added[o] = prior[o].clone();
        }
        k.jvm().run(fromNaN, 0);
        k.jvm().run(fromPrior, 0);
        k.jvm().run(added, 1);
        for (int o : k.outputs()) {
            for (float v : fromNaN[o]) assertTrue(Float.isFinite(v), k + ": acc=0 left an output entry unwritten");
            assertArrayEquals(fromNaN[o], fromPrior[o], 0f, k + ": acc=0 depends on the output's prior content");
            for (int i = 0; i < prior[o].length; i++) {
                double expect = (double) prior[o][i] + fromNaN[o][i];
                assertEquals(expect, added[o][i], 1e-4 * (1 + Math.abs(prior[o][i]) + Math.abs(fromNaN[o][i])), k + ": acc=1 at " + i);
            }
        }
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
