package io.github.hopmixer.jmh;

import io.github.hopmixer.device.JvmDevice;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.train.DropPath;
import io.github.hopmixer.train.ModelState;
import io.github.hopmixer.train.StepPlans;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** One whole nano training step (forward, loss, backward, AdamW) on the JVM device, batch 128, 32-px RGB. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class StepBenchmark {

    @Param({"paramixer_nano", "symmixer_nano"})
    public String model;

    @Param({"2"})
    public int threads;

    JvmDevice device;
    StepPlans.Step step;

    @Setup
    public void setup() {
        var m = Models.get(model).withData(32, 3, 10);
        device = new JvmDevice(threads);
        step = StepPlans.training(m, 128, device);
        device.prepare(step.plan());
        ModelState.initialise(device, step, 1);
        Random r = new Random(1);
        float[] img = new float[step.images().size()];
        for (int i = 0; i < img.length; i++) img[i] = (float) r.nextGaussian();
        device.write(step.images(), img);
        float[] t = new float[step.targets().size()];
        for (int b = 0; b < 128; b++) t[b * 10 + b % 10] = 1f;
        device.write(step.targets(), t);
        DropPath.off(device, step.dropPathMasks());
        device.write(step.scalars(), Scalars.adamW(1e-4, 0.05, 1, 0));
    }

    @Benchmark
    public void trainingStep() {
        device.execute(step.plan());
    }

    @TearDown
    public void close() {
        device.close();
    }
}
