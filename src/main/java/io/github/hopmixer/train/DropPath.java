package io.github.hopmixer.train;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.plan.Buffer;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * timm's DropPath masks: per sample and per residual branch, 0 with probability p, else 1/(1 − p). Drawn from
 * (seed, step) alone, so a resumed run draws the masks an uninterrupted one did. The official code uses one
 * rate for every block.
 */
public final class DropPath {
    private DropPath() {}

    public static void write(Device d, List<Buffer> masks, double rate, long seed, long step) {
        float[][] v = masks(masks, rate, seed, step);
        for (int i = 0; i < v.length; i++) d.write(masks.get(i), v[i]);
    }

    /** The masks of step {@code step}, one array per mask buffer, in the buffers' order. */
    public static float[][] masks(List<Buffer> masks, double rate, long seed, long step) {
        if (rate < 0 || rate >= 1) throw new IllegalArgumentException("drop-path rate must be in [0, 1), got " + rate);
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        float keep = (float) (1 / (1 - rate));
        float[][] out = new float[masks.size()][];
        for (int k = 0; k < out.length; k++) {
            float[] v = out[k] = new float[masks.get(k).size()];
            for (int i = 0; i < v.length; i++) v[i] = rate > 0 && r.nextDouble() < rate ? 0f : keep;
        }
        return out;
    }

    /** DropPath off (evaluation): every mask 1. */
    public static void off(Device d, List<Buffer> masks) {
        for (Buffer m : masks) {
            float[] v = new float[m.size()];
            Arrays.fill(v, 1f);
            d.write(m, v);
        }
    }
}
