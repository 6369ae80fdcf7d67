package io.github.hopmixer.tornado;

import io.github.hopmixer.ops.BiasOps.BiasGrad;
import io.github.hopmixer.ops.CrossEntropyOps.CrossEntropy;
import io.github.hopmixer.ops.LayerNormOps.LayerNorm;
import io.github.hopmixer.ops.LayerNormOps.LayerNormBackwardInput;
import io.github.hopmixer.ops.LayerNormOps.LayerNormBackwardParams;
import io.github.hopmixer.ops.Op;
import io.github.hopmixer.ops.PenaltyOps.SumSquares;
import io.github.hopmixer.ops.TokenMeanOps.TokenMean;
import io.github.hopmixer.tornado.kernels.LayerNormGroupKernels;
import io.github.hopmixer.tornado.kernels.ReduceGroupKernels;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.List;

import static io.github.hopmixer.tornado.KernelTasks.bit;

/**
 * The GPU-shaped reductions ({@code reduce.kernels=groups}): the tasks of LayerNorm and its gradients, bias
 * gradients, token mean, cross-entropy and the sum of squares as work-group kernels ({@link LayerNormGroupKernels},
 * {@link ReduceGroupKernels}), with their grids and, for the audit, their work-items, longest serial loop and work.
 * Row reductions take one group per row; column reductions as many adjacent columns per group as still leave
 * reduce.workitems work-items; the sum of squares two passes (per-group partial sums, then one group).
 */
final class ReductionTasks {
    private ReductionTasks() {}

    /** The largest work-group the kernels' local arrays hold. */
    static final int MAX_LOCAL = LayerNormGroupKernels.LOCAL;

    /** The work-group tasks of a reduction op, or null for ops that have none (they keep their one kernel). */
    static List<KernelTask> of(Op op, FloatArray[] a, TornadoConfig cfg, KernelTasks.Scratch scratch) {
        String name = op.name();
        int local = cfg.reduceLocal(), want = cfg.reduceWorkItems();
        return switch (op) {
            case LayerNorm o -> {
                int l = rowLocal(o.dim(), local);
                yield List.of(rowTask(name, "LayerNormGroupKernels.forward", o.rows(), o.dim(), l, a,
                        (g, t, kc) -> g.task(t, LayerNormGroupKernels::forward, kc, a[0], a[1], a[2], a[3], a[4], a[5], o.rows(), o.dim())));
            }
            case LayerNormBackwardInput o -> {
                int l = rowLocal(o.dim(), local);
                yield List.of(rowTask(name, "LayerNormGroupKernels.backwardInput", o.rows(), o.dim(), l, a,
                        (g, t, kc) -> g.task(t, LayerNormGroupKernels::backwardInput, kc, a[0], a[1], a[2], a[3], a[4], a[5],
                                o.rows(), o.dim(), bit(o.acc()))));
            }
            case LayerNormBackwardParams o -> {
                int cols = columns(o.dim(), o.rows(), local, want);
                yield List.of(columnTask(name, "LayerNormGroupKernels.backwardParams", o.dim(), o.rows(), cols, local, a,
                        (g, t, kc) -> g.task(t, LayerNormGroupKernels::backwardParams, kc, a[0], a[1], a[2], a[3], a[4], a[5],
                                o.rows(), o.dim(), bit(o.acc()), cols)));
            }
            case BiasGrad o -> {
                long terms = (long) o.outer() * o.inner();
                int cols = columns(o.n(), terms, local, want);
                yield List.of(columnTask(name, "ReduceGroupKernels.biasGrad", o.n(), terms, cols, local, a,
                        (g, t, kc) -> g.task(t, ReduceGroupKernels::biasGrad, kc, a[0], a[1], o.outer(), o.n(), o.inner(), bit(o.acc()), cols)));
            }
            case TokenMean o -> {
                int outputs = o.batch() * o.c();
                int cols = columns(outputs, o.s(), local, want);
                yield List.of(columnTask(name, "ReduceGroupKernels.mean", outputs, o.s(), cols, local, a,
                        (g, t, kc) -> g.task(t, ReduceGroupKernels::mean, kc, a[0], a[1], o.batch(), o.s(), o.c(), cols)));
            }
            case CrossEntropy o -> {
                int l = rowLocal(o.classes(), local);
                yield List.of(rowTask(name, "ReduceGroupKernels.crossEntropy", o.batch(), o.classes(), l, a,
                        (g, t, kc) -> g.task(t, ReduceGroupKernels::crossEntropy, kc, a[0], a[1], a[2], a[3], o.batch(), o.classes())));
            }
            case SumSquares o -> sumSquares(name, o, a, local, want, scratch.partials());
            default -> null;
        };
    }

