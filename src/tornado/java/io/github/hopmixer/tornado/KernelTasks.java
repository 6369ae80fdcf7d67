package io.github.hopmixer.tornado;

import io.github.hopmixer.ops.AdamWOps.AdamW;
import io.github.hopmixer.ops.BiasOps.AddBias;
import io.github.hopmixer.ops.BiasOps.BiasGrad;
import io.github.hopmixer.ops.CrossEntropyOps.CrossEntropy;
import io.github.hopmixer.ops.FusedOps.GemmBiasGelu;
import io.github.hopmixer.ops.FusedOps.GemmGeluBackward;
import io.github.hopmixer.ops.FusedOps.GemmBiasResidual;
import io.github.hopmixer.ops.GeluOps.Gelu;
import io.github.hopmixer.ops.GeluOps.GeluBackward;
import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.ops.LayerNormOps.LayerNorm;
import io.github.hopmixer.ops.LayerNormOps.LayerNormBackwardInput;
import io.github.hopmixer.ops.LayerNormOps.LayerNormBackwardParams;
import io.github.hopmixer.ops.Op;
import io.github.hopmixer.ops.PatchifyOps.Patchify;
import io.github.hopmixer.ops.PenaltyOps.L2Grad;
import io.github.hopmixer.ops.PenaltyOps.SumSquares;
import io.github.hopmixer.ops.ResidualOps.Add;
import io.github.hopmixer.ops.ResidualOps.MaskedAdd;
import io.github.hopmixer.ops.ResidualOps.Residual;
import io.github.hopmixer.ops.TokenMeanOps.TokenMean;
import io.github.hopmixer.ops.TokenMeanOps.TokenMeanBackward;
import io.github.hopmixer.ops.WeightSumOps.TransposeAdd;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.tornado.kernels.BiasKernels;
import io.github.hopmixer.tornado.kernels.ElementwiseKernels;
import io.github.hopmixer.tornado.kernels.GeluKernels;
import io.github.hopmixer.tornado.kernels.GemmKernels;
import io.github.hopmixer.tornado.kernels.LayerNormKernels;
import io.github.hopmixer.tornado.kernels.LossKernels;
import io.github.hopmixer.tornado.kernels.OptimizerKernels;
import io.github.hopmixer.tornado.kernels.TokenKernels;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid3D;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The TornadoVM tasks of one plan invocation, with their grids from the device type's {@link TornadoConfig}.
 * Every size and flag of the op record is passed as a task argument, which TornadoVM compiles into the kernel as a
 * constant; values that change between steps are in buffers (SCALARS, INPUT), so the compiled kernels stay valid.
 */
final class KernelTasks {
    private KernelTasks() {}

    /** Device-side scratch buffers shared within a plan: transposed weights, and partial sums of split reductions. */
    interface Scratch {
        FloatArray transposed();

        FloatArray partials();
    }

    /** Which GEMM kernel runs a product, from its shape, transposes and strides (the vector kernels need alignment). */
    enum GemmKind { NN16, TRANSPOSE_NN16, NT8, GENERIC }

    static GemmKind gemmKind(Gemm g) {
        int n = g.n(), k = g.k(), sA = g.strideA(), sB = g.strideB(), sC = g.strideC();
        if (!g.transB() && n % 16 == 0 && sB % 16 == 0 && sC % 16 == 0) return GemmKind.NN16;
        if (g.transB() && sB == 0 && n % 16 == 0 && sC % 16 == 0) return GemmKind.TRANSPOSE_NN16;
        if (g.transB() && !g.transA() && k % 8 == 0 && sA % 8 == 0 && sB % 8 == 0) return GemmKind.NT8;
        if (g.transB() && n % 16 == 0 && sC % 16 == 0) return GemmKind.TRANSPOSE_NN16;
        return GemmKind.GENERIC;
    }

