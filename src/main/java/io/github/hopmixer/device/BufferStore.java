package io.github.hopmixer.device;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Liveness;
import io.github.hopmixer.plan.Plan;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Host-memory storage of a device's buffers: shared buffers by name across plans, per-plan buffers by the plan's
 * storage map ({@link Plan#storage()}: activations whose lifetimes do not overlap get the same array, which may be
 * longer than the buffer). A shared name met again with another shape is an error, never a silent reallocation.
 *
 * <p>With a poisoner (a debugging mode), pooled storage is filled with NaN when the plan is prepared and again after
 * the last use of each of its occupants, so a liveness bug (a buffer read after its storage was handed on, or read
 * where its own write did not reach) turns results into NaN instead of silently into other numbers.
 */
final class BufferStore<A> {
    private final IntFunction<A> allocator;
    private final Consumer<A> poisoner;
    private final Map<String, A> shared = new HashMap<>();
    private final Map<String, Buffer> sharedDecl = new HashMap<>();
    private final Map<Plan, A[]> perPlan = new HashMap<>();
    private final Map<Plan, A[]> perStorage = new HashMap<>();

    /** @param poisoner fills an array with NaN, or null when not debugging */
    BufferStore(IntFunction<A> allocator, Consumer<A> poisoner) {
        this.allocator = allocator;
        this.poisoner = poisoner;
    }

    @SuppressWarnings("unchecked")
    void prepare(Plan plan) {
        if (perPlan.containsKey(plan)) return;
        Liveness.Storage st = plan.storage();
        A[] storage = (A[]) new Object[st.count()];
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
                int k = st.of()[b.id()];
                if (storage[k] == null) {
                    storage[k] = allocator.apply(st.floats()[k]);
                    if (poisoner != null && st.pooled()[k]) poisoner.accept(storage[k]);
                }
                arrays[b.id()] = storage[k];
            }
        }
        perPlan.put(plan, arrays);
        perStorage.put(plan, storage);
    }

    /** Whether this store poisons dead storage. */
    boolean poisoning() { return poisoner != null; }

    /** Poisoning: fills the storage whose occupants' lifetimes end at invocation {@code step}. */
    void afterInvocation(Plan plan, int step) {
        A[] storage = perStorage.get(plan);
        for (int k : plan.storage().freedAfter()[step]) poisoner.accept(storage[k]);
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
