package io.github.hopmixer.plan;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training or evaluation step as data: named buffers and the ordered kernel invocations over them.
 * Built once per (model, batch size, mode) and validated here, so every device runs the same checked program.
 */
public final class Plan {
    private final String name;
    private final List<Buffer> buffers;
    private final List<Invocation> steps;
    private final Map<String, Buffer> byName = new LinkedHashMap<>();

    public Plan(String name, List<Buffer> buffers, List<Invocation> steps) {
        this.name = name;
        this.buffers = List.copyOf(buffers);
        this.steps = List.copyOf(steps);
        for (Buffer b : this.buffers) {
            if (byName.put(b.name(), b) != null) throw new IllegalArgumentException("duplicate buffer " + b.name());
        }
        validate();
    }

    public String name() { return name; }

    public List<Buffer> buffers() { return buffers; }

    public List<Invocation> steps() { return steps; }

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
        for (int s = 0; s < steps.size(); s++) {
            Invocation inv = steps.get(s);
            Buffer[] args = inv.buffers();
            long[] need = inv.op().minSizes(inv.ints());
            for (int a = 0; a < args.length; a++) {
                if (args[a].size() < need[a]) {
                    throw new IllegalStateException("plan " + name + ": step " + s + " " + inv + " needs " + need[a]
                            + " floats in argument " + a + " but " + args[a] + " holds " + args[a].size());
                }
            }
            for (int a = 0; a < args.length; a++) {
                Buffer b = args[a];
                if (b.id() >= buffers.size() || buffers.get(b.id()) != b) {
                    throw new IllegalStateException("step " + s + " " + inv.op() + " uses foreign buffer " + b.name());
                }
                boolean reads = !inv.op().writes(a) || inv.op().readsOutput(inv.ints());
                if (reads && !written.get(b.id())) {
                    throw new IllegalStateException("plan " + name + ": step " + s + " " + inv.op()
                            + " reads " + b.name() + " before anything writes it");
                }
            }
            for (int a = 0; a < args.length; a++) if (inv.op().writes(a)) written.set(args[a].id());
        }
    }

    @Override
    public String toString() {
        return "Plan " + name + " (" + buffers.size() + " buffers, " + steps.size() + " steps)";
    }
}
