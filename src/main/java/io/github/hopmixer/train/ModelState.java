package io.github.hopmixer.train;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.model.ParamSpec;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.train.StepPlans.Step;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Moves weights and AdamW moments between a device and the host, by their official names. */
public final class ModelState {
    private ModelState() {}

    /** Fresh weights by the official initialisers, from {@code seed} alone. */
    public static void initialise(Device d, Step st, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < st.params().size(); i++) {
            ParamSpec spec = st.specs().get(i);
            d.write(st.params().get(i), ParamInit.init(spec, rnd.split()));
        }
    }

    public static Map<String, float[]> readParams(Device d, Step st) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Buffer p : st.params()) {
            float[] v = new float[p.size()];
            d.read(p, v);
            out.put(p.name(), v);
        }
        return out;
    }

    public static Map<String, float[]> readMoments(Device d, Plan plan) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Buffer b : plan.buffers()) {
            if (b.name().startsWith("adam.")) {
                float[] v = new float[b.size()];
                d.read(b, v);
                out.put(b.name(), v);
            }
        }
        return out;
    }

    /** Writes weights (and moments, if given) onto the device; every parameter must be present with its size. */
    public static void write(Device d, Step st, Map<String, float[]> params, Map<String, float[]> moments, String source) {
        for (Buffer p : st.params()) {
            float[] v = params.get(p.name());
            if (v == null) throw new IllegalArgumentException(source + " has no tensor " + p.name() + " for model " + st.model().name());
            if (v.length != p.size()) {
                throw new IllegalArgumentException(source + ": tensor " + p.name() + " has " + v.length + " values, model needs " + p);
            }
            d.write(p, v);
        }
        if (params.size() != st.params().size()) {
            List<String> extra = params.keySet().stream().filter(k -> st.params().stream().noneMatch(p -> p.name().equals(k))).toList();
            throw new IllegalArgumentException(source + " has tensors this model lacks: " + extra);
        }
        if (moments == null) return;
        for (Buffer b : st.plan().buffers()) {
            if (!b.name().startsWith("adam.")) continue;
            float[] v = moments.get(b.name());
            if (v == null || v.length != b.size()) throw new IllegalArgumentException(source + ": optimizer state " + b.name() + " missing or of the wrong size");
            d.write(b, v);
        }
    }
}
