package io.github.hopmixer.science;

import io.github.hopmixer.model.Family.MlpKind;
import io.github.hopmixer.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The weight-symmetry measures of one block's MLP along one mixing axis ({@code tokens} or {@code channels}).
 * First layer W1 and effective second layer W2eff (the matrix that maps the hidden activations back), per family:
 * <pre>
 * untied  (vanillamixer, paramixer, mixer)  W1 = fc1.weight   W2eff = fc2.weight
 * tied    (symmixer)                        W1 = fc2.weight   W2eff = W1ᵀ       (one matrix: cos = 1 by construction)
 * broken  (asymmixer)                       W1 = fc1.weight   W2eff = W1ᵀ + fc2.weight
 * </pre>
 * {@code cos}, {@code share} and {@code symShare} are {@link Alignment}'s of (W1, W2eff); {@code w1Norm} and
 * {@code w2Norm} are ‖W1‖ and the stored second matrix's ‖fc2.weight‖ (asymmixer: the breaking term's size;
 * symmixer: ‖W1‖ again); {@code w2Cos} = cos(fc2.weight, W1ᵀ) of the stored matrices (asymmixer: the breaking
 * term's direction; the others: equal to {@code cos}). timm Mixer's biases are left out.
 */
public record BlockSymmetry(int block, String axis, String coupling, double cos, double share, double symShare,
                            double w1Norm, double w2Norm, double w2Cos) {

    public static final List<String> AXES = List.of("tokens", "channels");

    /** ‖fc2‖ / ‖fc1‖: for asymmixer the size of the symmetry-breaking term against the symmetric coupling. */
    public double w2OverW1() {
        return w2Norm / w1Norm;
    }

    /** Every block × both axes of a model's weights, by official {@code state_dict} name; {@code source} names them in errors. */
    public static List<BlockSymmetry> measure(ModelConfig m, Map<String, float[]> params, String source) {
        List<BlockSymmetry> out = new ArrayList<>();
        for (int b = 0; b < m.depth(); b++) {
            for (String axis : AXES) {
                boolean tokens = axis.equals("tokens");
                int in = tokens ? m.tokens() : m.dim(), hidden = tokens ? m.tokenHidden() : m.channelHidden();
                out.add(measure(m, params, source, b, axis, in, hidden));
            }
        }
        return out;
    }

    private static BlockSymmetry measure(ModelConfig m, Map<String, float[]> params, String source, int b, String axis,
                                         int in, int hidden) {
        String p = "blocks." + b + ".mlp_" + axis + ".";
        MlpKind kind = m.family().mlp;
        String coupling = kind.name().toLowerCase(Locale.ROOT);
        if (kind == MlpKind.TIED) {
            double[] w = Alignment.doubles(tensor(params, p + "fc2.weight", hidden * in, m, source));
            Alignment a = Alignment.of(w, Alignment.transpose(w, hidden, in), hidden, in);
            return new BlockSymmetry(b, axis, coupling, a.cos(), a.share(), a.symShare(), a.firstNorm(), a.secondNorm(), a.cos());
        }
        double[] w1 = Alignment.doubles(tensor(params, p + "fc1.weight", hidden * in, m, source));
        double[] w2 = Alignment.doubles(tensor(params, p + "fc2.weight", hidden * in, m, source));
        Alignment stored = Alignment.of(w1, w2, hidden, in);
        if (kind == MlpKind.UNTIED) {
            return new BlockSymmetry(b, axis, coupling, stored.cos(), stored.share(), stored.symShare(), stored.firstNorm(),
                    stored.secondNorm(), stored.cos());
        }
        double[] eff = Alignment.transpose(w1, hidden, in);
        for (int i = 0; i < eff.length; i++) eff[i] += w2[i];
        Alignment a = Alignment.of(w1, eff, hidden, in);
        return new BlockSymmetry(b, axis, coupling, a.cos(), a.share(), a.symShare(), stored.firstNorm(), stored.secondNorm(),
                stored.cos());
    }

    private static float[] tensor(Map<String, float[]> params, String name, int size, ModelConfig m, String source) {
        float[] v = params.get(name);
        if (v == null) {
            throw new IllegalArgumentException(source + " has no tensor " + name + ", which the symmetry measures of "
                    + m.name() + " (" + m.family().prefix + ") need: not a complete checkpoint of that model");
        }
        if (v.length != size) {
            throw new IllegalArgumentException(source + ": tensor " + name + " has " + v.length + " values, " + m.name()
                    + " needs " + size);
        }
        return v;
    }
}