    /** Partial sums (floats of the plan's scratch) the op's first pass writes: the sum of squares' groups, else 0. */
    static long partialFloats(Op op, TornadoConfig cfg) {
        return op instanceof SumSquares s ? sumSquaresGroups(s.n(), cfg.reduceLocal(), cfg.reduceWorkItems()) : 0;
    }

    /** A row's work-group: reduce.local work-items, fewer (a power of two) for a short row. */
    static int rowLocal(int length, int local) {
        return length <= 1 ? 1 : Math.min(local, Integer.highestOneBit(length - 1) << 1);
    }

    /**
     * Adjacent columns per work-group of a column sum ({@code outputs} sums of {@code terms} each): the most (a power
     * of two up to the group) that still give {@code want} work-items, and no more lanes than terms.
     */
    static int columns(long outputs, long terms, int local, int want) {
        int cols = 1;
        while (cols < local && (KernelTasks.ceil(Math.toIntExact(outputs), cols * 2) * (long) local >= want || local / cols > terms)) cols *= 2;
        return cols;
    }

    /** Groups of the sum of squares' first pass: enough for {@code want} work-items, none without an entry. */
    static int sumSquaresGroups(int n, int local, int want) {
        return Math.max(1, Math.min(KernelTasks.ceil(n, local), KernelTasks.ceil(want, local)));
    }

    /** One work-group of {@code local} work-items per row; each runs a strided loop of ⌈length/local⌉ per pass. */
    private static KernelTask rowTask(String op, String kernel, int rows, int length, int local, FloatArray[] a, KernelTask.Adder adder) {
        long busy = Math.min(local, length);
        return new KernelTask(op, "", kernel, adder, grid(rows, local), List.of(a), rows * busy, KernelTasks.ceil(length, local),
                (long) rows * length, false);
    }

    /** Column sums: ⌈outputs/cols⌉ groups, each cols columns × local/cols lanes splitting the terms. */
    private static KernelTask columnTask(String op, String kernel, int outputs, long terms, int cols, int local, FloatArray[] a,
                                         KernelTask.Adder adder) {
        long lanes = local / cols;
        return new KernelTask(op, "", kernel, adder, grid(KernelTasks.ceil(outputs, cols), local), List.of(a),
                outputs * Math.min(lanes, terms), (terms + lanes - 1) / lanes, outputs * terms, false);
    }

    private static List<KernelTask> sumSquares(String op, SumSquares o, FloatArray[] a, int local, int want, FloatArray partials) {
        int n = o.n(), slot = o.slot();
        int groups = sumSquaresGroups(n, local, want), step = groups * local;
        int last = rowLocal(groups, local);
        FloatArray out = a[0], w = a[1];
        KernelTask first = new KernelTask(op, "", "ReduceGroupKernels.sumSquaresPartial",
                (g, t, kc) -> g.task(t, ReduceGroupKernels::sumSquaresPartial, kc, partials, w, n, step),
                grid(groups, local), List.of(partials, w), Math.min(n, step), KernelTasks.ceil(n, step), n, false);
        KernelTask second = new KernelTask(op, "", "ReduceGroupKernels.sumSquaresFinal",
                (g, t, kc) -> g.task(t, ReduceGroupKernels::sumSquaresFinal, kc, out, partials, groups, slot),
                grid(1, last), List.of(out, partials), Math.min(groups, last), KernelTasks.ceil(groups, last), groups, false);
        return List.of(first, second);
    }

    /** {@code groups} work-groups of {@code local} work-items. */
    private static WorkerGrid grid(int groups, int local) {
        WorkerGrid1D g = new WorkerGrid1D(groups * local);
        g.setLocalWork(local, 1, 1);
        return g;
    }
}
