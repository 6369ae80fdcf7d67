package io.github.hopmixer.tornado;

import io.github.hopmixer.bench.StepBench;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.train.DropPath;
import io.github.hopmixer.train.StepPlans;
import org.junit.jupiter.api.Test;

import java.util.Map;

/**
 * A measurement, not a test (its name keeps it out of the test run): where a training step's device time goes, per
 * op and kernel. {@code mvn -Ptornado test -Dtest=StepProfileBench [-Dhopmixer.tornado.profile.model=paramixer_nano]}.
 */
class StepProfileBench {

    @Test
    void profileOneModel() {
        String model = System.getProperty("hopmixer.tornado.profile.model", "paramixer_nano");
        TornadoDeviceTest.requireTornado();
        int batch = Integer.getInteger("hopmixer.tornado.profile.batch", 128), runs = Integer.getInteger("hopmixer.tornado.profile.runs", 3);
        var m = Models.get(model).withData(32, 3, 10);
        StepPlans.Step st = StepPlans.training(m, batch);
        try (TornadoDevice d = (TornadoDevice) Devices.open(System.getProperty("hopmixer.tornado.test.device", "tornado"), 1)) {
            StepBench.Batch in = StepBench.prepare(d, st, m, batch);
            float[] images = in.images(), targets = in.targets();
            float[] losses = new float[batch];
            Map<String, Long> profile = null;
            long wall = 0;
            for (int i = -2; i < runs; i++) {
                if (i == 0) profile = d.startProfile();
                long t0 = System.nanoTime();
                d.write(st.images(), images);
                d.write(st.targets(), targets);
                DropPath.write(d, st.dropPathMasks(), 0.1, 1, i + 2);
                d.write(st.scalars(), Scalars.adamW(1e-4, 0.05, i + 3, 0));
                d.execute(st.plan());
                d.read(st.losses(), losses);
                if (i >= 0) wall += System.nanoTime() - t0;
            }
            long total = profile.values().stream().mapToLong(Long::longValue).sum();
            System.out.printf("%s batch %d on %s: %.1f ms/step wall (profiler on), %.1f ms/step in kernels; compile %.1f s%n", model, batch, d.name(),
                    wall / 1e6 / runs, total / 1e6 / runs, d.compileSeconds(st.plan()));
            profile.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> System.out.printf("  %-52s %8.2f ms/step %5.1f%%%n", e.getKey(), e.getValue() / 1e6 / runs, 100.0 * e.getValue() / total));
        }
    }
}
