package io.github.hopmixer.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Parameter counts of the official models with a 10-class head (from the paper's code), and timm's Mixer. */
class ParameterCountTest {

    @ParameterizedTest
    @CsvSource({
            "vanillamixer_s16_224, 21191178",
            "paramixer_s16_224, 19585546",
            "asymmixer_s16_224_l03, 19585546",
            "symmixer_s16_224, 10795530",
            // n_iter repeats the block with the same weights: no new parameters.
            "paramixer_s16_224_ni3, 19585546",
            // timm mixer_s16_224 is 18,528,264 with 1000 classes; with 10: minus 990·513.
            "mixer_s16_224, 18020394",
    })
    void officialCounts(String name, long expected) {
        assertEquals(expected, Models.get(name).parameterCount());
    }

    @Test
    void timmMixerWithImageNetHeadMatchesTimm() {
        assertEquals(18_528_264L, Models.get("mixer_s16_224").withClasses(1000).parameterCount());
        assertEquals(59_880_472L, Models.get("mixer_b16_224").withClasses(1000).parameterCount());
    }

    @Test
    void stateDictNamesAndShapes() {
        List<ParamSpec> ps = Mixer.parameters(Models.get("paramixer_s16_224"));
        assertEquals("stem.proj.weight[512, 3, 16, 16]", ps.get(0).toString());
        assertEquals("stem.proj.bias[512]", ps.get(1).toString());
        assertEquals("blocks.0.norm.weight[196, 512]", ps.get(2).toString());
        assertEquals("blocks.0.norm.bias[196, 512]", ps.get(3).toString());
        assertEquals("blocks.0.mlp_tokens.fc1.weight[256, 196]", ps.get(4).toString());
        assertEquals("blocks.0.mlp_tokens.fc2.weight[196, 256]", ps.get(5).toString());
        assertEquals("blocks.0.mlp_channels.fc1.weight[2048, 512]", ps.get(6).toString());
        assertEquals("blocks.0.mlp_channels.fc2.weight[512, 2048]", ps.get(7).toString());
        assertEquals("head.bias[10]", ps.get(ps.size() - 1).toString());
        List<ParamSpec> sym = Mixer.parameters(Models.get("symmixer_nano"));
        assertTrue(sym.stream().anyMatch(p -> p.toString().equals("blocks.7.mlp_tokens.fc2.weight[64, 64]")));
        assertTrue(sym.stream().noneMatch(p -> p.name().contains("fc1")));
        // timm's decay rule: 2-D (S, C) LayerNorm weights decay, biases and 1-D tensors do not.
        assertTrue(ps.get(2).decay());
        assertFalse(ps.get(3).decay());
        assertFalse(ps.get(1).decay());
    }

    @Test
    void nanoSizes() {
        ModelConfig nano = Models.get("paramixer_nano");
        assertEquals(64, nano.tokens());
        assertEquals(64, nano.tokenHidden());
        assertEquals(512, nano.channelHidden());
        long para = nano.parameterCount(), sym = Models.get("symmixer_nano").parameterCount();
        assertTrue(para > 1_200_000 && para < 1_300_000, "paramixer_nano ≈1.25 M, got " + para);
        assertTrue(sym > 650_000 && sym < 750_000, "symmixer_nano ≈0.70 M, got " + sym);
        // 28-px grey Fashion-MNIST: 7×7 tokens.
        assertEquals(49, nano.withData(28, 1, 10).tokens());
    }

    @Test
    void badNamesAreClearErrors() {
        var e = assertThrows(IllegalArgumentException.class, () -> Models.get("paramixer_x99"));
        assertTrue(e.getMessage().contains("hopmixer models"));
        assertThrows(IllegalArgumentException.class, () -> Models.get("asymmixer_s16_224"));
        assertThrows(IllegalArgumentException.class, () -> Models.get("paramixer_s16_224_l03"));
        assertEquals(5e-4, Models.get("asymmixer_s16_224_l035").lambda());
        for (String n : Models.names()) assertNotNull(Models.get(n));
    }
}
