package io.github.hopmixer.tornado;

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
 * Every int of the invocation is passed as a task argument, which TornadoVM compiles into the kernel as a
 * constant; values that change between steps are in buffers (SCALARS, INPUT), so the compiled kernels stay valid.
 */
final class KernelTasks {
    private KernelTasks() {}

    /** Device-side scratch buffers shared within a plan: transposed weights, and partial sums of split reductions. */
    interface Scratch {
        FloatArray transposed();

        FloatArray partials();
    }

    /** Which GEMM kernel runs an invocation's ints (batch, m, n, k, transA, transB, strideA, strideB, strideC, acc). */
    enum GemmKind { NN16, TRANSPOSE_NN16, NT8, GENERIC }

    static GemmKind gemmKind(int[] i) {
        int n = i[2], k = i[3], tA = i[4], tB = i[5], sA = i[6], sB = i[7], sC = i[8];
        if (tB == 0 && n % 16 == 0 && sB % 16 == 0 && sC % 16 == 0) return GemmKind.NN16;
        if (tB != 0 && sB == 0 && n % 16 == 0 && sC % 16 == 0) return GemmKind.TRANSPOSE_NN16;
        if (tB != 0 && tA == 0 && k % 8 == 0 && sA % 8 == 0 && sB % 8 == 0) return GemmKind.NT8;
        if (tB != 0 && n % 16 == 0 && sC % 16 == 0) return GemmKind.TRANSPOSE_NN16;
        return GemmKind.GENERIC;
    }

    /** Floats of transposed-weight scratch an invocation needs (0 for all but transposed GEMMs). */
    static long transposedFloats(Invocation inv) {
        if (inv.op() != io.github.hopmixer.plan.Op.GEMM) return 0;
        int[] i = inv.ints();
        if (gemmKind(i) != GemmKind.TRANSPOSE_NN16) return 0;
        return (long) (i[7] == 0 ? 1 : i[0]) * i[2] * i[3];
    }

    /** Floats of partial sums an invocation needs (split reductions only). */
    static long partialFloats(Invocation inv, TornadoConfig cfg) {
        if (inv.op() != io.github.hopmixer.plan.Op.GEMM) return 0;
        int[] i = inv.ints();
        int s = slices(i, cfg);
        return s > 1 ? (long) s * i[1] * i[2] : 0;
    }

    /**
     * Slices of the reduction of a vector-kernel GEMM that writes one c (batch 1, or the batch summed): enough to give
     * gemm.split.workitems work-items, each slice at least gemm.split.min long; 1 = not split.
     */
    static int slices(int[] i, TornadoConfig cfg) {
        GemmKind kind = gemmKind(i);
        if (kind != GemmKind.NN16 && kind != GemmKind.TRANSPOSE_NN16) return 1;
        int batch = i[0], m = i[1], n = i[2], k = i[3], sC = i[8];
        boolean reduce = sC == 0 && batch > 1;
        if (batch > 1 && !reduce) return 1;
        long items = (long) (n / GemmKernels.NN_COLUMNS) * ceil(m, cfg.gemmRows());
        long length = reduce ? batch : k;
        long want = ceil((int) Math.min(Integer.MAX_VALUE, cfg.gemmSplitWorkItems()), (int) Math.max(1, items));
        long most = (reduce ? (long) batch * k : k) / cfg.gemmSplitMin();
        return (int) Math.max(1, Math.min(Math.min(want, most), Math.min(length, 64)));
    }

