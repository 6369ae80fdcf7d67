package io.github.hopmixer.model;

import io.github.hopmixer.model.Family.MlpKind;
import io.github.hopmixer.model.ParamSpec.Init;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.ops.GemmOps.Term;
import io.github.hopmixer.plan.Tape;

import java.util.ArrayList;
import java.util.List;

import static io.github.hopmixer.ops.BiasOps.addBias;
import static io.github.hopmixer.ops.GeluOps.gelu;
import static io.github.hopmixer.ops.GemmOps.matmul;
import static io.github.hopmixer.ops.LayerNormOps.layerNorm;
import static io.github.hopmixer.ops.PatchifyOps.patchify;
import static io.github.hopmixer.ops.ResidualOps.residual;
import static io.github.hopmixer.ops.TokenMeanOps.tokenMean;
import static io.github.hopmixer.ops.WeightSumOps.weightSum;

/**
 * The Mixer family's forward pass, written once as calls that append kernels to a {@link Tape}.
 * Parameter names and layouts are those of the official PyTorch {@code state_dict}.
 *
 * <pre>
 * tokens  x = PatchEmbed(image)                                (B, S, C)
 * parallel block (paramixer, symmixer, asymmixer):
 *         z = LN_(S,C)(x);   x ← x + DropPath(Tok(z)) + DropPath(Ch(z))
 * serial block (vanillamixer, timm mixer):
 *         x ← x + DropPath(Tok(LN1(x)));   x ← x + DropPath(Ch(LN2(x)))
 * MLPs    untied  W2·GELU(W1·z)    tied  Wᵀ·GELU(W·z)    broken  W1ᵀ·GELU(W1·z) + W2·GELU(W1·z)
 * head    logits = Linear(mean_s LN_C(x))
 * </pre>
 * Each block's update runs n_iter times with the same weights.
 */
public final class Mixer {

    /** What the forward pass leaves for the training step: logits and the buffers the host must know. */
    public record Forward(Buffer logits, List<Buffer> params, List<ParamSpec> specs, List<Buffer> dropPathMasks,
                          List<Buffer> penalised) {}

    private final Tape g;
    private final ModelConfig m;
    private final int batch, s, c;
    private final List<Buffer> params = new ArrayList<>();
    private final List<ParamSpec> specs = new ArrayList<>();
    private final List<Buffer> masks = new ArrayList<>();
    private final List<Buffer> penalised = new ArrayList<>();

    private Mixer(Tape g, ModelConfig m, int batch) {
        this.g = g;
        this.m = m;
        this.batch = batch;
        this.s = m.tokens();
        this.c = m.dim();
    }

    /** Appends the forward pass for {@code images} (B, Cin, H, W) to the tape. */
    public static Forward build(Tape g, ModelConfig m, Buffer images, int batch) {
        Mixer mixer = new Mixer(g, m, batch);
        Buffer logits = mixer.forward(images);
        return new Forward(logits, List.copyOf(mixer.params), List.copyOf(mixer.specs), List.copyOf(mixer.masks),
                List.copyOf(mixer.penalised));
    }

    /** The parameter table, in {@code state_dict} order. */
    public static List<ParamSpec> parameters(ModelConfig m) {
        Tape g = new Tape("count", false);
        return build(g, m, g.input("images", 1, m.inChans(), m.imageSize(), m.imageSize()), 1).specs();
    }

    private Buffer forward(Buffer images) {
        Buffer x = patchEmbed(images);
        for (int i = 0; i < m.depth(); i++) {
            String p = "blocks." + i;
            Block w = m.family().parallel ? Block.parallel(this, p) : Block.serial(this, p);
            for (int it = 0; it < m.nIter(); it++) {
                String a = p + (m.nIter() > 1 ? ".iter" + it : "");
                x = m.family().parallel ? parallelBlock(a, w, x) : serialBlock(a, w, x);
            }
        }
        Buffer z = layerNorm(g, "norm", x, param("norm.weight", Init.ONES, c), param("norm.bias", Init.ZEROS, c), batch * s, c);
        Buffer pooled = tokenMean(g, "pool", z, batch, s, c);
        Buffer headW = param("head.weight", Init.ZEROS, m.numClasses(), c);
        Buffer headB = param("head.bias", Init.ZEROS, m.numClasses());
        Buffer logits = matmul(g, "head", 1, batch, m.numClasses(), c, new int[] {batch, m.numClasses()},
                new Term(pooled, false, headW, true));
        return addBias(g, logits, headB, batch, m.numClasses(), 1);
    }

