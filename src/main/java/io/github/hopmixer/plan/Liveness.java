package io.github.hopmixer.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Buffer liveness: maps a plan's logical buffers to physical storage so that activations and their gradients whose
 * lifetimes (first access .. last access over the invocation list: forward, backward, optimizer) do not overlap
 * share one storage. Only per-step {@link Role#ACTIVATION} buffers are pooled; weights, gradients, moments, scalars,
 * inputs, outputs, buffers the host reads after a step ({@code keep}) and buffers no kernel touches each keep their
 * own storage. Lifetimes are closed intervals, so a kernel's inputs and outputs never alias. {@link #check} proves
 * an assignment sound; devices allocate by it ({@link Plan#storage()}).
 */
public final class Liveness {
    private Liveness() {}

    /**
     * Where each buffer lives.
     *
     * @param of         storage index per buffer id
     * @param floats     floats per storage (the largest buffer it holds)
     * @param pooled     per storage: a liveness slot that buffers take turns in
     * @param freedAfter per invocation, the pooled storages whose occupant's lifetime ends there (dead until the
     *                   next occupant's first write: a debugging device fills them with NaN)
     */
    public record Storage(int[] of, int[] floats, boolean[] pooled, int[][] freedAfter) {
        public int count() { return floats.length; }
    }

    /** Per buffer id, the first and last invocation that uses it ({-1, -1} when none does). */
    public static int[][] lifetimes(List<Buffer> buffers, List<Invocation> invocations) {
        int[][] life = new int[buffers.size()][];
        for (int i = 0; i < life.length; i++) life[i] = new int[] {-1, -1};
        for (int s = 0; s < invocations.size(); s++) {
            for (Buffer b : invocations.get(s).buffers()) {
                int[] l = life[b.id()];
                if (l[0] < 0) l[0] = s;
                l[1] = s;
            }
        }
        return life;
    }

    /**
     * Whether a buffer may take turns in a pooled storage. An activation no invocation uses (the GELU output gradient
     * a fused backward never stores) is never alive, so it may lodge in any slot but not beside another such one.
     */
    static boolean poolable(Buffer b, int[] life, Set<Buffer> keep) {
        return b.role() == Role.ACTIVATION && !keep.contains(b);
    }

    /**
     * Assigns storage: every non-poolable buffer its own; poolable ones, largest first, the smallest slot that holds
     * it and whose occupants are all dead during its lifetime, else a new slot of its size.
     * With {@code share} false every buffer gets its own storage (the plan as written).
     */
    public static Storage assign(List<Buffer> buffers, List<Invocation> invocations, Set<Buffer> keep, boolean share) {
        int[][] life = lifetimes(buffers, invocations);
        int[] of = new int[buffers.size()];
        List<Integer> floats = new ArrayList<>();
        List<Boolean> pooled = new ArrayList<>();
        List<Buffer> pool = new ArrayList<>();
        for (Buffer b : buffers) {
            if (share && poolable(b, life[b.id()], keep)) {
                pool.add(b);
            } else {
                of[b.id()] = floats.size();
                floats.add(b.size());
                pooled.add(false);
            }
        }
        // Largest first, then by first use: big buffers define the slots, smaller ones fill the slots' idle times.
        pool.sort(Comparator.<Buffer>comparingInt(b -> -b.size()).thenComparingInt(b -> life[b.id()][0]).thenComparingInt(Buffer::id));
        List<Integer> slotIndex = new ArrayList<>();
        List<List<int[]>> occupied = new ArrayList<>(); // per slot, the lifetimes of its occupants
        for (Buffer b : pool) {
            int[] l = life[b.id()];
            int best = -1;
            for (int i = 0; i < slotIndex.size(); i++) {
                int k = slotIndex.get(i);
                if (floats.get(k) < b.size() || (best >= 0 && floats.get(k) >= floats.get(slotIndex.get(best)))) continue;
                boolean free = true;
                for (int[] o : occupied.get(i)) free &= o[1] < l[0] || l[1] < o[0];
                if (free) best = i;
            }
            if (best < 0) {
                best = slotIndex.size();
                slotIndex.add(floats.size());
                occupied.add(new ArrayList<>());
                floats.add(b.size());
                pooled.add(true);
            }
            occupied.get(best).add(l);
            of[b.id()] = slotIndex.get(best);
        }
        List<List<Integer>> freed = new ArrayList<>();
        for (int s = 0; s < invocations.size(); s++) freed.add(new ArrayList<>());
        for (Buffer b : pool) if (life[b.id()][1] >= 0) freed.get(life[b.id()][1]).add(of[b.id()]);
        int[][] freedAfter = new int[invocations.size()][];
        for (int s = 0; s < freedAfter.length; s++) freedAfter[s] = freed.get(s).stream().mapToInt(Integer::intValue).toArray();
        boolean[] p = new boolean[pooled.size()];
        for (int i = 0; i < p.length; i++) p[i] = pooled.get(i);
        return new Storage(of, floats.stream().mapToInt(Integer::intValue).toArray(), p, freedAfter);
    }

    /**
     * Proves an assignment sound, or throws naming the two buffers: every storage holds each of its buffers; a
     * buffer that may not be pooled has its storage to itself; and buffers sharing a storage are never alive at the
     * same invocation (their closed lifetime intervals are disjoint).
     */
    public static void check(String plan, List<Buffer> buffers, List<Invocation> invocations, Set<Buffer> keep, Storage st) {
        int[][] life = lifetimes(buffers, invocations);
        if (st.of().length != buffers.size()) throw new IllegalStateException("plan " + plan + ": storage map covers "
                + st.of().length + " of " + buffers.size() + " buffers");
        List<List<Buffer>> byStorage = new ArrayList<>();
        for (int i = 0; i < st.count(); i++) byStorage.add(new ArrayList<>());
        for (Buffer b : buffers) {
            int k = st.of()[b.id()];
            if (k < 0 || k >= st.count()) throw new IllegalStateException("plan " + plan + ": buffer " + b + " has no storage");
            if (st.floats()[k] < b.size()) {
                throw new IllegalStateException("plan " + plan + ": buffer " + b + " does not fit its storage " + k + " of " + st.floats()[k] + " floats");
            }
            byStorage.get(k).add(b);
        }
        for (int k = 0; k < st.count(); k++) {
            List<Buffer> bs = byStorage.get(k);
            if (bs.size() <= 1) continue;
            for (Buffer b : bs) {
                if (!poolable(b, life[b.id()], keep)) {
                    throw new IllegalStateException("plan " + plan + ": buffer " + b + " (" + b.role() + (keep.contains(b) ? ", read by the host" : "")
                            + (life[b.id()][0] < 0 ? ", unused" : "") + ") shares storage " + k + " with " + (bs.get(0) == b ? bs.get(1) : bs.get(0)));
                }
            }
            bs.sort(Comparator.comparingInt(b -> life[b.id()][0]));
            for (int i = 1; i < bs.size(); i++) {
                Buffer a = bs.get(i - 1), b = bs.get(i);
                if (life[a.id()][1] >= life[b.id()][0]) {
                    throw new IllegalStateException("plan " + plan + ": buffers " + a + " (invocations " + Arrays.toString(life[a.id()])
                            + ") and " + b + " (invocations " + Arrays.toString(life[b.id()]) + ") share storage " + k + " while both are alive");
                }
            }
        }
    }

    /** Floats of the poolable buffers alive at each invocation. */
    public static long[] liveFloats(List<Buffer> buffers, List<Invocation> invocations, Set<Buffer> keep) {
        int[][] life = lifetimes(buffers, invocations);
        long[] delta = new long[invocations.size() + 1];
        for (Buffer b : buffers) {
            if (!poolable(b, life[b.id()], keep) || life[b.id()][0] < 0) continue;
            delta[life[b.id()][0]] += b.size();
            delta[life[b.id()][1] + 1] -= b.size();
        }
        long[] live = new long[invocations.size()];
        long n = 0;
        for (int s = 0; s < live.length; s++) live[s] = n += delta[s];
        return live;
    }

    /**
     * The least float storage any assignment of the poolable buffers can have: the most floats alive at one
     * invocation. The gap to the slots' total says how well {@link #assign} packs.
     */
    public static long peakLiveFloats(List<Buffer> buffers, List<Invocation> invocations, Set<Buffer> keep) {
        long peak = 0;
        for (long v : liveFloats(buffers, invocations, keep)) peak = Math.max(peak, v);
        return peak;
    }
}
