package io.github.hopmixer.jmh;

import io.github.hopmixer.kernels.Gelu;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The fused forward's GELU on one thread: y = GELU(h) and GELU'(h) in h's place, over one block of the nano fc1's
 * output (32 rows × 512, in L2 as the GEMM epilogue finds it). Time per block; ns per float = time / 16384.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GeluBenchmark {
    static final int SIZE = 32 * 512;

    float[] h0 = new float[SIZE], h = new float[SIZE], y = new float[SIZE];

    @Setup
    public void setup() {
        Random r = new Random(1);
        for (int i = 0; i < SIZE; i++) h0[i] = (float) r.nextGaussian();
    }

    /** Each call starts from the same pre-activations (the slope overwrites them): the copy is timed too. */
    @Benchmark
    public float[] forwardSlope() {
        System.arraycopy(h0, 0, h, 0, SIZE);
        Gelu.forwardSlopeJvm(y, h, 0, SIZE);
        return y;
    }

    @Benchmark
    public float[] copyOnly() {
        System.arraycopy(h0, 0, h, 0, SIZE);
        return h;
    }
}
