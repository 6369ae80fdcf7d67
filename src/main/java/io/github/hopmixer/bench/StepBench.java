package io.github.hopmixer.bench;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.train.DropPath;
import io.github.hopmixer.train.ModelState;
import io.github.hopmixer.train.StepPlans;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Times whole training steps and single matrix products on a device: warm-up runs first (JIT, and TornadoVM's
 * kernel compilation), then the median of timed runs. Every run goes through the same {@link Plan}s the trainer
 * executes.
 */
public final class StepBench {
    private StepBench() {}

    /** gflops: the step's matrix products (every GEMM, fused ones included) per second; see {@link Plan#matmulFlops}. */
    public record StepResult(String device, String model, int batch, double msPerStep, double imagesPerSec, double gflops) {}

    public record KernelResult(String device, String kernel, String shape, double ms, double gflops) {}

    public static StepResult trainingStep(Device d, ModelConfig m, int batch, int warmup, int runs) {
        Runner r = new Runner(d, m, batch);
        r.steps(warmup);
        double med = median(r.steps(runs));
        return new StepResult(d.name(), m.name(), batch, med, batch * 1000.0 / med, r.matmulFlops() / (med * 1e6));
    }

    /**
     * A prepared training step that runs on request: what {@link #trainingStep} times, and what {@link StepTurns} runs
     * turn by turn against another program.
     */
    public static final class Runner {
        private final Device d;
        private final StepPlans.Step st;
        private final float[] images, targets, losses;
        private final float[] scalars = Scalars.adamW(1e-4, 0.05, 1, 0);
        private int done;

        public Runner(Device d, ModelConfig m, int batch) {
            this.d = d;
            st = StepPlans.training(m, batch, d);
            Batch in = prepare(d, st, m, batch);
            images = in.images();
            targets = in.targets();
            losses = new float[batch];
        }

        /** The step's matrix-product FLOPs ({@link Plan#matmulFlops}). */
        public long matmulFlops() {
            return st.plan().matmulFlops();
        }

        /** The last step's per-image losses (a copy). */
        public float[] losses() {
            return losses.clone();
        }

        /** Runs n steps; each one's milliseconds. */
        public double[] steps(int n) {
            double[] ms = new double[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                // What the trainer moves per step: the batch and step scalars in, the losses out.
                d.write(st.images(), images);
                d.write(st.targets(), targets);
                DropPath.write(d, st.dropPathMasks(), 0.1, 1, done++);
                d.write(st.scalars(), scalars);
                d.execute(st.plan());
                d.read(st.losses(), losses);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            return ms;
        }
    }

    /** A batch of random images and one-hot targets, the same for every benchmark (seed 1). */
    public record Batch(float[] images, float[] targets) {}

    /** Prepares the step's plan on the device, initialises its model (seed 1), and draws the batch it is timed on. */
    public static Batch prepare(Device d, StepPlans.Step st, ModelConfig m, int batch) {
        d.prepare(st.plan());
        ModelState.initialise(d, st, 1);
        Random r = new Random(1);
        float[] images = new float[st.images().size()];
        for (int i = 0; i < images.length; i++) images[i] = (float) r.nextGaussian();
        float[] targets = new float[st.targets().size()];
        for (int b = 0; b < batch; b++) targets[b * m.numClasses() + r.nextInt(m.numClasses())] = 1f;
        return new Batch(images, targets);
    }

    /** The least time a matrix product is run before it is timed, whatever the warm-up count. */
    static final int GEMM_WARMUP_MS = 1000;

    /** c = op(a)·op(b), M×K times K×N, as the plan's GEMM op runs it (batch 1), after at least {@link #GEMM_WARMUP_MS} of warm-up unless warmup is 0. */
    public static KernelResult gemm(Device d, int m, int n, int k, int transA, int transB, int warmup, int runs) {
        return gemm(d, new Gemm(1, m, n, k, transA != 0, transB != 0, 0, 0, 0, false), warmup, runs);
    }

    /**
     * One GEMM op as the plan runs it, batched or not: a weight on the left serving every image (stride 0), or a
     * weight gradient summed over the images (c's stride 0). Named {@code gemm_<tA><tB>} with {@code _shared_a} or
     * {@code _sum} for a batch, its shape m×n×k, or batch×m×n×k for a batch.
     */
    public static KernelResult gemm(Device d, Gemm op, int warmup, int runs) {
        GemmRunner g = new GemmRunner(d, op);
        g.warm(warmup);
        double med = median(g.runs(runs));
        return new KernelResult(d.name(), g.kernel(), g.shape(), med, op.matmulFlops() / (med * 1e6));
    }

    /** One GEMM op prepared on a device with random operands (seed 2): what {@link #gemm} times, and {@link StepTurns} serves. */
    public static final class GemmRunner {
        private final Device d;
        private final Gemm op;
        private final Plan plan;
        private final String kernel, shape;

        public GemmRunner(Device d, Gemm op) {
            this.d = d;
            this.op = op;
            long[] sizes = op.minSizes();
            Buffer c = new Buffer(0, "c", Role.OUTPUT, new int[] {Math.toIntExact(sizes[0])});
            Buffer a = new Buffer(1, "a", Role.INPUT, new int[] {Math.toIntExact(sizes[1])});
            Buffer b = new Buffer(2, "b", Role.INPUT, new int[] {Math.toIntExact(sizes[2])});
            kernel = "gemm_" + (op.transA() ? "t" : "n") + (op.transB() ? "t" : "n")
                    + (op.batch() == 1 ? "" : op.batchSummed() ? "_sum" : op.strideA() == 0 ? "_shared_a" : "_batched");
            shape = (op.batch() == 1 ? "" : op.batch() + "x") + op.m() + "x" + op.n() + "x" + op.k();
            plan = new Plan(kernel + "-" + shape, List.of(c, a, b), List.of(new Invocation(op, new Buffer[] {c, a, b})));
            d.prepare(plan);
            Random r = new Random(2);
            float[] va = new float[a.size()], vb = new float[b.size()];
            for (int i = 0; i < va.length; i++) va[i] = r.nextFloat() - 0.5f;
            for (int i = 0; i < vb.length; i++) vb[i] = r.nextFloat() - 0.5f;
            d.write(a, va);
            d.write(b, vb);
        }

        /** gemm_<tA><tB> with _shared_a, _sum or _batched for a batch. */
        public String kernel() { return kernel; }

        /** m×n×k, or batch×m×n×k for a batch. */
        public String shape() { return shape; }

        public Gemm op() { return op; }

        /**
         * Warm-up by calls and by time: a product called only {@code warmup} times may still run code C2 has not
         * compiled yet (the transposed packing of b needed more than 10 calls), which a training step, calling each
         * product hundreds of times, never sees. Warm-up 0 skips it: the first calls then are what is timed.
         */
        public void warm(int warmup) {
            long warmEnd = System.nanoTime() + (warmup > 0 ? GEMM_WARMUP_MS * 1_000_000L : 0);
            for (int i = 0; i < warmup || System.nanoTime() < warmEnd; i++) d.execute(plan);
        }

        /** Runs the product n times; each call's milliseconds. */
        public double[] runs(int n) {
            double[] ms = new double[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                d.execute(plan);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            return ms;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
