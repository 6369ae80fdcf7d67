package io.github.hopmixer.device;

import io.github.hopmixer.device.OpCases.OpCase;
import io.github.hopmixer.kernels.Reuse;
import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.ops.Op;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The JVM device's threads claim an invocation's chunks in any order, and a thread keeps what it packed for its
 * earlier chunks of the same run ({@link Reuse}). So every op, cut into chunks of any size and run in a shuffled order
 * on one thread within one run, must give the bits of one range: the device's results then depend neither on the
 * chunks nor on which thread takes which.
 */
class ChunkedRunTest {
    /** Run numbers of this test's own, apart from the device's (which count up from 1). */
    private static long call = -1;

    static Stream<OpCase> cases() {
        return ConformanceTest.allCases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anySplitOfOneRunGivesTheBitsOfOneRange(OpCase c) {
        Op op = c.op();
        float[][] in = c.init().make(new Random(c.name().hashCode()), op.minSizes(), op);
        for (int a = 0; a < in.length; a++) if (in[a] == null) in[a] = new float[Math.toIntExact(op.minSizes()[a])];
        int n = op.parallelism();
        float[][] whole = copy(in);
        run(op, whole, List.of(new int[] {0, n}));
        Random r = new Random(11);
        for (int trial = 0; trial < 4; trial++) {
            List<int[]> chunks = new ArrayList<>();
            for (int lo = 0; lo < n; ) {
                int hi = Math.min(n, lo + 1 + r.nextInt(Math.max(1, trial == 0 ? 2 : n / 3)));
                chunks.add(new int[] {lo, hi});
                lo = hi;
            }
            Collections.shuffle(chunks, r);
            float[][] split = copy(in);
            run(op, split, chunks);
            for (int a = 0; a < in.length; a++) {
                if (!op.writes(a)) continue;
                for (int i = 0; i < whole[a].length; i++) {
                    if (Float.floatToRawIntBits(whole[a][i]) != Float.floatToRawIntBits(split[a][i])) {
                        fail(c.name() + ": arg" + a + "[" + i + "] is " + whole[a][i] + " from one range, " + split[a][i]
                                + " from " + chunks.size() + " chunks");
                    }
                }
            }
        }
    }

    /**
     * The device runs every invocation again each step on the same arrays with new contents: a new run must not reuse
     * what the last one packed.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aNewRunOnChangedOperandsPacksAfresh(OpCase c) {
        Op op = c.op();
        float[][] in = c.init().make(new Random(c.name().hashCode()), op.minSizes(), op);
        for (int a = 0; a < in.length; a++) if (in[a] == null) in[a] = new float[Math.toIntExact(op.minSizes()[a])];
        int n = op.parallelism();
        List<int[]> halves = List.of(new int[] {0, n / 2}, new int[] {n / 2, n});
        // The next step's operands (outputs at their first values): the inputs changed.
        float[][] next = copy(in);
        Random r = new Random(13);
        for (int a = 0; a < in.length; a++) {
            if (!op.writes(a)) for (int i = 0; i < next[a].length; i++) next[a][i] = next[a][i] * 0.5f + (float) r.nextGaussian() * 0.01f;
        }
        float[][] fresh = copy(next);
        run(op, fresh, List.of(new int[] {0, n}));
        float[][] d = copy(in);
        run(op, d, halves);
        for (int a = 0; a < in.length; a++) System.arraycopy(next[a], 0, d[a], 0, next[a].length);
        run(op, d, halves);
        for (int a = 0; a < in.length; a++) {
            if (!op.writes(a)) continue;
            for (int i = 0; i < d[a].length; i++) {
                if (Float.floatToRawIntBits(d[a][i]) != Float.floatToRawIntBits(fresh[a][i])) {
                    fail(c.name() + ": arg" + a + "[" + i + "] is " + d[a][i] + " in the second run, " + fresh[a][i] + " afresh");
                }
            }
        }
    }

    /**
     * The device numbers every run of every invocation anew: a plan executed again on new operands in the same
     * buffers gives the bits of a fresh device (a number kept per plan, or per invocation, would reuse the last
     * step's packed b).
     */
    @Test
    void theDeviceRepacksForEveryRun() {
        Gemm op = new Gemm(1, 300, 128, 64, false, false, 0, 0, 0, false);
        long[] sizes = op.minSizes();
        Buffer c = new Buffer(0, "c", Role.OUTPUT, new int[] {(int) sizes[0]});
        Buffer a = new Buffer(1, "a", Role.INPUT, new int[] {(int) sizes[1]});
        Buffer b = new Buffer(2, "b", Role.INPUT, new int[] {(int) sizes[2]});
        Plan plan = new Plan("gemm", List.of(c, a, b),
                List.of(new Invocation(op, new Buffer[] {c, a, b})));
        Random r = new Random(17);
        float[] av = randn(r, a.size()), b1 = randn(r, b.size()), b2 = randn(r, b.size());
        for (int threads = 1; threads <= 2; threads++) {
            float[] again = new float[c.size()], fresh = new float[c.size()];
            try (JvmDevice d = new JvmDevice(threads)) {
                d.prepare(plan);
                d.write(a, av);
                d.write(b, b1);
                d.execute(plan);
                d.write(b, b2);
                d.execute(plan);
                d.read(c, again);
            }
            try (JvmDevice d = new JvmDevice(threads)) {
                d.prepare(plan);
                d.write(a, av);
                d.write(b, b2);
                d.execute(plan);
                d.read(c, fresh);
            }
            for (int i = 0; i < fresh.length; i++) {
                if (Float.floatToRawIntBits(fresh[i]) != Float.floatToRawIntBits(again[i])) {
                    fail(threads + " threads: c[" + i + "] is " + again[i] + " on the second run, " + fresh[i] + " on a fresh device");
                }
            }
        }
    }

    private static float[] randn(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** The chunks in order on this thread, as one run. */
    private static void run(Op op, float[][] d, List<int[]> chunks) {
        long run = call--;
        for (int[] ch : chunks) {
            Reuse.begin(run);
            try {
                op.jvm(d, ch[0], ch[1]);
            } finally {
                Reuse.end();
            }
        }
    }

    private static float[][] copy(float[][] in) {
        float[][] out = new float[in.length][];
        for (int a = 0; a < in.length; a++) out[a] = in[a].clone();
        return out;
    }
}
