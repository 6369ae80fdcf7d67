package io.github.hopmixer.science;

import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.Mixer;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.ParamSpec;
import io.github.hopmixer.testing.Tiny;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Per-family measures on a tiny model's parameter table (official names), against the reference. */
class BlockSymmetryTest {

    static Map<String, float[]> randomParams(ModelConfig m, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> p = new LinkedHashMap<>();
        for (ParamSpec s : Mixer.parameters(m)) p.put(s.name(), Tiny.randn(r, (int) s.size(), 0.4));
        return p;
    }

    static double[][] mat(float[] v, int rows, int cols) {
        return SymmetryReference.matrix(Alignment.doubles(v), rows, cols);
    }

    @Test
    void untiedModelsCompareFc2WithFc1Transposed() {
        for (Family f : List.of(Family.VANILLAMIXER, Family.PARAMIXER, Family.MIXER)) {
            ModelConfig m = Tiny.model(f, 1, 0);
            Map<String, float[]> p = randomParams(m, 11);
            List<BlockSymmetry> rows = BlockSymmetry.measure(m, p, "test");
            assertEquals(m.depth() * 2, rows.size());
            for (BlockSymmetry b : rows) {
                int in = b.axis().equals("tokens") ? m.tokens() : m.dim();
                int hidden = b.axis().equals("tokens") ? m.tokenHidden() : m.channelHidden();
                String pre = "blocks." + b.block() + ".mlp_" + b.axis() + ".";
                double[][] w1 = mat(p.get(pre + "fc1.weight"), hidden, in), w2 = mat(p.get(pre + "fc2.weight"), in, hidden);
                assertEquals("untied", b.coupling());
                assertEquals(SymmetryReference.cos(w1, w2), b.cos(), 1e-12, f + " " + pre);
                assertEquals(SymmetryReference.share(w1, w2), b.share(), 1e-12);
                assertEquals(SymmetryReference.symShare(w1, w2), b.symShare(), 1e-12);
                assertEquals(SymmetryReference.norm(w2) / SymmetryReference.norm(w1), b.w2OverW1(), 1e-12);
                assertEquals(b.cos(), b.w2Cos(), 0.0);
            }
            assertEquals(List.of(0, 0, 1, 1), rows.stream().map(BlockSymmetry::block).toList());
            assertEquals(List.of("tokens", "channels", "tokens", "channels"), rows.stream().map(BlockSymmetry::axis).toList());
        }
    }

    @Test
    void symmixerIsExactlySymmetric() {
        ModelConfig m = Tiny.model(Family.SYMMIXER, 2, 0);
        for (BlockSymmetry b : BlockSymmetry.measure(m, randomParams(m, 12), "test")) {
            assertEquals("tied", b.coupling());
            assertEquals(1.0, b.cos(), 0.0, "one matrix used both ways: cos is 1 exactly");
            assertEquals(1.0, b.share(), 0.0);
            assertEquals(1.0, b.symShare(), 0.0);
            assertEquals(1.0, b.w2OverW1(), 0.0);
        }
    }

    @Test
    void asymmixerComparesTheEffectiveSecondLayerAndSizesTheBreakingTerm() {
        ModelConfig m = Tiny.model(Family.ASYMMIXER, 1, 1e-3);
        Map<String, float[]> p = randomParams(m, 13);
        for (BlockSymmetry b : BlockSymmetry.measure(m, p, "test")) {
            int in = b.axis().equals("tokens") ? m.tokens() : m.dim();
            int hidden = b.axis().equals("tokens") ? m.tokenHidden() : m.channelHidden();
            String pre = "blocks." + b.block() + ".mlp_" + b.axis() + ".";
            double[][] w1 = mat(p.get(pre + "fc1.weight"), hidden, in), w2 = mat(p.get(pre + "fc2.weight"), in, hidden);
            double[][] eff = SymmetryReference.transpose(w1);
            for (int i = 0; i < in; i++) for (int h = 0; h < hidden; h++) eff[i][h] += w2[i][h];
            assertEquals("broken", b.coupling());
            assertEquals(SymmetryReference.cos(w1, eff), b.cos(), 1e-12);
            assertEquals(SymmetryReference.share(w1, eff), b.share(), 1e-12);
            assertEquals(SymmetryReference.symShare(w1, eff), b.symShare(), 1e-12);
            assertEquals(SymmetryReference.norm(w2) / SymmetryReference.norm(w1), b.w2OverW1(), 1e-12);
            assertEquals(SymmetryReference.cos(w1, w2), b.w2Cos(), 1e-12);
        }
        // Without the breaking term (λ → ∞) asymmixer is symmixer: cos exactly 1, breaking size 0.
        for (var e : p.entrySet()) if (e.getKey().endsWith("fc2.weight")) java.util.Arrays.fill(e.getValue(), 0f);
        for (BlockSymmetry b : BlockSymmetry.measure(m, p, "test")) {
            assertEquals(1.0, b.cos(), 0.0);
            assertEquals(0.0, b.w2OverW1(), 0.0);
        }
    }

    @Test
    void missingOrMisshapenTensorsAreNamed() {
        ModelConfig m = Tiny.model(Family.PARAMIXER, 1, 0);
        Map<String, float[]> p = randomParams(m, 14);
        p.remove("blocks.1.mlp_channels.fc1.weight");
        var e = assertThrows(IllegalArgumentException.class, () -> BlockSymmetry.measure(m, p, "ck/model.safetensors"));
        assertTrue(e.getMessage().startsWith("ck/model.safetensors has no tensor blocks.1.mlp_channels.fc1.weight"), e.getMessage());
        p.put("blocks.1.mlp_channels.fc1.weight", new float[5]);
        e = assertThrows(IllegalArgumentException.class, () -> BlockSymmetry.measure(m, p, "ck"));
        assertTrue(e.getMessage().contains("has 5 values"), e.getMessage());
        // a symmixer checkpoint read as paramixer lacks fc1 entirely
        ModelConfig s = Tiny.model(Family.SYMMIXER, 1, 0);
        assertThrows(IllegalArgumentException.class, () -> BlockSymmetry.measure(m, randomParams(s, 15), "ck"));
    }
}
