package io.github.hopmixer.bench;

import io.github.hopmixer.device.JvmDevice;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.plan.Memory;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.train.DropPath;
import io.github.hopmixer.train.StepPlans;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What liveness and recomputation cost in time: the plain, share and lean plans of one model on JVM devices in one
 * process, their steps interleaved (so that a shared machine's load falls on all three alike), with the JVM
 * device's per-op profile. The recomputations show as the extra GELU and LayerNorm time of the lean plan.
 */
public final class MemoryCost {
    private MemoryCost() {}

    /** One plan mode: activation bytes per image, median ms per step, and kernel ms per step (all ops, GELU, LayerNorm). */
    public record Row(Memory memory, double activationMbPerImage, double msPerStep, double kernelMs, double geluMs, double layerNormMs) {}

    public static List<Row> measure(ModelConfig m, int batch, int threads, int warmup, int runs) {
        List<Memory> modes = List.of(Memory.PLAIN, Memory.SHARE, Memory.LEAN);
        List<JvmDevice> devices = new ArrayList<>();
        List<StepPlans.Step> steps = new ArrayList<>();
        List<Map<String, Long>> profiles = new ArrayList<>();
        double[][] ms = new double[modes.size()][runs];
        try {
            for (Memory mem : modes) {
                JvmDevice d = new JvmDevice(threads);
                devices.add(d);
                StepPlans.Step st = StepPlans.training(m, batch, true, mem);
                StepBench.Batch in = StepBench.prepare(d, st, m, batch);
                d.write(st.images(), in.images());
                d.write(st.targets(), in.targets());
                DropPath.write(d, st.dropPathMasks(), 0.1, 1, 0);
                d.write(st.scalars(), Scalars.adamW(1e-4, 0.05, 1, 0));
                steps.add(st);
            }
            for (int i = -warmup; i < runs; i++) {
                for (int k = 0; k < modes.size(); k++) {
                    if (i == 0 && profiles.size() == k) profiles.add(devices.get(k).startProfile());
                    long t0 = System.nanoTime();
                    devices.get(k).execute(steps.get(k).plan());
                    if (i >= 0) ms[k][i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        } finally {
            for (JvmDevice d : devices) d.close();
        }
        List<Row> out = new ArrayList<>();
        for (int k = 0; k < modes.size(); k++) {
            Map<String, Long> p = profiles.get(k);
            long total = p.values().stream().mapToLong(Long::longValue).sum();
            double act = steps.get(k).plan().storedBytes(Role.ACTIVATION) / 1048576.0 / batch;
            out.add(new Row(modes.get(k), act, StepBench.median(ms[k]), total / 1e6 / runs, p.getOrDefault("GELU", 0L) / 1e6 / runs,
                    p.getOrDefault("LAYERNORM", 0L) / 1e6 / runs));
        }
        return out;
    }
}
