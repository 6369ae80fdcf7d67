package io.github.hopmixer.tornado;

import io.github.hopmixer.tornado.kernels.GemmKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uk.ac.manchester.tornado.api.AccessorParameters;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid3D;
import uk.ac.manchester.tornado.api.common.Access;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GEMM vector kernel ({@link GemmKernels#nn16x8}, Java compiled by TornadoVM) beside the same register tile
 * hand-written in OpenCL C and run through TornadoVM's prebuilt-task API on the same device: c = a·b, 8192×512×128,
 * the nano step's channel-mixing shape. A measurement, not a test (its name keeps it out of the test run):
 * {@code mvn -Ptornado test -Dtest=GemmVersusOpenClBench}.
 */
class GemmVersusOpenClBench {
    static final int M = 8192, N = 512, K = 128;

    @TempDir
    Path tmp;

    static final String OPENCL = """
            // c (M x N) = a (M x K) . b (K x N): 8 rows x 16 columns of c per work-item, float16 accumulators.
            #define M %d
            #define N %d
            #define K %d
            #define HEADER %d
            __kernel void gemm_opencl(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region,
                                      __global int *_atomics, __global uchar *cc, __global uchar *aa, __global uchar *bb) {
              __global float *c = (__global float *) (cc + HEADER);
              __global const float *a = (__global const float *) (aa + HEADER);
              __global const float *b = (__global const float *) (bb + HEADER);
              int j = get_global_id(0) * 16, i = get_global_id(1) * 8;
              float16 s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
              for (int p = 0; p < K; p++) {
                float16 v = vload16(0, b + p * N + j);
                int q = i * K + p;
                s0 = fma((float16) (a[q]), v, s0); s1 = fma((float16) (a[q + K]), v, s1);
                s2 = fma((float16) (a[q + 2 * K]), v, s2); s3 = fma((float16) (a[q + 3 * K]), v, s3);
                s4 = fma((float16) (a[q + 4 * K]), v, s4); s5 = fma((float16) (a[q + 5 * K]), v, s5);
                s6 = fma((float16) (a[q + 6 * K]), v, s6); s7 = fma((float16) (a[q + 7 * K]), v, s7);
              }
              int o = i * N + j;
              vstore16(s0, 0, c + o); vstore16(s1, 0, c + o + N); vstore16(s2, 0, c + o + 2 * N); vstore16(s3, 0, c + o + 3 * N);
              vstore16(s4, 0, c + o + 4 * N); vstore16(s5, 0, c + o + 5 * N); vstore16(s6, 0, c + o + 6 * N); vstore16(s7, 0, c + o + 7 * N);
            }
            """;

    static double time(TornadoExecutionPlan plan, FloatArray c, FloatArray a, FloatArray b) {
        double[] ms = new double[9];
        TornadoExecutionResult r = null;
        for (int it = -2; it < ms.length; it++) {
            long t0 = System.nanoTime();
            r = plan.execute();
            if (it >= 0) ms[it] = (System.nanoTime() - t0) / 1e6;
        }
        r.transferToHost(c);
        Random rnd = new Random(5);
        for (int t = 0; t < 32; t++) {
            int i = rnd.nextInt(M), j = rnd.nextInt(N);
            double s = 0;
            for (int p = 0; p < K; p++) s += (double) a.get(i * K + p) * b.get(p * N + j);
            assertTrue(Math.abs(s - c.get(i * N + j)) < 1e-3, "c[" + i + "," + j + "]");
        }
        Arrays.sort(ms);
        return 2.0 * M * N * K / (ms[ms.length / 2] * 1e6);
    }

    @Test
    void tornadoKernelBesideHandWrittenOpenCl() throws Exception {
        TornadoDeviceTest.requireTornado();
        FloatArray a = new FloatArray(M * K), b = new FloatArray(K * N), c = new FloatArray(M * N);
        Random r = new Random(1);
        for (int i = 0; i < M * K; i++) a.set(i, r.nextFloat() - 0.5f);
        for (int i = 0; i < K * N; i++) b.set(i, r.nextFloat() - 0.5f);
        c.init(0f);
        WorkerGrid grid = new WorkerGrid3D(N / 16, M / 8, 1);
        grid.setLocalWork(1, 1, 1);

        TaskGraph java = new TaskGraph("cmpjava").transferToDevice(DataTransferMode.FIRST_EXECUTION, a, b)
                .task("t", GemmKernels::nn16x8, new KernelContext(), c, a, b, 1, M, N, K, 0, 0, 0, 0, 0, 1)
                .transferToHost(DataTransferMode.UNDER_DEMAND, c);
        double tornado;
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(java.snapshot())) {
            plan.withGridScheduler(new GridScheduler("cmpjava.t", grid));
            tornado = time(plan, c, a, b);
        }

        Path cl = tmp.resolve("gemm_opencl.cl");
        Files.writeString(cl, OPENCL.formatted(M, N, K, TornadoNativeArray.ARRAY_HEADER));
        AccessorParameters ap = new AccessorParameters(3);
        ap.set(0, c, Access.WRITE_ONLY);
        ap.set(1, a, Access.READ_ONLY);
        ap.set(2, b, Access.READ_ONLY);
        TaskGraph prebuilt = new TaskGraph("cmpcl").transferToDevice(DataTransferMode.FIRST_EXECUTION, a, b)
                .prebuiltTask("t", "gemm_opencl", cl.toString(), ap).transferToHost(DataTransferMode.UNDER_DEMAND, c);
        double opencl;
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(prebuilt.snapshot())) {
            plan.withGridScheduler(new GridScheduler("cmpcl.t", grid));
            opencl = time(plan, c, a, b);
        }
        System.out.printf("GEMM %dx%dx%d: TornadoVM kernel nn16x8 %.1f GFLOP/s, hand-written OpenCL %.1f GFLOP/s (%.0f %%)%n",
                M, N, K, tornado, opencl, 100 * tornado / opencl);
    }
}
