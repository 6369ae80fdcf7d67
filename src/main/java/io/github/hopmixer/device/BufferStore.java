package io.github.hopmixer.device;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Plan;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Host-memory storage of a device's buffers: shared buffers by name across plans, per-plan buffers by plan.
 * A shared name met again with another shape is an error, never a silent reallocation.
 */
final class BufferStore<A> {
    private final IntFunction<A> allocator;
    private final Map<String, A> shared = new HashMap<>();
    private final Map<String, Buffer> sharedDecl = new HashMap<>();
    private final Map<Plan, A[]> perPlan = new HashMap<>();

    BufferStore(IntFunction<A> allocator) {
        this.allocator = allocator;
    }

    @SuppressWarnings("unchecked")
    void prepare(Plan plan) {
        if (perPlan.containsKey(plan)) return;
        A[] arrays = (A[]) new Object[plan.buffers().size()];
        for (Buffer b : plan.buffers()) {
            if (b.shared()) {
                Buffer prev = sharedDecl.putIfAbsent(b.name(), b);
                if (prev != null && (prev.size() != b.size() || prev.role() != b.role())) {
                    throw new IllegalStateException("buffer " + b.name() + " was prepared as " + prev + " (" + prev.role()
                            + ") and is now asked for as " + b + " (" + b.role() + ")");
                }
                arrays[b.id()] = shared.computeIfAbsent(b.name(), n -> allocator.apply(b.size()));
            } else {
                arrays[b.id()] = allocator.apply(b.size());
            }
        }
        perPlan.put(plan, arrays);
    }

    A[] arrays(Plan plan) {
        A[] a = perPlan.get(plan);
        if (a == null) throw new IllegalStateException("plan " + plan.name() + " was not prepared on this device");
        return a;
    }

    /** The array behind a buffer: shared ones by name, others through any plan that declared this exact buffer. */
    A array(Buffer b) {
        if (b.shared()) {
            A a = shared.get(b.name());
            if (a == null) throw new IllegalStateException("buffer " + b.name() + " is not allocated on this device");
            return a;
        }
        for (Map.Entry<Plan, A[]> e : perPlan.entrySet()) {
            Plan p = e.getKey();
            if (b.id() < p.buffers().size() && p.buffers().get(b.id()) == b) return e.getValue()[b.id()];
        }
        throw new IllegalStateException("buffer " + b.name() + " belongs to no prepared plan");
    }
}
