package io.github.hopmixer.plan;

import io.github.hopmixer.ops.GeluOps;
import io.github.hopmixer.ops.LayerNormOps;
import io.github.hopmixer.ops.Op;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Recomputation of cheap activations, a pass over any invocation list: an activation that a cheap op wrote (GELU's
 * output, LayerNorm's output) and that waits, unused, across the plan's peak of live storage (typically from its
 * forward use to its backward use) is written again by the same op just before its next use, into a fresh buffer
 * that the later uses read; the stored one dies at its last use before the peak. Only when it is sound and free of
 * new lifetimes: nothing writes the op's inputs or the activation in between, and the inputs are read at or after
 * the recomputation anyway (GELU's input by its backward, LayerNorm's by its backward). The same kernel on the same
 * inputs gives the same bits, so no result changes; {@link Liveness} then lets the freed storage be shared.
 */
public final class Recompute {
    private Recompute() {}

    /** The rewritten plan lists, and how many activations are recomputed. */
    public record Result(List<Buffer> buffers, List<Invocation> invocations, int recomputed) {}

    /** Whether an op is cheap enough to run twice (a pass over its data), and so worth recomputing. */
    static boolean cheap(Op op) {
        return op instanceof GeluOps.Gelu || op instanceof LayerNormOps.LayerNorm;
    }

    public static Result apply(List<Buffer> buffers0, List<Invocation> invocations0, Set<Buffer> keep) {
        List<Buffer> buffers = new ArrayList<>(buffers0);
        List<Invocation> invs = new ArrayList<>(invocations0);
        Set<String> names = new HashSet<>();
        for (Buffer b : buffers) names.add(b.name());
        if (invs.isEmpty()) return new Result(buffers, invs, 0);
        // The peak of live storage, located by the original invocation there (insertions shift indices).
        long[] live = Liveness.liveFloats(buffers, invs, keep);
        int peak0 = 0;
        for (int s = 1; s < live.length; s++) if (live[s] > live[peak0]) peak0 = s;
        List<Integer> origin = new ArrayList<>(IntStream.range(0, invs.size()).boxed().toList());
        int count = 0;
        for (int f0 = 0; f0 < invocations0.size(); f0++) {
            if (!cheap(invocations0.get(f0).op())) continue;
            int f = origin.indexOf(f0), peak = origin.indexOf(peak0);
            Invocation fi = invs.get(f);
            Op op = fi.op();
            Buffer a = fi.buffers()[0];
            if (a.role() != Role.ACTIVATION || keep.contains(a) || f >= peak) continue;
            // Later uses of a: reads only (a rewritten value could not be recomputed).
            List<Integer> uses = new ArrayList<>();
            boolean rewritten = false;
            for (int s = f + 1; s < invs.size(); s++) {
                Invocation u = invs.get(s);
                for (int k = 0; k < u.buffers().length; k++) {
                    if (u.buffers()[k] != a) continue;
                    if (u.op().writes(k)) rewritten = true;
                    if (uses.isEmpty() || uses.getLast() != s) uses.add(s);
                }
            }
            if (rewritten) continue;
            int before = f, at = -1;
            for (int u : uses) {
                if (u > peak) { at = u; break; }
                before = u;
            }
            if (at < 0 || before >= peak) continue;
            if (!inputsHold(fi, invs, f, at, keep)) continue;
            Buffer[] args = fi.buffers().clone();
            for (int o : op.outputs()) {
                Buffer b = args[o];
                String name = b.name() + "@re";
                if (!names.add(name)) throw new IllegalStateException("buffer " + name + " exists already");
                args[o] = new Buffer(buffers.size(), name, Role.ACTIVATION, b.shape());
                buffers.add(args[o]);
            }
            Buffer a2 = args[0];
            for (int u : uses) {
                if (u < at) continue;
                Buffer[] bs = invs.get(u).buffers().clone();
                for (int k = 0; k < bs.length; k++) if (bs[k] == a) bs[k] = a2;
                invs.set(u, new Invocation(invs.get(u).op(), bs));
            }
            invs.add(at, new Invocation(op, args));
            origin.add(at, -1);
            count++;
        }
        return new Result(buffers, invs, count);
    }

    /** Nothing writes the op's inputs between f and at, and each per-step input is used at or after at anyway. */
    private static boolean inputsHold(Invocation fi, List<Invocation> invs, int f, int at, Set<Buffer> keep) {
        for (int k = 0; k < fi.buffers().length; k++) {
            if (fi.op().writes(k)) continue;
            Buffer x = fi.buffers()[k];
            int last = -1;
            for (int s = f + 1; s < invs.size(); s++) {
                Invocation u = invs.get(s);
                for (int j = 0; j < u.buffers().length; j++) {
                    if (u.buffers()[j] != x) continue;
                    if (s < at && u.op().writes(j)) return false;
                    last = s;
                }
            }
            boolean perStep = x.role() == Role.ACTIVATION && !keep.contains(x);
            if (perStep && last < at) return false;
        }
        return true;
    }
}
