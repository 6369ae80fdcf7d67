package io.github.hopmixer.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link Plan} from forward calls. Each op appends its forward invocation and, when training, records
 * how to append its backward invocations; {@link #backward()} replays those in reverse (reverse-mode autodiff at
 * plan-build time, so the step itself is a flat list of kernels). A gradient buffer's first contribution
 * overwrites it and later ones add, so no step needs zeroing kernels.
 */
public final class Graph {
    private final String scope;
    private final boolean training;
    private final List<Buffer> buffers = new ArrayList<>();
    private final Map<String, Buffer> byName = new HashMap<>();
    private final List<Invocation> steps = new ArrayList<>();
    private final List<Runnable> backward = new ArrayList<>();
    private final Map<Buffer, Buffer> grads = new HashMap<>();
    private final Set<Buffer> gradWritten = new HashSet<>();
    private final Set<Buffer> requiresGrad = new HashSet<>();
    private final List<Buffer> params = new ArrayList<>();

    /** @param scope prefix of per-plan buffer names, e.g. {@code train} or {@code eval} */
    public Graph(String scope, boolean training) {
        this.scope = scope;
        this.training = training;
    }

    public boolean training() { return training; }

    // ---- buffers ----

    private Buffer declare(String name, Role role, int... shape) {
        if (byName.containsKey(name)) throw new IllegalArgumentException("buffer " + name + " declared twice");
        Buffer b = new Buffer(buffers.size(), name, role, shape);
        buffers.add(b);
        byName.put(name, b);
        return b;
    }

    /** A model weight, under its official {@code state_dict} name. */
    public Buffer param(String name, int... shape) {
        Buffer b = declare(name, Role.PARAM, shape);
        params.add(b);
        if (training) requiresGrad.add(b);
        return b;
    }

    public List<Buffer> params() { return List.copyOf(params); }

    /** Written by the host before each step (images, targets, DropPath masks). */
    public Buffer input(String name, int... shape) {
        return declare(scope + "/" + name, Role.INPUT, shape);
    }

    /** Read by the host after each step. */
    public Buffer output(String name, int... shape) {
        return declare(scope + "/" + name, Role.OUTPUT, shape);
    }

    public Buffer scalars() {
        Buffer b = byName.get("scalars");
        return b != null ? b : declare("scalars", Role.SCALARS, Scalars.SIZE);
    }

    public Buffer state(String name, int... shape) {
        return declare(name, Role.OPT_STATE, shape);
    }

    private Buffer activation(String name, int... shape) {
        return declare(scope + "/" + name, Role.ACTIVATION, shape);
    }

    public Buffer grad(Buffer t) {
        return grads.computeIfAbsent(t, b -> b.role() == Role.PARAM
                ? declare("grad/" + b.name(), Role.GRAD, b.shape())
                : declare(b.name() + ".grad", Role.ACTIVATION, b.shape()));
    }

    /** 0 for a gradient's first contribution (overwrite), 1 afterwards (accumulate). */
    private int acc(Buffer t) {
        return gradWritten.add(grad(t)) ? 0 : 1;
    }

    private boolean hasGrad(Buffer t) {
        return grads.containsKey(t) && gradWritten.contains(grads.get(t));
    }

    private boolean needs(Buffer t) {
        return training && requiresGrad.contains(t);
    }

    private Buffer result(String name, boolean grad, int... shape) {
        Buffer b = activation(name, shape);
        if (training && grad) requiresGrad.add(b);
        return b;
    }

    public void call(Op op, Buffer[] bufs, int... ints) {
        steps.add(new Invocation(op, bufs, ints));
    }

    private void onBackward(Runnable r) {
        if (training) backward.add(r);
    }

    // ---- ops ----

    /** One term op(a)·op(b) of a matrix product; weights (parameters) are shared by every image of the batch. */
    public record Term(Buffer a, boolean transA, Buffer b, boolean transB) {}

    /**
     * out[bt] = Σ terms op(a[bt])·op(b[bt]) for bt in batch, each M×K times K×N. A parameter operand has batch
     * stride 0 (the same weight for every image); its gradient sums over the batch.
     */
    public Buffer matmul(String name, int batch, int m, int n, int k, int[] outShape, Term... terms) {
        boolean grad = false;
        for (Term t : terms) grad |= needs(t.a) || needs(t.b);
        Buffer out = result(name, grad, outShape);
        int strideC = batch > 1 ? m * n : 0;
        for (int i = 0; i < terms.length; i++) {
            Term t = terms[i];
            call(Op.GEMM, new Buffer[] {out, t.a, t.b}, batch, m, n, k, bit(t.transA), bit(t.transB),
                    stride(t.a, m * k, batch), stride(t.b, k * n, batch), strideC, i == 0 ? 0 : 1);
        }
        onBackward(() -> {
            if (!hasGrad(out)) return;
            Buffer dc = grad(out);
            for (Term t : terms) {
                int sa = stride(t.a, m * k, batch), sb = stride(t.b, k * n, batch);
                if (needs(t.a)) {
                    Buffer da = grad(t.a);
                    if (!t.transA) {
                        call(Op.GEMM, new Buffer[] {da, dc, t.b}, batch, m, k, n, 0, bit(!t.transB), strideC, sb, sa, acc(t.a));
                    } else {
                        call(Op.GEMM, new Buffer[] {da, t.b, dc}, batch, k, m, n, bit(t.transB), 1, sb, strideC, sa, acc(t.a));
                    }
                }
                if (needs(t.b)) {
                    Buffer db = grad(t.b);
                    if (!t.transB) {
                        call(Op.GEMM, new Buffer[] {db, t.a, dc}, batch, k, n, m, bit(!t.transA), 0, sa, strideC, sb, acc(t.b));
                    } else {
                        call(Op.GEMM, new Buffer[] {db, dc, t.a}, batch, n, k, m, 1, bit(t.transA), strideC, sa, sb, acc(t.b));
                    }
                }
            }
        });
        return out;
    }