    /** Floats of transposed-weight scratch an invocation needs (0 for all but transposed GEMMs of the vector kernel). */
    static long transposedFloats(Invocation inv, TornadoConfig cfg) {
        if (!(inv.op() instanceof Gemm g) || cfg.gemmTiled() || gemmKind(g) != GemmKind.TRANSPOSE_NN16) return 0;
        return (long) (g.strideB() == 0 ? 1 : g.batch()) * g.n() * g.k();
    }

    /** Floats of partial sums an invocation needs (split reductions only). */
    static long partialFloats(Invocation inv, TornadoConfig cfg) {
        long grouped = cfg.groupReductions() ? ReductionTasks.partialFloats(inv.op(), cfg) : 0; // the sum of squares' first pass
        if (grouped > 0) return grouped;
        if (!(inv.op() instanceof Gemm g)) return 0;
        if (cfg.gemmTiled()) return TiledGemmTasks.partialFloats(g, cfg);
        int s = slices(g, cfg);
        return s > 1 ? (long) s * g.m() * g.n() : 0;
    }

    /**
     * Slices of the reduction of a vector-kernel GEMM that writes one c (batch 1, or the batch summed): enough to give
     * gemm.split.workitems work-items, each slice at least gemm.split.min long; 1 = not split.
     */
    static int slices(Gemm g, TornadoConfig cfg) {
        GemmKind kind = gemmKind(g);
        if (kind != GemmKind.NN16 && kind != GemmKind.TRANSPOSE_NN16) return 1;
        int batch = g.batch(), m = g.m(), n = g.n(), k = g.k();
        boolean reduce = g.batchSummed();
        if (batch > 1 && !reduce) return 1;
        long items = (long) (n / GemmKernels.NN_COLUMNS) * ceil(m, cfg.gemmRows());
        long length = reduce ? batch : k;
        long want = ceil((int) Math.min(Integer.MAX_VALUE, cfg.gemmSplitWorkItems()), (int) Math.max(1, items));
        long most = (reduce ? (long) batch * k : k) / cfg.gemmSplitMin();
        return (int) Math.max(1, Math.min(Math.min(want, most), Math.min(length, 64)));
    }