    /** Conv2d(kernel = stride = P) as patch rows times the flattened kernel. */
    private Buffer patchEmbed(Buffer images) {
        int p = m.patch(), row = m.inChans() * p * p;
        Buffer w = param("stem.proj.weight", Init.LECUN_NORMAL, c, m.inChans(), p, p);
        Buffer b = param("stem.proj.bias", Init.ZEROS, c);
        Buffer patches = patchify(g, "stem.patches", images, batch, m.inChans(), m.imageSize(), m.imageSize(), p);
        Buffer x = matmul(g, "stem", 1, batch * s, c, row, new int[] {batch, s, c}, new Term(patches, false, w, true));
        return addBias(g, x, b, batch * s, c, 1);
    }

    /** z = LN(x); x + DropPath(Tok(z)) + DropPath(Ch(z)). */
    private Buffer parallelBlock(String p, Block w, Buffer x) {
        Buffer z = norm(p + ".norm", x, w.norm1);
        Buffer tok = mlp(p + ".mlp_tokens", tokenAxis(), w.tokens, z);
        Buffer ch = mlp(p + ".mlp_channels", channelAxis(), w.channels, z);
        Buffer y = residual(g, p + ".res_tokens", x, tok, dropPath(p + ".drop_path_tokens"), batch);
        return residual(g, p + ".out", y, ch, dropPath(p + ".drop_path_channels"), batch);
    }

    /** x + DropPath(Tok(LN1(x))), then + DropPath(Ch(LN2(·))). */
    private Buffer serialBlock(String p, Block w, Buffer x) {
        Buffer tok = mlp(p + ".mlp_tokens", tokenAxis(), w.tokens, norm(p + ".norm1", x, w.norm1));
        Buffer y = residual(g, p + ".res_tokens", x, tok, dropPath(p + ".drop_path_tokens"), batch);
        Buffer ch = mlp(p + ".mlp_channels", channelAxis(), w.channels, norm(p + ".norm2", y, w.norm2));
        return residual(g, p + ".out", y, ch, dropPath(p + ".drop_path_channels"), batch);
    }

    private Buffer norm(String name, Buffer x, Buffer[] gammaBeta) {
        return m.family().jointNorm
                ? layerNorm(g, name, x, gammaBeta[0], gammaBeta[1], batch, s * c)
                : layerNorm(g, name, x, gammaBeta[0], gammaBeta[1], batch * s, c);
    }

    /** The block's MLP along one axis: untied W2·GELU(W1·z), tied Wᵀ·GELU(W·z), broken W1ᵀ·GELU(W1·z) + W2·GELU(W1·z). */
    private Buffer mlp(String p, Axis ax, MlpWeights w, Buffer z) {
        int in = ax.features, hid = w.hidden;
        return switch (m.family().mlp) {
            case UNTIED -> {
                Buffer h = ax.bias(ax.mix(p + ".fc1", in, hid, ax.w(w.w1, z)), w.b1);
                yield ax.bias(ax.mix(p + ".fc2", hid, in, ax.w(w.w2, gelu(g, p + ".act", h))), w.b2);
            }
            case TIED -> {
                Buffer a = gelu(g, p + ".act", ax.mix(p + ".fc", in, hid, ax.w(w.w1, z)));
                yield ax.mix(p + ".fcT", hid, in, ax.wT(w.w1, a));
            }
            case BROKEN -> {
                // W1ᵀ·a + W2·a = (W2 + W1ᵀ)·a: one product with the summed weight, a third of the MLP's products fewer
                Buffer a = gelu(g, p + ".act", ax.mix(p + ".fc1", in, hid, ax.w(w.w1, z)));
                yield ax.mix(p + ".out", hid, in, ax.w(w.w2PlusW1t, a));
            }
        };
    }

    private Buffer dropPath(String name) {
        Buffer mask = g.input(name, batch);
        masks.add(mask);
        return mask;
    }

    Buffer param(String name, Init init, int... shape) {
        Buffer b = g.param(name, shape);
        params.add(b);
        specs.add(new ParamSpec(name, shape, init));
        return b;
    }

