package io.github.hopmixer.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model names as in the official {@code models/mixers.py}: {@code <family>_<size>_224[_ni2|3|4]},
 * {@code asymmixer_s16_224_l<XX>}, timm's {@code mixer_<size>_224}, and the CPU-scale {@code nano} size
 * (32-px input, patch 4, C 128, 8 blocks) for every family: {@code paramixer_nano}, {@code asymmixer_nano_l03};
 * and a {@code pico} size (patch 4, C 16, 2 blocks) for tests that train many steps: {@code paramixer_pico}.
 * The classifier defaults to 10 classes; data sets override image size, channels and classes.
 */
public final class Models {
    private record Size(int image, int patch, int dim, int depth) {}

    private static final Map<String, Size> SIZES = Map.of(
            "s32", new Size(224, 32, 512, 8), "s16", new Size(224, 16, 512, 8),
            "b32", new Size(224, 32, 768, 12), "b16", new Size(224, 16, 768, 12),
            "l32", new Size(224, 32, 1024, 24), "l16", new Size(224, 16, 1024, 24),
            "nano", new Size(32, 4, 128, 8), "pico", new Size(32, 4, 16, 2));

    /** The official λ suffixes: l10 = 1.0, l01 = 0.1, l02 = 1e-2, … l035 = 5e-4 …, l00 = 0. */
    private static final Map<String, Double> LAMBDAS = Map.of(
            "l10", 1.0, "l01", 0.1, "l02", 1e-2, "l03", 1e-3, "l035", 5e-4,
            "l04", 1e-4, "l05", 1e-5, "l06", 1e-6, "l00", 0.0);

    private static final Pattern NAME = Pattern.compile(
            "(vanillamixer|paramixer|symmixer|asymmixer|mixer)_(s32|s16|b32|b16|l32|l16)_224(_ni[234])?(_l\\d+)?"
                    + "|(vanillamixer|paramixer|symmixer|asymmixer|mixer)_(nano|pico)(_ni[234])?(_l\\d+)?");

    private Models() {}

    public static ModelConfig get(String name) {
        Matcher mt = NAME.matcher(name);
        if (!mt.matches()) {
            throw new IllegalArgumentException("unknown model '" + name + "'; run 'hopmixer models' for the list "
                    + "(e.g. paramixer_nano, symmixer_s16_224, asymmixer_s16_224_l03, mixer_b16_224)");
        }
        int o = mt.group(1) != null ? 0 : 4;
        Family family = family(mt.group(1 + o));
        Size size = SIZES.get(mt.group(2 + o));
        String ni = mt.group(3 + o), l = mt.group(4 + o);
        int nIter = ni == null ? 1 : ni.charAt(3) - '0';
        if (family == Family.MIXER && nIter > 1) throw new IllegalArgumentException(name + ": timm's mixer has no n_iter variants");
        double lambda = 0;
        if (family == Family.ASYMMIXER) {
            if (l == null) throw new IllegalArgumentException(name + ": asymmixer needs a λ suffix, one of " + LAMBDAS.keySet());
            Double v = LAMBDAS.get(l.substring(1));
            if (v == null) throw new IllegalArgumentException(name + ": unknown λ suffix " + l + ", expected one of " + LAMBDAS.keySet());
            lambda = v;
        } else if (l != null) {
            throw new IllegalArgumentException(name + ": only asymmixer takes a λ suffix");
        }
        return new ModelConfig(name, family, size.image, 3, size.patch, size.dim, size.depth,
                size.dim / 2, size.dim * 4, 10, nIter, lambda);
    }

    /** The official suffix naming λ ({@code l02} for 1e-2), if the registry has one. */
    public static java.util.Optional<String> lambdaSuffix(double lambda) {
        return LAMBDAS.entrySet().stream().filter(e -> e.getValue() == lambda).map(Map.Entry::getKey).findFirst();
    }

    private static Family family(String prefix) {
        for (Family f : Family.values()) if (f.prefix.equals(prefix)) return f;
        throw new AssertionError(prefix);
    }

    /** The listed names: the official registry, timm's baselines, and the nano size of every family. */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (String f : List.of("vanillamixer", "paramixer", "symmixer")) {
            for (String sz : List.of("s32", "s16", "b32", "b16", "l32", "l16")) out.add(f + "_" + sz + "_224");
            for (String ni : List.of("_ni2", "_ni3", "_ni4")) out.add(f + "_s16_224" + ni);
        }
        for (String l : List.of("l10", "l01", "l02", "l03", "l035", "l04", "l05", "l06", "l00")) out.add("asymmixer_s16_224_" + l);
        for (String sz : List.of("s32", "s16", "b32", "b16", "l32", "l16")) out.add("mixer_" + sz + "_224");
        for (String f : List.of("vanillamixer", "paramixer", "symmixer", "mixer")) out.add(f + "_nano");
        for (String f : List.of("vanillamixer", "paramixer", "symmixer")) out.add(f + "_nano_ni2");
        for (String l : List.of("l00", "l03", "l01")) out.add("asymmixer_nano_" + l);
        for (String f : List.of("vanillamixer", "paramixer", "symmixer", "mixer")) out.add(f + "_pico");
        out.add("asymmixer_pico_l01");
        return out;
    }
}
