package io.github.hopmixer.jmh;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Where the JVM device's buffers live: on-heap {@code float[]} (what its kernels take) or off-heap
 * {@code MemorySegment}s, 64-byte aligned, from a global arena (never closed: no liveness check) or a shared one (what a
 * closeable device would need, its buffers read by every worker thread). The same register tile as the GEMM's
 * ({@code kernels/GemmTiles}: 6 rows × 4 vectors of c over a K block of 512, a packed p-major by 6, b's panel of 4
 * vectors per p) runs over 42 row tiles of one panel, the 224-px channel products' inner loop; the panel (128 KB) is
 * read from L2 as in the step. One thread. FLOPs per call: 2 · 42 · 6 · 4L · 512. A memory-bound op (the residual's
 * y = x + 0.5·u over 4 MB operands) runs both ways too.
 * <p>
 * Run: {@code mvn -Pjmh package -Dmaven.test.skip=true && java -jar target/benchmarks.jar PlacementBenchmark}. Measured
 * here (JDK 25, 2026-12-02): the tile on segments is not compiled to vector code (C2 reports "unbox failed" under
 * {@code -XX:+UnlockDiagnosticVMOptions -XX:+PrintIntrinsics}; raising its node and inlining limits did not help), so
 * the device keeps on-heap arrays; the README's Numbers table has the figures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PlacementBenchmark {
    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length(), NR = 4 * L, KC = 512, TILES = 42;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    float[] ap, pk, c, x, u, y;
    MemorySegment apG, pkG, cG, apS, pkS, cS, xS, uS, yS;
    Arena shared;

    @Setup
    public void setup() {
        Random r = new Random(1);
        ap = new float[TILES * 6 * KC];
        pk = new float[KC * NR];
        c = new float[TILES * 6 * NR];
        for (int i = 0; i < ap.length; i++) ap[i] = (r.nextFloat() - 0.5f) * 1e-2f;
        for (int i = 0; i < pk.length; i++) pk[i] = (r.nextFloat() - 0.5f) * 1e-2f;
        shared = Arena.ofShared();
        apG = copy(Arena.global(), ap);
        pkG = copy(Arena.global(), pk);
        cG = copy(Arena.global(), c);
        apS = copy(shared, ap);
        pkS = copy(shared, pk);
        cS = copy(shared, c);
        x = new float[ELEMENTS];
        u = new float[ELEMENTS];
        y = new float[ELEMENTS];
        for (int i = 0; i < ELEMENTS; i++) {
            x[i] = r.nextFloat();
            u[i] = r.nextFloat();
        }
        xS = copy(shared, x);
        uS = copy(shared, u);
        yS = copy(shared, y);
    }

    /** Floats per operand of the memory-bound op: 4 MB each, past L2, as a 224-px activation is. */
    private static final int ELEMENTS = 1 << 20;

    /** A memory-bound op (the residual's y = x + 0.5·u), arrays. */
    @Benchmark
    public float[] residualHeapArrays() {
        FloatVector h = FloatVector.broadcast(SP, 0.5f);
        for (int i = 0; i < ELEMENTS; i += L) {
            FloatVector.fromArray(SP, u, i).fma(h, FloatVector.fromArray(SP, x, i)).intoArray(y, i);
        }
        return y;
    }

    /** The same op on segments of a shared arena. */
    @Benchmark
    public MemorySegment residualOffHeapShared() {
        FloatVector h = FloatVector.broadcast(SP, 0.5f);
        for (long i = 0; i < ELEMENTS; i += L) {
            long o = i * Float.BYTES;
            FloatVector.fromMemorySegment(SP, uS, o, NATIVE).fma(h, FloatVector.fromMemorySegment(SP, xS, o, NATIVE))
                    .intoMemorySegment(yS, o, NATIVE);
        }
        return yS;
    }

    @TearDown
    public void tearDown() {
        shared.close();
    }

    private static MemorySegment copy(Arena arena, float[] src) {
        MemorySegment s = arena.allocate((long) src.length * Float.BYTES, 64);
        MemorySegment.copy(src, 0, s, ValueLayout.JAVA_FLOAT, 0, src.length);
        return s;
    }

    @Benchmark
    public float[] heapArrays() {
        for (int t = 0; t < TILES; t++) tile(c, t * 6 * NR, ap, t * 6 * KC, pk);
        return c;
    }

    @Benchmark
    public MemorySegment offHeapGlobal() {
        for (int t = 0; t < TILES; t++) tile(cG, (long) t * 6 * NR, apG, (long) t * 6 * KC, pkG);
        return cG;
    }

    @Benchmark
    public MemorySegment offHeapShared() {
        for (int t = 0; t < TILES; t++) tile(cS, (long) t * 6 * NR, apS, (long) t * 6 * KC, pkS);
        return cS;
    }

    /**
     * {@code GemmTiles.tile6} with acc: c (rows NR apart) += a's packed tile · the panel, p in [0, KC). A copy, not a
     * call: the kernel's tile is private to {@code kernels}, and the segment version below must be a second body anyway
     * (other load and store calls), so both variants sit side by side here and compile under the same conditions.
     */
    private static void tile(float[] c, int c0, float[] ap, int ao, float[] pk) {
        int c1 = c0 + NR, c2 = c1 + NR, c3 = c2 + NR, c4 = c3 + NR, c5 = c4 + NR;
        FloatVector x00 = FloatVector.fromArray(SP, c, c0), x01 = FloatVector.fromArray(SP, c, c0 + L), x02 = FloatVector.fromArray(SP, c, c0 + 2 * L), x03 = FloatVector.fromArray(SP, c, c0 + 3 * L);
        FloatVector x10 = FloatVector.fromArray(SP, c, c1), x11 = FloatVector.fromArray(SP, c, c1 + L), x12 = FloatVector.fromArray(SP, c, c1 + 2 * L), x13 = FloatVector.fromArray(SP, c, c1 + 3 * L);
        FloatVector x20 = FloatVector.fromArray(SP, c, c2), x21 = FloatVector.fromArray(SP, c, c2 + L), x22 = FloatVector.fromArray(SP, c, c2 + 2 * L), x23 = FloatVector.fromArray(SP, c, c2 + 3 * L);
        FloatVector x30 = FloatVector.fromArray(SP, c, c3), x31 = FloatVector.fromArray(SP, c, c3 + L), x32 = FloatVector.fromArray(SP, c, c3 + 2 * L), x33 = FloatVector.fromArray(SP, c, c3 + 3 * L);
        FloatVector x40 = FloatVector.fromArray(SP, c, c4), x41 = FloatVector.fromArray(SP, c, c4 + L), x42 = FloatVector.fromArray(SP, c, c4 + 2 * L), x43 = FloatVector.fromArray(SP, c, c4 + 3 * L);
        FloatVector x50 = FloatVector.fromArray(SP, c, c5), x51 = FloatVector.fromArray(SP, c, c5 + L), x52 = FloatVector.fromArray(SP, c, c5 + 2 * L), x53 = FloatVector.fromArray(SP, c, c5 + 3 * L);
        for (int p = 0; p < KC; p++) {
            int o = p * NR, q = ao + p * 6;
            FloatVector v0 = FloatVector.fromArray(SP, pk, o), v1 = FloatVector.fromArray(SP, pk, o + L);
            FloatVector v2 = FloatVector.fromArray(SP, pk, o + 2 * L), v3 = FloatVector.fromArray(SP, pk, o + 3 * L);
            FloatVector s0 = FloatVector.broadcast(SP, ap[q]);
            x00 = v0.fma(s0, x00); x01 = v1.fma(s0, x01); x02 = v2.fma(s0, x02); x03 = v3.fma(s0, x03);
            FloatVector s1 = FloatVector.broadcast(SP, ap[q + 1]);
            x10 = v0.fma(s1, x10); x11 = v1.fma(s1, x11); x12 = v2.fma(s1, x12); x13 = v3.fma(s1, x13);
            FloatVector s2 = FloatVector.broadcast(SP, ap[q + 2]);
            x20 = v0.fma(s2, x20); x21 = v1.fma(s2, x21); x22 = v2.fma(s2, x22); x23 = v3.fma(s2, x23);
            FloatVector s3 = FloatVector.broadcast(SP, ap[q + 3]);
            x30 = v0.fma(s3, x30); x31 = v1.fma(s3, x31); x32 = v2.fma(s3, x32); x33 = v3.fma(s3, x33);
            FloatVector s4 = FloatVector.broadcast(SP, ap[q + 4]);
            x40 = v0.fma(s4, x40); x41 = v1.fma(s4, x41); x42 = v2.fma(s4, x42); x43 = v3.fma(s4, x43);
            FloatVector s5 = FloatVector.broadcast(SP, ap[q + 5]);
            x50 = v0.fma(s5, x50); x51 = v1.fma(s5, x51); x52 = v2.fma(s5, x52); x53 = v3.fma(s5, x53);
        }
        x00.intoArray(c, c0); x01.intoArray(c, c0 + L); x02.intoArray(c, c0 + 2 * L); x03.intoArray(c, c0 + 3 * L);
        x10.intoArray(c, c1); x11.intoArray(c, c1 + L); x12.intoArray(c, c1 + 2 * L); x13.intoArray(c, c1 + 3 * L);
        x20.intoArray(c, c2); x21.intoArray(c, c2 + L); x22.intoArray(c, c2 + 2 * L); x23.intoArray(c, c2 + 3 * L);
        x30.intoArray(c, c3); x31.intoArray(c, c3 + L); x32.intoArray(c, c3 + 2 * L); x33.intoArray(c, c3 + 3 * L);
        x40.intoArray(c, c4); x41.intoArray(c, c4 + L); x42.intoArray(c, c4 + 2 * L); x43.intoArray(c, c4 + 3 * L);
        x50.intoArray(c, c5); x51.intoArray(c, c5 + L); x52.intoArray(c, c5 + 2 * L); x53.intoArray(c, c5 + 3 * L);
    }

    /** The same tile with every operand in a segment (float offsets; loads in native order). */
    private static void tile(MemorySegment c, long c0, MemorySegment ap, long ao, MemorySegment pk) {
        long c1 = c0 + NR, c2 = c1 + NR, c3 = c2 + NR, c4 = c3 + NR, c5 = c4 + NR;
        FloatVector x00 = ld(c, c0), x01 = ld(c, c0 + L), x02 = ld(c, c0 + 2 * L), x03 = ld(c, c0 + 3 * L);
        FloatVector x10 = ld(c, c1), x11 = ld(c, c1 + L), x12 = ld(c, c1 + 2 * L), x13 = ld(c, c1 + 3 * L);
        FloatVector x20 = ld(c, c2), x21 = ld(c, c2 + L), x22 = ld(c, c2 + 2 * L), x23 = ld(c, c2 + 3 * L);
        FloatVector x30 = ld(c, c3), x31 = ld(c, c3 + L), x32 = ld(c, c3 + 2 * L), x33 = ld(c, c3 + 3 * L);
        FloatVector x40 = ld(c, c4), x41 = ld(c, c4 + L), x42 = ld(c, c4 + 2 * L), x43 = ld(c, c4 + 3 * L);
        FloatVector x50 = ld(c, c5), x51 = ld(c, c5 + L), x52 = ld(c, c5 + 2 * L), x53 = ld(c, c5 + 3 * L);
        for (int p = 0; p < KC; p++) {
            long o = (long) p * NR, q = ao + p * 6L;
            FloatVector v0 = ld(pk, o), v1 = ld(pk, o + L), v2 = ld(pk, o + 2 * L), v3 = ld(pk, o + 3 * L);
            FloatVector s0 = bc(ap, q);
            x00 = v0.fma(s0, x00); x01 = v1.fma(s0, x01); x02 = v2.fma(s0, x02); x03 = v3.fma(s0, x03);
            FloatVector s1 = bc(ap, q + 1);
            x10 = v0.fma(s1, x10); x11 = v1.fma(s1, x11); x12 = v2.fma(s1, x12); x13 = v3.fma(s1, x13);
            FloatVector s2 = bc(ap, q + 2);
            x20 = v0.fma(s2, x20); x21 = v1.fma(s2, x21); x22 = v2.fma(s2, x22); x23 = v3.fma(s2, x23);
            FloatVector s3 = bc(ap, q + 3);
            x30 = v0.fma(s3, x30); x31 = v1.fma(s3, x31); x32 = v2.fma(s3, x32); x33 = v3.fma(s3, x33);
            FloatVector s4 = bc(ap, q + 4);
            x40 = v0.fma(s4, x40); x41 = v1.fma(s4, x41); x42 = v2.fma(s4, x42); x43 = v3.fma(s4, x43);
            FloatVector s5 = bc(ap, q + 5);
            x50 = v0.fma(s5, x50); x51 = v1.fma(s5, x51); x52 = v2.fma(s5, x52); x53 = v3.fma(s5, x53);
        }
        st(x00, c, c0); st(x01, c, c0 + L); st(x02, c, c0 + 2 * L); st(x03, c, c0 + 3 * L);
        st(x10, c, c1); st(x11, c, c1 + L); st(x12, c, c1 + 2 * L); st(x13, c, c1 + 3 * L);
        st(x20, c, c2); st(x21, c, c2 + L); st(x22, c, c2 + 2 * L); st(x23, c, c2 + 3 * L);
        st(x30, c, c3); st(x31, c, c3 + L); st(x32, c, c3 + 2 * L); st(x33, c, c3 + 3 * L);
        st(x40, c, c4); st(x41, c, c4 + L); st(x42, c, c4 + 2 * L); st(x43, c, c4 + 3 * L);
        st(x50, c, c5); st(x51, c, c5 + L); st(x52, c, c5 + 2 * L); st(x53, c, c5 + 3 * L);
    }

    private static FloatVector ld(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(SP, s, i * Float.BYTES, NATIVE);
    }

    private static FloatVector bc(MemorySegment s, long i) {
        return FloatVector.broadcast(SP, s.getAtIndex(ValueLayout.JAVA_FLOAT, i));
    }

    private static void st(FloatVector v, MemorySegment s, long i) {
        v.intoMemorySegment(s, i * Float.BYTES, NATIVE);
    }
}