    // ---- weights of one block ----

    /** For asymmixer also W2 + W1ᵀ, formed once per block (every n_iter iteration reuses it). */
    private record MlpWeights(Buffer w1, Buffer b1, Buffer w2, Buffer b2, int hidden, Buffer w2PlusW1t) {}

    private record Block(Buffer[] norm1, Buffer[] norm2, MlpWeights tokens, MlpWeights channels) {
        static Block parallel(Mixer mx, String p) {
            return new Block(mx.normWeights(p + ".norm"), null, mx.mlpWeights(p + ".mlp_tokens", mx.s, mx.m.tokenHidden()),
                    mx.mlpWeights(p + ".mlp_channels", mx.c, mx.m.channelHidden()));
        }

        static Block serial(Mixer mx, String p) {
            Buffer[] n1 = mx.normWeights(p + ".norm1");
            MlpWeights tok = mx.mlpWeights(p + ".mlp_tokens", mx.s, mx.m.tokenHidden());
            Buffer[] n2 = mx.normWeights(p + ".norm2");
            return new Block(n1, n2, tok, mx.mlpWeights(p + ".mlp_channels", mx.c, mx.m.channelHidden()));
        }
    }

    private Buffer[] normWeights(String p) {
        int[] shape = m.family().jointNorm ? new int[] {s, c} : new int[] {c};
        return new Buffer[] {param(p + ".weight", Init.ONES, shape), param(p + ".bias", Init.ZEROS, shape)};
    }

    /** nn.Linear layouts (out, in). The tied MLP keeps its one matrix as {@code fc2.weight} (hidden, in), as the official sMlp. */
    private MlpWeights mlpWeights(String p, int in, int hidden) {
        boolean bias = m.family().bias();
        if (m.family().mlp == MlpKind.TIED) {
            return new MlpWeights(param(p + ".fc2.weight", Init.XAVIER_UNIFORM, hidden, in), null, null, null, hidden, null);
        }
        Buffer w1 = param(p + ".fc1.weight", Init.XAVIER_UNIFORM, hidden, in);
        Buffer b1 = bias ? param(p + ".fc1.bias", Init.NORMAL_1E_6, hidden) : null;
        Buffer w2 = param(p + ".fc2.weight", Init.XAVIER_UNIFORM, in, hidden);
        Buffer b2 = bias ? param(p + ".fc2.bias", Init.NORMAL_1E_6, in) : null;
        if (m.family().mlp != MlpKind.BROKEN) return new MlpWeights(w1, b1, w2, b2, hidden, null);
        penalised.add(w2);
        return new MlpWeights(w1, b1, w2, b2, hidden, weightSum(g, p + ".w2_plus_w1t", w2, w1));
    }

    // ---- the two mixing axes ----

    private Axis tokenAxis() { return new Axis(true, s); }

    private Axis channelAxis() { return new Axis(false, c); }

    /**
     * Token mixing acts along S, the same matrix for every channel and image: per image W·z with z as (S, C).
     * Channel mixing acts along C for every token: z as (B·S, C) times Wᵀ, as nn.Linear.
     */
    private final class Axis {
        final boolean tokens;
        final int features;

        Axis(boolean tokens, int features) {
            this.tokens = tokens;
            this.features = features;
        }

        /** W·x for W stored (out, in). */
        Term w(Buffer w, Buffer x) {
            return tokens ? new Term(w, false, x, false) : new Term(x, false, w, true);
        }

        /** Wᵀ·x for W stored (hidden, in): maps hidden back to in. */
        Term wT(Buffer w, Buffer x) {
            return tokens ? new Term(w, true, x, false) : new Term(x, false, w, false);
        }

        Buffer mix(String name, int in, int out, Term... terms) {
            return tokens
                    ? matmul(g, name, batch, out, c, in, new int[] {batch, out, c}, terms)
                    : matmul(g, name, 1, batch * s, out, in, new int[] {batch, s, out}, terms);
        }

        Buffer bias(Buffer y, Buffer b) {
            if (b == null) return y;
            int out = b.size();
            return tokens ? addBias(g, y, b, batch, out, c) : addBias(g, y, b, batch * s, out, 1);
        }
    }
}