    static List<KernelTask> of(Invocation inv, FloatArray[] a, TornadoConfig cfg, Scratch scratch) {
        int[] i = inv.ints();
        String op = inv.op().name();
        String shape = java.util.Arrays.toString(i);
        List<KernelTask> out = new ArrayList<>();
        int el = cfg.elementwiseLocal(), rl = cfg.rowsLocal();
        switch (inv.op()) {
            case GEMM -> gemm(op, a, i, cfg, scratch, out);
            case ADD_BIAS -> out.add(task(op, "BiasKernels.addBias", grid1(i[0] * i[1] * i[2], el), a,
                    (g, t, kc) -> g.task(t, BiasKernels::addBias, kc, a[0], a[1], i[0], i[1], i[2])));
            case BIAS_GRAD -> out.add(task(op, "BiasKernels.biasGrad", grid1(i[1], rl), a,
                    (g, t, kc) -> g.task(t, BiasKernels::biasGrad, kc, a[0], a[1], i[0], i[1], i[2], i[3])));
            case LAYERNORM -> out.add(task(op, "LayerNormKernels.forward", grid1(i[0], rl), a,
                    (g, t, kc) -> g.task(t, LayerNormKernels::forward, kc, a[0], a[1], a[2], a[3], a[4], a[5], i[0], i[1])));
            case LAYERNORM_BACKWARD_INPUT -> out.add(task(op, "LayerNormKernels.backwardInput", grid1(i[0], rl), a,
                    (g, t, kc) -> g.task(t, LayerNormKernels::backwardInput, kc, a[0], a[1], a[2], a[3], a[4], a[5], i[0], i[1], i[2])));
            case LAYERNORM_BACKWARD_PARAMS -> out.add(task(op, "LayerNormKernels.backwardParams", grid1(i[1], rl), a,
                    (g, t, kc) -> g.task(t, LayerNormKernels::backwardParams, kc, a[0], a[1], a[2], a[3], a[4], a[5], i[0], i[1], i[2])));
            case GELU -> out.add(task(op, "GeluKernels.forward", grid1(i[0], el), a,
                    (g, t, kc) -> g.task(t, GeluKernels::forward, kc, a[0], a[1], i[0])));
            case GELU_BACKWARD -> out.add(task(op, "GeluKernels.backward", grid1(i[0], el), a,
                    (g, t, kc) -> g.task(t, GeluKernels::backward, kc, a[0], a[1], a[2], i[0], i[1])));
            case RESIDUAL -> out.add(task(op, "ElementwiseKernels.residual", grid1(i[0] * i[1], el), a,
                    (g, t, kc) -> g.task(t, ElementwiseKernels::residual, kc, a[0], a[1], a[2], a[3], i[0], i[1])));
            case MASKED_ADD -> out.add(task(op, "ElementwiseKernels.maskedAdd", grid1(i[0] * i[1], el), a,
                    (g, t, kc) -> g.task(t, ElementwiseKernels::maskedAdd, kc, a[0], a[1], a[2], i[0], i[1], i[2])));
            case ADD -> out.add(task(op, "ElementwiseKernels.add", grid1(i[0], el), a,
                    (g, t, kc) -> g.task(t, ElementwiseKernels::add, kc, a[0], a[1], i[0], i[1])));
            case TOKEN_MEAN -> out.add(task(op, "TokenKernels.mean", grid1(i[0] * i[2], rl), a,
                    (g, t, kc) -> g.task(t, TokenKernels::mean, kc, a[0], a[1], i[0], i[1], i[2])));
            case TOKEN_MEAN_BACKWARD -> out.add(task(op, "TokenKernels.meanBackward", grid1(i[0] * i[1] * i[2], el), a,
                    (g, t, kc) -> g.task(t, TokenKernels::meanBackward, kc, a[0], a[1], i[0], i[1], i[2], i[3])));
            case PATCHIFY -> {
                int s = (i[2] / i[4]) * (i[3] / i[4]);
                out.add(task(op, "TokenKernels.patchify", grid1(i[0] * s * i[1] * i[4] * i[4], el), a,
                        (g, t, kc) -> g.task(t, TokenKernels::patchify, kc, a[0], a[1], i[0], i[1], i[2], i[3], i[4])));
            }
            case CROSS_ENTROPY -> out.add(task(op, "LossKernels.crossEntropy", grid1(i[0], rl), a,
                    (g, t, kc) -> g.task(t, LossKernels::crossEntropy, kc, a[0], a[1], a[2], a[3], i[0], i[1])));
            case SUM_SQUARES -> out.add(task(op, "LossKernels.sumSquares", grid1(1, 1), a,
                    (g, t, kc) -> g.task(t, LossKernels::sumSquares, kc, a[0], a[1], i[0], i[1])));
            case L2_GRAD -> out.add(task(op, "LossKernels.l2Grad", grid1(i[0], el), a,
                    (g, t, kc) -> g.task(t, LossKernels::l2Grad, kc, a[0], a[1], a[2], i[0], i[1])));
            case ADAMW -> out.add(task(op, "OptimizerKernels.adamW", grid1(i[0], el), a,
                    (g, t, kc) -> g.task(t, OptimizerKernels::adamW, kc, a[0], a[1], a[2], a[3], a[4], i[0], i[1])));
        }
        out.replaceAll(kt -> new KernelTask(kt.op(), shape, kt.kernel(), kt.adder(), kt.grid(), kt.arrays()));
        return out;
    }

