package io.github.hopmixer.jmh;

import io.github.hopmixer.kernels.Gemm;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The nano training step's matrix products on one thread (the JVM device splits rows across threads):
 * channel mixing forward (x·Wᵀ), its input gradient (dy·W) and its weight gradient (dyᵀ·x), B·S = 8192 rows.
 * GFLOP/s = 2·M·N·K / time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {

    /** m,n,k,transA,transB. */
    @Param({"8192,512,128,0,1", "8192,128,512,0,1", "8192,128,512,0,0", "512,128,8192,1,0"})
    public String shape;

    int m, n, k, ta, tb;
    float[] a, b, c;

    @Setup
    public void setup() {
        String[] s = shape.split(",");
        m = Integer.parseInt(s[0]);
        n = Integer.parseInt(s[1]);
        k = Integer.parseInt(s[2]);
        ta = Integer.parseInt(s[3]);
        tb = Integer.parseInt(s[4]);
        Random r = new Random(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
    }

    @Benchmark
    public float[] jvm() {
        Gemm.jvm(c, a, b, 1, m, n, k, ta, tb, 0, 0, 0, 0, 0, m);
        return c;
    }
}
