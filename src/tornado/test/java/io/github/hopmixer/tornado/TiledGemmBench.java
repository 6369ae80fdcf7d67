package io.github.hopmixer.tornado;

import io.github.hopmixer.device.Devices;
import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.tornado.TornadoKernelTest.Case;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A measurement, not a check: GFLOP/s of every GEMM shape of the nano training step (batch 128) on the default
 * TornadoVM device with the CPU config's kernels (vector, transposed copies, slices) and the GPU config's (tiled),
 * appended to {@code results/gemm-tiled-vs-vector.csv}. Its name keeps it out of the test run:
 * {@code mvn -Ptornado test -Dtest=TiledGemmBench}. Each launch is timed as a
 * one-invocation plan's execute() (its kernels plus TornadoVM's per-execution overhead), best of several runs.
 */
class TiledGemmBench {
    static final Path CSV = Path.of("results", "gemm-tiled-vs-vector.csv");

    @Test
    void measure() throws IOException {
        TornadoDeviceTest.requireTornado();
        TornadoDevice def = (TornadoDevice) Devices.open(System.getProperty("hopmixer.tornado.test.device", "tornado"), 1);
        def.close();
        String deviceName = def.tornadoDevice().getPhysicalDevice().getDeviceName().trim();
        if (!Files.exists(CSV)) {
            Files.writeString(CSV, "date,device,config,kernels,shape,gflop,best_ms,median_ms,gflops_best,gflops_median\n");
        }
        String date = LocalDate.now().toString();
        for (String type : List.of("CPU", "GPU")) {
            TornadoConfig cfg = TornadoConfig.forType(type);
            try (TornadoDevice d = new TornadoDevice(def.id(), def.tornadoDevice(), type.toLowerCase(Locale.ROOT) + "-config", def.type(), cfg)) {
                for (Case c : TiledGemmTest.nanoCases()) {
                    double[] ms = time(d, c);
                    Gemm g = (Gemm) c.op();
                    double gflop = 2.0 * KernelTasks.macs(g) / 1e9;
                    double best = ms[0], median = ms[ms.length / 2];
                    String line = String.format(Locale.ROOT, "%s,\"%s\",%s,%s,\"%s\",%.5f,%.3f,%.3f,%.1f,%.1f%n", date, deviceName,
                            type.toLowerCase(Locale.ROOT), kernels(c, cfg), c.name(), gflop, best, median, gflop / best * 1e3, gflop / median * 1e3);
                    System.out.print(line);
                    Files.writeString(CSV, line, StandardOpenOption.APPEND);
                }
            }
        }
    }

    /** The kernels a config launches for the product, joined by '+'. */
    static String kernels(Case c, TornadoConfig cfg) {
        FloatArray[] stand = {new FloatArray(1), new FloatArray(1), new FloatArray(1)};
        KernelTasks.Scratch scratch = new KernelTasks.Scratch() {
            @Override public FloatArray transposed() { return new FloatArray(1); }

            @Override public FloatArray partials() { return new FloatArray(1); }
        };
        List<String> names = new ArrayList<>();
        for (KernelTask t : KernelTasks.of(TornadoKernelTest.plan(c).invocations().getFirst(), stand, cfg, scratch)) names.add(t.kernel());
        return String.join("+", names);
    }

    /** Sorted milliseconds of timed executions, after two untimed ones (the first compiles). */
    static double[] time(TornadoDevice d, Case c) {
        Plan plan = TornadoKernelTest.plan(c);
        d.prepare(plan);
        Random r = new Random(1);
        for (Buffer b : plan.buffers()) {
            if (b.role() != Role.INPUT) continue;
            float[] v = new float[b.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
            d.write(b, v);
        }
        d.execute(plan);
        d.execute(plan);
        List<Double> ms = new ArrayList<>();
        long start = System.nanoTime();
        while (ms.size() < 3 || (ms.size() < 15 && System.nanoTime() - start < 1_500_000_000L)) {
            long t0 = System.nanoTime();
            d.execute(plan);
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        double[] out = ms.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(out);
        return out;
    }
}
