package io.github.hopmixer.plan;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training or evaluation step as data: named buffers and the ordered kernel invocations over them.
 * Built once per (model, batch size, mode) and validated here, so every device runs the same checked program.
 */
public final class Plan {
    private final String name;
    private final List<Buffer> buffers;
    private final List<Invocation> invocations;
    private final Map<String, Buffer> byName = new LinkedHashMap<>();
    private final Set<Buffer> keep;
    private final Liveness.Storage storage;

    /** A plan whose activations share storage by liveness (no buffer is read by the host but inputs and outputs). */
    public Plan(String name, List<Buffer> buffers, List<Invocation> invocations) {
        this(name, buffers, invocations, Set.of(), true);
    }

    /**
     * @param keep  activations the host reads after a step (logits): never share storage
     * @param share let activations whose lifetimes do not overlap share storage ({@link Liveness})
     */
    public Plan(String name, List<Buffer> buffers, List<Invocation> invocations, Set<Buffer> keep, boolean share) {
        this.name = name;
        this.buffers = List.copyOf(buffers);
        this.invocations = List.copyOf(invocations);
        this.keep = Set.copyOf(keep);
        for (Buffer b : this.buffers) {
            if (byName.put(b.name(), b) != null) throw new IllegalArgumentException("duplicate buffer " + b.name());
        }
        validate();
        this.storage = Liveness.assign(this.buffers, this.invocations, this.keep, share);
        Liveness.check(name, this.buffers, this.invocations, this.keep, storage);
    }

    /** Physical storage of the buffers, checked by {@link Liveness#check}: every device allocates by it. */
    public Liveness.Storage storage() { return storage; }

    /** Activations the host reads after a step. */
    public Set<Buffer> keep() { return keep; }

    public String name() { return name; }

    public List<Buffer> buffers() { return buffers; }

    /** The kernel calls, in order. */
    public List<Invocation> invocations() { return invocations; }

    /** Floating-point operations of its matrix products, one execution: what its GFLOP/s counts. */
    public long matmulFlops() {
        return invocations.stream().mapToLong(i -> i.op().matmulFlops()).sum();
    }

    public Buffer buffer(String name) {
        Buffer b = byName.get(name);
        if (b == null) throw new IllegalArgumentException("plan " + this.name + " has no buffer " + name);
        return b;
    }

    public boolean has(String name) { return byName.containsKey(name); }

    public List<Buffer> buffers(Role role) {
        List<Buffer> out = new ArrayList<>();
        for (Buffer b : buffers) if (b.role() == role) out.add(b);
        return Collections.unmodifiableList(out);
    }

    /** Bytes of float storage the plan's buffers of one role take on a device. */
    public long bytes(Role role) {
        long n = 0;
        for (Buffer b : buffers) if (b.role() == role) n += 4L * b.size();
        return n;
    }

    /** Bytes of float storage that the buffers of one role occupy once liveness has let them share. */
    public long storedBytes(Role role) {
        BitSet seen = new BitSet();
        long n = 0;
        for (Buffer b : buffers) {
            int k = storage.of()[b.id()];
            if (b.role() == role && !seen.get(k)) {
                seen.set(k);
                n += 4L * storage.floats()[k];
            }
        }
        return n;
    }

    /** Every per-step buffer is written before it is read, and every buffer argument belongs to this plan. */
    private void validate() {
        BitSet written = new BitSet();
        for (Buffer b : buffers) {
            boolean preset = switch (b.role()) {
                case PARAM, OPT_STATE, SCALARS, INPUT -> true;
                case GRAD, ACTIVATION, OUTPUT -> false;
            };
            if (preset) written.set(b.id());
        }
        for (int s = 0; s < invocations.size(); s++) {
            Invocation inv = invocations.get(s);
            Buffer[] args = inv.buffers();
            long[] need = inv.op().minSizes();
            for (int a = 0; a < args.length; a++) {
                if (args[a].size() < need[a]) {
                    throw new IllegalStateException("plan " + name + ": invocation " + s + " " + inv + " needs " + need[a]
                            + " floats in argument " + a + " but " + args[a] + " holds " + args[a].size());
                }
            }
            for (int a = 0; a < args.length; a++) {
                Buffer b = args[a];
                if (b.id() >= buffers.size() || buffers.get(b.id()) != b) {
                    throw new IllegalStateException("invocation " + s + " " + inv.op().name() + " uses foreign buffer " + b.name());
                }
                boolean reads = !inv.op().writes(a) || inv.op().readsOutput();
                if (reads && !written.get(b.id())) {
                    throw new IllegalStateException("plan " + name + ": invocation " + s + " " + inv.op().name()
                            + " reads " + b.name() + " before anything writes it");
                }
            }
            for (int a = 0; a < args.length; a++) if (inv.op().writes(a)) written.set(args[a].id());
        }
    }

    @Override
    public String toString() {
        return "Plan " + name + " (" + buffers.size() + " buffers, " + invocations.size() + " invocations)";
    }
}