    private static void gemm(String op, FloatArray[] a, int[] i, TornadoConfig cfg, Scratch scratch, List<KernelTask> out) {
        int batch = i[0], m = i[1], n = i[2], k = i[3], tA = i[4], tB = i[5], sA = i[6], sB = i[7], sC = i[8], acc = i[9];
        int z = sC == 0 && batch > 1 ? 1 : batch;
        FloatArray c = a[0], x = a[1], y = a[2];
        int slices = slices(i, cfg);
        switch (gemmKind(i)) {
            case NN16 -> nn16(op, c, x, y, batch, m, n, k, tA, sA, sB, sC, acc, z, slices, cfg, scratch, out);
            case TRANSPOSE_NN16 -> {
                int copies = sB == 0 ? 1 : batch;
                FloatArray t = scratch.transposed();
                out.add(task(op, "GemmKernels.transpose", grid3(n, 16, k, 1, copies), List.of(t, y),
                        (g, name, kc) -> g.task(name, GemmKernels::transpose, kc, t, y, n, k, sB)));
                nn16(op, c, x, t, batch, m, n, k, tA, sA, sB == 0 ? 0 : k * n, sC, acc, z, slices, cfg, scratch, out);
            }
            case NT8 -> {
                int tile = GemmKernels.NT_TILE;
                out.add(task(op, "GemmKernels.nt8", grid3(ceil(n, tile), cfg.gemmNtLocal(), ceil(m, tile), 1, z), a,
                        (g, name, kc) -> g.task(name, GemmKernels::nt8, kc, c, x, y, batch, m, n, k, sA, sB, sC, acc)));
            }
            case GENERIC -> out.add(task(op, "GemmKernels.scalar", grid3(n, cfg.gemmGenericLocal(), m, 1, z), a,
                    (g, name, kc) -> g.task(name, GemmKernels::scalar, kc, c, x, y, batch, m, n, k, tA, tB, sA, sB, sC, acc)));
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
        if (rows == 8) {
            out.add(task(op, "GemmKernels.nn16x8", grid, arrays,
                    (g, t, kc) -> g.task(t, GemmKernels::nn16x8, kc, dst, a, b, batch, m, n, k, tA, sA, sB, sC, a0, slices)));
        } else {
            out.add(task(op, "GemmKernels.nn16x4", grid, arrays,
                    (g, t, kc) -> g.task(t, GemmKernels::nn16x4, kc, dst, a, b, batch, m, n, k, tA, sA, sB, sC, a0, slices)));
        }
        if (slices > 1) {
            int count = m * n;
            out.add(task(op, "GemmKernels.sumSlices", grid1(count, cfg.elementwiseLocal()), List.of(c, dst),
                    (g, t, kc) -> g.task(t, GemmKernels::sumSlices, kc, c, dst, count, slices, acc)));
        }
    }

    private static KernelTask task(String op, String kernel, WorkerGrid grid, FloatArray[] arrays, KernelTask.Adder adder) {
        return new KernelTask(op, "", kernel, adder, grid, List.of(arrays));
    }

    private static KernelTask task(String op, String kernel, WorkerGrid grid, List<FloatArray> arrays, KernelTask.Adder adder) {
        return new KernelTask(op, "", kernel, adder, grid, arrays);
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