    /**
     * The tasks of one invocation. The switch is exhaustive over the sealed {@link Op} set: an op without a TornadoVM
     * kernel does not compile here.
     */
    static List<KernelTask> of(Invocation inv, FloatArray[] a, TornadoConfig cfg, Scratch scratch) {
        String op = inv.op().name();
        String shape = inv.op().toString();
        List<KernelTask> out = new ArrayList<>();
        // reduce.kernels=groups: the reductions' work-group versions (ReductionTasks) instead of one work-item per row
        List<KernelTask> grouped = cfg.groupReductions() ? ReductionTasks.of(inv.op(), a, cfg, scratch) : null;
        if (grouped != null) {
            for (KernelTask kt : grouped) out.add(kt.withShape(shape));
            return out;
        }
        int el = cfg.elementwiseLocal(), rl = cfg.rowsLocal();
        switch (inv.op()) {
            case Gemm g -> gemm(op, a, g, cfg, scratch, out);
            case AddBias o -> out.add(task(op, "BiasKernels.addBias", grid1(o.outer() * o.n() * o.inner(), el), a, (long) o.outer() * o.n() * o.inner(), 1,
                    (g, t, kc) -> g.task(t, BiasKernels::addBias, kc, a[0], a[1], o.outer(), o.n(), o.inner())));
            case BiasGrad o -> out.add(task(op, "BiasKernels.biasGrad", grid1(o.n(), rl), a, o.n(), (long) o.outer() * o.inner(),
                    (g, t, kc) -> g.task(t, BiasKernels::biasGrad, kc, a[0], a[1], o.outer(), o.n(), o.inner(), bit(o.acc()))));
            case LayerNorm o -> out.add(task(op, "LayerNormKernels.forward", grid1(o.rows(), rl), a, o.rows(), o.dim(),
                    (g, t, kc) -> g.task(t, LayerNormKernels::forward, kc, a[0], a[1], a[2], a[3], a[4], a[5], o.rows(), o.dim())));
            case LayerNormBackwardInput o -> out.add(task(op, "LayerNormKernels.backwardInput", grid1(o.rows(), rl), a, o.rows(), o.dim(),
                    (g, t, kc) -> g.task(t, LayerNormKernels::backwardInput, kc, a[0], a[1], a[2], a[3], a[4], a[5],
                            o.rows(), o.dim(), bit(o.acc()))));
            case LayerNormBackwardParams o -> out.add(task(op, "LayerNormKernels.backwardParams", grid1(o.dim(), rl), a, o.dim(), o.rows(),
                    (g, t, kc) -> g.task(t, LayerNormKernels::backwardParams, kc, a[0], a[1], a[2], a[3], a[4], a[5],
                            o.rows(), o.dim(), bit(o.acc()))));
            case Gelu o -> out.add(task(op, "GeluKernels.forward", grid1(o.n(), el), a, o.n(), 1,
                    (g, t, kc) -> g.task(t, GeluKernels::forward, kc, a[0], a[1], o.n())));
            case GeluBackward o -> out.add(task(op, "GeluKernels.backward", grid1(o.n(), el), a, o.n(), 1,
                    (g, t, kc) -> g.task(t, GeluKernels::backward, kc, a[0], a[1], a[2], o.n(), bit(o.acc()))));
            case Residual o -> out.add(task(op, "ElementwiseKernels.residual", grid1(o.batch() * o.rowLen(), el), a, (long) o.batch() * o.rowLen(), 1,
                    (g, t, kc) -> g.task(t, ElementwiseKernels::residual, kc, a[0], a[1], a[2], a[3], o.batch(), o.rowLen())));
            case MaskedAdd o -> out.add(task(op, "ElementwiseKernels.maskedAdd", grid1(o.batch() * o.rowLen(), el), a, (long) o.batch() * o.rowLen(), 1,
                    (g, t, kc) -> g.task(t, ElementwiseKernels::maskedAdd, kc, a[0], a[1], a[2], o.batch(), o.rowLen(), bit(o.acc()))));
            case Add o -> out.add(task(op, "ElementwiseKernels.add", grid1(o.n(), el), a, o.n(), 1,
                    (g, t, kc) -> g.task(t, ElementwiseKernels::add, kc, a[0], a[1], o.n(), bit(o.acc()))));
            case TransposeAdd o -> out.add(task(op, "ElementwiseKernels.transposeAdd", grid1(o.rows() * o.cols(), el), a, (long) o.rows() * o.cols(), 1,
                    (g, t, kc) -> g.task(t, ElementwiseKernels::transposeAdd, kc, a[0], a[1], o.rows(), o.cols(), bit(o.acc()))));
            case TokenMean o -> out.add(task(op, "TokenKernels.mean", grid1(o.batch() * o.c(), rl), a, (long) o.batch() * o.c(), o.s(),
                    (g, t, kc) -> g.task(t, TokenKernels::mean, kc, a[0], a[1], o.batch(), o.s(), o.c())));
            case TokenMeanBackward o -> out.add(task(op, "TokenKernels.meanBackward", grid1(o.batch() * o.s() * o.c(), el), a,
                    (long) o.batch() * o.s() * o.c(), 1,
                    (g, t, kc) -> g.task(t, TokenKernels::meanBackward, kc, a[0], a[1], o.batch(), o.s(), o.c(), bit(o.acc()))));
            case Patchify o -> out.add(task(op, "TokenKernels.patchify", grid1(o.batch() * o.tokens() * o.cin() * o.p() * o.p(), el), a,
                    (long) o.batch() * o.tokens() * o.cin() * o.p() * o.p(), 1,
                    (g, t, kc) -> g.task(t, TokenKernels::patchify, kc, a[0], a[1], o.batch(), o.cin(), o.h(), o.w(), o.p())));
            case CrossEntropy o -> out.add(task(op, "LossKernels.crossEntropy", grid1(o.batch(), rl), a, o.batch(), o.classes(),
                    (g, t, kc) -> g.task(t, LossKernels::crossEntropy, kc, a[0], a[1], a[2], a[3], o.batch(), o.classes())));
            case SumSquares o -> out.add(task(op, "LossKernels.sumSquares", grid1(1, 1), a, 1, o.n(),
                    (g, t, kc) -> g.task(t, LossKernels::sumSquares, kc, a[0], a[1], o.n(), o.slot())));
            case L2Grad o -> out.add(task(op, "LossKernels.l2Grad", grid1(o.n(), el), a, o.n(), 1,
                    (g, t, kc) -> g.task(t, LossKernels::l2Grad, kc, a[0], a[1], a[2], o.n(), o.scalar())));
            case AdamW o -> out.add(task(op, "OptimizerKernels.adamW", grid1(o.n(), el), a, o.n(), 1,
                    (g, t, kc) -> g.task(t, OptimizerKernels::adamW, kc, a[0], a[1], a[2], a[3], a[4], o.n(), bit(o.decay()))));
            // No TornadoVM kernels for the fused ops: this device says so (fusedOps() false), so its plans are unfused.
            case GemmBiasGelu _, GemmGeluBackward _, GemmBiasResidual _ -> throw new IllegalArgumentException("TornadoVM has no kernel for the fused op "
                    + op + " (" + shape + "); build the device's plans with StepPlans.training(model, batch, device), "
                    + "which keeps the unfused ops for it");
        }
        out.replaceAll(kt -> kt.withShape(shape));
        return out;
    }

