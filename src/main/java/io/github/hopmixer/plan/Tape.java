package io.github.hopmixer.plan;

import io.github.hopmixer.ops.FusedOps;

import io.github.hopmixer.ops.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The autodiff tape a {@link Plan} is built on. Each op's rule (in its home under {@code io.github.hopmixer.ops},
 * e.g. {@code GemmOps.matmul}) appends its forward invocation and, when training, records how to append its
 * backward; {@link #backward()} replays those in reverse (reverse-mode autodiff at plan-build time, so the step
 * itself is a flat list of kernels). A gradient buffer's first contribution overwrites it and later ones add, so
 * no step needs zeroing kernels. (Not a TornadoVM task graph: those are cut from the finished plan.)
 */
public final class Tape {
    private final String scope;
    private final boolean training;
    private final List<Buffer> buffers = new ArrayList<>();
    private final Map<String, Buffer> byName = new HashMap<>();
    private final List<Invocation> invocations = new ArrayList<>();
    private final List<Runnable> backward = new ArrayList<>();
    private final Map<Buffer, Buffer> grads = new HashMap<>();
    private final Set<Buffer> gradWritten = new HashSet<>();
    private final Set<Buffer> requiresGrad = new HashSet<>();
    private final List<Buffer> params = new ArrayList<>();
    private final Set<Buffer> keep = new HashSet<>();

    /** @param scope prefix of per-plan buffer names, e.g. {@code train} or {@code eval} */
    public Tape(String scope, boolean training) {
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

    private final Set<Buffer> batchShared = new HashSet<>();

    /** Marks a result that is one matrix for the whole batch (asymmixer's W2 + W1ᵀ), as a parameter is. */
    public void batchShared(Buffer b) {
        batchShared.add(b);
    }

    /** Whether an operand is the same matrix for every image of the batch: a parameter or a marked result. */
    public boolean isBatchShared(Buffer b) {
        return b.role() == Role.PARAM || batchShared.contains(b);
    }

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

    /** Per-step scratch that carries no gradient (LayerNorm statistics, an evaluation's dlogits). */
    public Buffer activation(String name, int... shape) {
        return declare(scope + "/" + name, Role.ACTIVATION, shape);
    }

    /** An op's result; it carries a gradient when {@code grad} (some input needs one) and the tape trains. */
    public Buffer result(String name, boolean grad, int... shape) {
        Buffer b = activation(name, shape);
        if (grad) requiresGrad(b);
        return b;
    }

    public Buffer grad(Buffer t) {
        return grads.computeIfAbsent(t, b -> b.role() == Role.PARAM
                ? declare("grad/" + b.name(), Role.GRAD, b.shape())
                : declare(b.name() + ".grad", Role.ACTIVATION, b.shape()));
    }

    // ---- gradient bookkeeping for the ops' rules ----

    /** Whether a buffer's gradient is wanted (training, and it depends on a parameter). */
    public boolean needs(Buffer t) {
        return training && requiresGrad.contains(t);
    }

    /** Marks a buffer as depending on a parameter (an op updating it in place with one). */
    public void requiresGrad(Buffer t) {
        if (training) requiresGrad.add(t);
    }

    /** Whether something has written the buffer's gradient so far. */
    public boolean hasGrad(Buffer t) {
        return grads.containsKey(t) && gradWritten.contains(grads.get(t));
    }

    /** False for a gradient's first contribution (overwrite), true afterwards (accumulate). */
    public boolean acc(Buffer t) {
        return !gradWritten.add(grad(t));
    }

    /**
     * Gives x the gradient of y as its own storage when x's gradient would start as a copy of y's (a residual's skip
     * path): true when it did, and the caller emits no copy. Sound because a rule is the last reader of its result's
     * gradient and calls this after its other reads: later contributions to x's gradient then add into storage that
     * nothing reads as y's any more. Not for a parameter (its gradient has its own buffer) or an x with a gradient.
     */
    public boolean shareGrad(Buffer x, Buffer y) {
        if (x.role() == Role.PARAM || grads.containsKey(x) || !hasGrad(y)) return false;
        grads.put(x, grads.get(y));
        return true;
    }

    /** A gradient written outside the backward replay (the loss seeds dlogits). */
    public void seeded(Buffer gradient) {
        gradWritten.add(gradient);
    }

    public void call(Op op, Buffer... args) {
        invocations.add(new Invocation(op, args));
    }

    /** Records how to append an op's backward; runs in reverse order in {@link #backward()}. */
    public void onBackward(Runnable r) {
        if (training) backward.add(r);
    }

    /** Appends every recorded backward rule, last op first. */
    public void backward() {
        if (!training) throw new IllegalStateException("backward() on an evaluation tape");
        for (int i = backward.size() - 1; i >= 0; i--) backward.get(i).run();
        backward.clear();
    }

    /** Whether a parameter's gradient was written by the backward pass. */
    public boolean hasParamGrad(Buffer param) {
        return hasGrad(param);
    }

    /** An activation the host reads after a step (logits): the plan keeps it out of liveness sharing. */
    public void keep(Buffer b) {
        keep.add(b);
    }

    public Plan build(String name) {
        return build(name, Memory.defaults());
    }

    /** The plan, with cheap activations recomputed in the backward and storage shared as {@code memory} says. */
    public Plan build(String name, Memory memory) {
        return build(name, memory, false);
    }

    /**
     * @param fused rewrite into the fused ops first ({@link FusedOps#fuse}), so recomputation and liveness see the
     *              invocations that actually run
     */
    public Plan build(String name, Memory memory, boolean fused) {
        List<Invocation> ops = fused ? FusedOps.fuse(invocations, keep) : invocations;
        if (!memory.recompute()) return new Plan(name, buffers, ops, keep, memory.share());
        Recompute.Result r = Recompute.apply(buffers, ops, keep);
        return new Plan(name, r.buffers(), r.invocations(), keep, memory.share());
    }
}
