package io.github.hopmixer.testing;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.train.StepPlans.Step;

import java.util.Random;

/** Tiny models and random step inputs shared by the gradient and conformance tests. */
public final class Tiny {
    private Tiny() {}

    /** 8×8 images with 2 channels, patch 4 (S = 4), C = 6, token hidden 3, channel hidden 12, 2 blocks, 4 classes. */
    public static ModelConfig model(Family f, int nIter, double lambda) {
        String name = f.prefix + "_tiny" + (nIter > 1 ? "_ni" + nIter : "");
        return new ModelConfig(name, f, 8, 2, 4, 6, 2, 3, 12, 4, nIter, lambda);
    }

    public static float[] randn(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    /** Random weights (LayerNorm γ near 1), images, soft targets, DropPath masks with some zeros, λ, AdamW settings. */
    public static void fill(Device d, Step st, long seed) {
        Random r = new Random(seed);
        for (Buffer p : st.params()) {
            float[] v = randn(r, p.size(), 0.4);
            if (p.name().contains("norm") && p.name().endsWith("weight")) for (int i = 0; i < v.length; i++) v[i] += 1;
            d.write(p, v);
        }
        d.write(st.images(), randn(r, st.images().size(), 1.0));
        int k = st.model().numClasses();
        float[] t = new float[st.batch() * k];
        for (int b = 0; b < st.batch(); b++) {
            float sum = 0;
            for (int j = 0; j < k; j++) sum += t[b * k + j] = r.nextFloat() + 0.05f;
            for (int j = 0; j < k; j++) t[b * k + j] /= sum;
        }
        d.write(st.targets(), t);
        for (Buffer m : st.dropPathMasks()) {
            float[] v = new float[m.size()];
            for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() < 0.25 ? 0f : 1f / 0.75f;
            if (st.plan().name().contains("/eval/")) java.util.Arrays.fill(v, 1f);
            d.write(m, v);
        }
        if (st.scalars() != null) {
            // A large lr so that three AdamW steps move the weights visibly.
            d.write(st.scalars(), Scalars.adamW(1e-2, 0.05, 1, st.model().lambda()));
        }
    }
}