    private static void gemm(String op, FloatArray[] a, Gemm g, TornadoConfig cfg, Scratch scratch, List<KernelTask> out) {
        if (cfg.gemmTiled()) {
            TiledGemmTasks.add(op, a, g, cfg, scratch, out);
            return;
        }
        int batch = g.batch(), m = g.m(), n = g.n(), k = g.k(), tA = bit(g.transA()), tB = bit(g.transB());
        int sA = g.strideA(), sB = g.strideB(), sC = g.strideC(), acc = bit(g.acc());
        int z = g.outputMatrices();
        FloatArray c = a[0], x = a[1], y = a[2];
        int slices = slices(g, cfg);
        switch (gemmKind(g)) {
            case NN16 -> nn16(op, c, x, y, batch, m, n, k, tA, sA, sB, sC, acc, z, slices, cfg, scratch, out);
            case TRANSPOSE_NN16 -> {
                int copies = sB == 0 ? 1 : batch;
                FloatArray t = scratch.transposed();
                out.add(task(op, "GemmKernels.transpose", grid3(n, 16, k, 1, copies), List.of(t, y), (long) n * k * copies, 1,
                        (tg, name, kc) -> tg.task(name, GemmKernels::transpose, kc, t, y, n, k, sB)));
                nn16(op, c, x, t, batch, m, n, k, tA, sA, sB == 0 ? 0 : k * n, sC, acc, z, slices, cfg, scratch, out);
            }
            case NT8 -> {
                int tile = GemmKernels.NT_TILE;
                long items = (long) ceil(n, tile) * ceil(m, tile) * z;
                out.add(gemmTask(op, "GemmKernels.nt8", grid3(ceil(n, tile), cfg.gemmNtLocal(), ceil(m, tile), 1, z), List.of(a), items,
                        (long) (g.batchSummed() ? batch : 1) * (k / 8), macs(g),
                        (tg, name, kc) -> tg.task(name, GemmKernels::nt8, kc, c, x, y, batch, m, n, k, sA, sB, sC, acc)));
            }
            case GENERIC -> out.add(gemmTask(op, "GemmKernels.scalar", grid3(n, cfg.gemmGenericLocal(), m, 1, z), List.of(a),
                    (long) n * m * z, (long) (g.batchSummed() ? batch : 1) * k, macs(g),
                    (tg, name, kc) -> tg.task(name, GemmKernels::scalar, kc, c, x, y, batch, m, n, k, tA, tB, sA, sB, sC, acc)));
        }
    }