    private static int stride(Buffer operand, int perBatch, int batch) {
        return operand.role() == Role.PARAM || batch == 1 ? 0 : perBatch;
    }

    private static int bit(boolean b) { return b ? 1 : 0; }

    /** y[o, j, r] += bias[j] in place, for y (a fresh matmul output) viewed as (outer, n, inner). */
    public Buffer addBias(Buffer y, Buffer bias, int outer, int n, int inner) {
        if (needs(bias)) requiresGrad.add(y);
        call(Op.ADD_BIAS, new Buffer[] {y, bias}, outer, n, inner);
        onBackward(() -> {
            // Runs before the matmul's backward: y's gradient is complete here, and matmul needs only its inputs.
            if (hasGrad(y) && needs(bias)) call(Op.BIAS_GRAD, new Buffer[] {grad(bias), grad(y)}, outer, n, inner, acc(bias));
        });
        return y;
    }

    public Buffer layerNorm(String name, Buffer x, Buffer gamma, Buffer beta, int rows, int dim) {
        Buffer y = result(name, needs(x) || needs(gamma) || needs(beta), x.shape());
        Buffer mean = activation(name + ".mean", rows), rstd = activation(name + ".rstd", rows);
        call(Op.LAYERNORM, new Buffer[] {y, mean, rstd, x, gamma, beta}, rows, dim);
        onBackward(() -> {
            if (!hasGrad(y)) return;
            if (needs(x)) call(Op.LAYERNORM_BACKWARD_INPUT, new Buffer[] {grad(x), grad(y), x, mean, rstd, gamma}, rows, dim, acc(x));
            if (needs(gamma) || needs(beta)) {
                int a = acc(gamma);
                if (acc(beta) != a) throw new IllegalStateException("γ and β of " + name + " accumulate differently");
                call(Op.LAYERNORM_BACKWARD_PARAMS, new Buffer[] {grad(gamma), grad(beta), grad(y), x, mean, rstd}, rows, dim, a);
            }
        });
        return y;
    }

    public Buffer gelu(String name, Buffer x) {
        Buffer y = result(name, needs(x), x.shape());
        call(Op.GELU, new Buffer[] {y, x}, x.size());
        onBackward(() -> {
            if (hasGrad(y) && needs(x)) call(Op.GELU_BACKWARD, new Buffer[] {grad(x), grad(y), x}, x.size(), acc(x));
        });
        return y;
    }

    /** x + mask[b]·u: a residual branch behind DropPath (mask 1 when DropPath is off). */
    public Buffer residual(String name, Buffer x, Buffer u, Buffer mask, int batch) {
        Buffer y = result(name, needs(x) || needs(u), x.shape());
        int rowLen = x.size() / batch;
        call(Op.RESIDUAL, new Buffer[] {y, x, u, mask}, batch, rowLen);
        onBackward(() -> {
            if (!hasGrad(y)) return;
            if (needs(x)) call(Op.ADD, new Buffer[] {grad(x), grad(y)}, x.size(), acc(x));
            if (needs(u)) call(Op.MASKED_ADD, new Buffer[] {grad(u), grad(y), mask}, batch, rowLen, acc(u));
        });
        return y;
    }

    public Buffer tokenMean(String name, Buffer x, int batch, int s, int c) {
        Buffer y = result(name, needs(x), batch, c);
        call(Op.TOKEN_MEAN, new Buffer[] {y, x}, batch, s, c);
        onBackward(() -> {
            if (hasGrad(y) && needs(x)) call(Op.TOKEN_MEAN_BACKWARD, new Buffer[] {grad(x), grad(y)}, batch, s, c, acc(x));
        });
        return y;
    }

    /** Patch rows of an input image batch; inputs carry no gradient. */
    public Buffer patchify(String name, Buffer image, int batch, int cin, int h, int w, int p) {
        int s = (h / p) * (w / p);
        Buffer y = result(name, false, batch, s, cin * p * p);
        call(Op.PATCHIFY, new Buffer[] {y, image}, batch, cin, h, w, p);
        return y;
    }

    /** Per-sample soft-target cross-entropy; seeds the backward pass with dlogits = (softmax − t)/B. */
    public Buffer crossEntropy(String name, Buffer logits, Buffer targets, int batch, int classes) {
        Buffer losses = output(name, batch);
        Buffer dlogits = training ? grad(logits) : activation(name + ".dlogits", batch, classes);
        call(Op.CROSS_ENTROPY, new Buffer[] {losses, dlogits, logits, targets}, batch, classes);
        if (training) gradWritten.add(dlogits);
        return losses;
    }

    /** Appends every recorded backward step, last op first. */
    public void backward() {
        if (!training) throw new IllegalStateException("backward() on an evaluation graph");
        for (int i = backward.size() - 1; i >= 0; i--) backward.get(i).run();
        backward.clear();
    }

    /** Whether a parameter's gradient was written by the backward pass. */
    public boolean hasParamGrad(Buffer param) {
        return hasGrad(param);
    }

    public Plan build(String name) {
        return new Plan(name, buffers, steps);
    }
}