    /** The vector kernel, split into slices plus their sum when the reduction is long and the outputs few. */
    private static void nn16(String op, FloatArray c, FloatArray a, FloatArray b, int batch, int m, int n, int k, int tA,
                             int sA, int sB, int sC, int acc, int z, int slices, TornadoConfig cfg, Scratch scratch, List<KernelTask> out) {
        int rows = cfg.gemmRows();
        WorkerGrid grid = grid3(n / GemmKernels.NN_COLUMNS, cfg.gemmLocalX(), ceil(m, rows), cfg.gemmLocalY(), slices > 1 ? slices : z);
        FloatArray dst = slices > 1 ? scratch.partials() : c;
        int a0 = slices > 1 ? 0 : acc;
        List<FloatArray> arrays = List.of(dst, a, b);
        boolean reduce = sC == 0 && batch > 1;
        long items = (long) (n / GemmKernels.NN_COLUMNS) * ceil(m, rows) * (slices > 1 ? slices : z);
        // the nn16 kernels' loop: over the batch (when summed) and K, or the slice of either (see GemmKernels.nn16x8)
        long loop = slices > 1 ? (reduce ? (long) ceil(batch, slices) * k : ceil(k, slices)) : (long) (reduce ? batch : 1) * k;
        long macs = (long) batch * m * n * k;
        if (rows == 8) {
            out.add(gemmTask(op, "GemmKernels.nn16x8", grid, arrays, items, loop, macs,
                    (g, t, kc) -> g.task(t, GemmKernels::nn16x8, kc, dst, a, b, batch, m, n, k, tA, sA, sB, sC, a0, slices)));
        } else {
            out.add(gemmTask(op, "GemmKernels.nn16x4", grid, arrays, items, loop, macs,
                    (g, t, kc) -> g.task(t, GemmKernels::nn16x4, kc, dst, a, b, batch, m, n, k, tA, sA, sB, sC, a0, slices)));
        }
        if (slices > 1) {
            int count = m * n;
            out.add(task(op, "GemmKernels.sumSlices", grid1(count, cfg.elementwiseLocal()), List.of(c, dst), count, slices,
                    (g, t, kc) -> g.task(t, GemmKernels::sumSlices, kc, c, dst, count, slices, acc)));
        }
    }

    /** A task whose {@code items} work-items each run a serial loop of {@code loop} elements. */
    private static KernelTask task(String op, String kernel, WorkerGrid grid, FloatArray[] arrays, long items, long loop, KernelTask.Adder adder) {
        return task(op, kernel, grid, List.of(arrays), items, loop, adder);
    }

    static KernelTask task(String op, String kernel, WorkerGrid grid, List<FloatArray> arrays, long items, long loop, KernelTask.Adder adder) {
        return new KernelTask(op, "", kernel, adder, grid, arrays, items, loop, items * loop, false);
    }

    /** A GEMM task: its loop is the reduction (K, times the batch when summed); its work the multiply-adds. */
    static KernelTask gemmTask(String op, String kernel, WorkerGrid grid, List<FloatArray> arrays, long items, long loop, long macs,
                                       KernelTask.Adder adder) {
        return new KernelTask(op, "", kernel, adder, grid, arrays, items, loop, macs, true);
    }

    static long macs(Gemm g) {
        return (long) g.batch() * g.m() * g.n() * g.k();
    }

    /** Flags travel to kernels as ints (0/1): TornadoVM compiles them in as constants like the sizes. */
    static int bit(boolean b) {
        return b ? 1 : 0;
    }

    static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }

    /** A 1-D grid of n work-items rounded up to a multiple of the local size (kernels skip the excess). */
    static WorkerGrid grid1(int n, int local) {
        int l = Math.max(1, Math.min(local, n));
        WorkerGrid1D g = new WorkerGrid1D(ceil(n, l) * l);
        g.setLocalWork(l, 1, 1);
        return g;
    }

    static WorkerGrid grid3(int x, int lx, int y, int ly, int z) {
        int ax = Math.max(1, Math.min(lx, x)), ay = Math.max(1, Math.min(ly, y));
        WorkerGrid3D g = new WorkerGrid3D(ceil(x, ax) * ax, ceil(y, ay) * ay, z);
        g.setLocalWork(ax, ay, 1);
        return g;
    }
}
