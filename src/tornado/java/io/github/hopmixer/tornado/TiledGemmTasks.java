package io.github.hopmixer.tornado;

import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.tornado.kernels.TiledGemmKernels;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.List;

/**
 * The GPU config's GEMM tasks ({@code gemm.kernel=tiled}, {@link TiledGemmKernels}): which tile, how many split-K
 * slices, and the slices' sum. Every transpose case and shape runs the same kernels, so no operand is copied.
 *
 * <p>The choice, per product: the 8 × 8 register-blocked tile when m and n are 128 or more and it gives
 * {@code gemm.tile8.workitems} work-items, else the 4 × 4 tile when it (with up to {@value #MAX_SLICES} slices) can give
 * {@code gemm.split.workitems}, else one output per work-item (a product with few outputs and a short
 * reduction, like the head's). A product that writes one c is split along its reduction until it has that many
 * work-items, each slice at least {@code gemm.split.min} long.
 */
final class TiledGemmTasks {
    private TiledGemmTasks() {}

    static final int MAX_SLICES = 64;

    /** The tile chosen for a product: outputs per work-item along each side (8, 4 or 1), and the split. */
    record Shape(int block, int slices) {
        int tile() {
            return TiledGemmKernels.GROUP * block;
        }
    }

    static Shape shape(Gemm g, TornadoConfig cfg) {
        long target = cfg.gemmSplitWorkItems();
        int most = mostSlices(g, cfg);
        long items8 = items(g, 8);
        // 8 × 8 only where its 128 × 128 tile is filled along both sides (else half of it would idle) and where it alone
        // gives gemm.tile8.workitems work-items: on the H200, 8192 × 128 outputs in 64 such groups left half the chip idle
        if (g.m() >= TiledGemmKernels.TILE8 && g.n() >= TiledGemmKernels.TILE8 && items8 >= cfg.gemmTile8WorkItems()) {
            return new Shape(8, slicesFor(items8, most, target));
        }
        long items4 = items(g, 4);
        if (items4 * most >= target) return new Shape(4, slicesFor(items4, most, target));
        return new Shape(1, slicesFor(items(g, 1), most, target));
    }

    static int slicesFor(long items, int most, long target) {
        return (int) Math.max(1, Math.min(most, (target + items - 1) / items));
    }

    /** The most slices a product's reduction may be cut into: 1 for per-image products (z is the image). */
    static int mostSlices(Gemm g, TornadoConfig cfg) {
        boolean reduce = g.batchSummed();
        if (g.batch() > 1 && !reduce) return 1;
        long length = reduce ? g.batch() : g.k();
        long total = (long) g.k() * (reduce ? g.batch() : 1);
        return (int) Math.max(1, Math.min(Math.min(length, total / cfg.gemmSplitMin()), MAX_SLICES));
    }

    /** Work-items with at least one output, per slice or image, times the images: the threads of a tile past m, n idle. */
    static long items(Gemm g, int block) {
        return working(g.m(), block) * working(g.n(), block) * (g.batchSummed() ? 1 : g.batch());
    }

    /** Of a side of {@code size} outputs cut into tiles of 16 × block, the work-items (16 a tile) owning any of them. */
    static long working(int size, int block) {
        int tile = TiledGemmKernels.GROUP * block;
        return (long) (size / tile) * TiledGemmKernels.GROUP + Math.min(TiledGemmKernels.GROUP, size % tile);
    }

    /** Floats of partial sums a product needs (0 when not split). */
    static long partialFloats(Gemm g, TornadoConfig cfg) {
        int s = shape(g, cfg).slices();
        return s > 1 ? (long) s * g.m() * g.n() : 0;
    }

    /** Lanes of the slices' sum: up to 16 work-items per output, until the sum has gemm.split.workitems of them. */
    static int lanes(int count, int slices, TornadoConfig cfg) {
        int lanes = 1;
        while (lanes < 16 && lanes * 2 <= slices && (long) count * lanes < cfg.gemmSplitWorkItems()) lanes *= 2;
        return lanes;
    }

    static void add(String op, FloatArray[] arrays, Gemm g, TornadoConfig cfg, KernelTasks.Scratch scratch, List<KernelTask> out) {
        int batch = g.batch(), m = g.m(), n = g.n(), k = g.k(), tA = KernelTasks.bit(g.transA()), tB = KernelTasks.bit(g.transB());
        int sA = g.strideA(), sB = g.strideB(), sC = g.strideC(), acc = KernelTasks.bit(g.acc());
        FloatArray c = arrays[0], a = arrays[1], b = arrays[2];
        Shape s = shape(g, cfg);
        int slices = s.slices(), tile = s.tile(), group = TiledGemmKernels.GROUP;
        boolean reduce = g.batchSummed();
        FloatArray dst = slices > 1 ? scratch.partials() : c;
        int z = slices > 1 ? slices : g.outputMatrices();
        WorkerGrid grid = KernelTasks.grid3(KernelTasks.ceil(n, tile) * group, group, KernelTasks.ceil(m, tile) * group, group, z);
        long items = items(g, s.block()) * (slices > 1 ? slices : 1);
        // the tiled K loop of one work-item: its images times K when summed, else K, or one slice of either
        long loop = slices > 1 ? (reduce ? (long) KernelTasks.ceil(batch, slices) * k : KernelTasks.ceil(k, slices))
                : (long) (reduce ? batch : 1) * k;
        List<FloatArray> used = List.of(dst, a, b);
        if (s.block() == 8) {
            out.add(KernelTasks.gemmTask(op, "TiledGemmKernels.tiled8x8", grid, used, items, loop, KernelTasks.macs(g),
                    (tg, t, kc) -> tg.task(t, TiledGemmKernels::tiled8x8, kc, dst, a, b, batch, m, n, k, tA, tB, sA, sB, sC, acc, slices)));
        } else if (s.block() == 4) {
            out.add(KernelTasks.gemmTask(op, "TiledGemmKernels.tiled4x4", grid, used, items, loop, KernelTasks.macs(g),
                    (tg, t, kc) -> tg.task(t, TiledGemmKernels::tiled4x4, kc, dst, a, b, batch, m, n, k, tA, tB, sA, sB, sC, acc, slices)));
        } else {
            out.add(KernelTasks.gemmTask(op, "TiledGemmKernels.tiled1x1", grid, used, items, loop, KernelTasks.macs(g),
                    (tg, t, kc) -> tg.task(t, TiledGemmKernels::tiled1x1, kc, dst, a, b, batch, m, n, k, tA, tB, sA, sB, sC, acc, slices)));
        }
        if (slices > 1) {
            int count = m * n;
            int lanes = lanes(count, slices, cfg);
            int width = TiledGemmKernels.SUM_GROUP / lanes;
            WorkerGrid2D sum = new WorkerGrid2D(KernelTasks.ceil(count, width) * width, lanes);
            sum.setLocalWork(width, lanes, 1);
            // a work-item's loop: its share of the slices, then (lane 0) the lanes' sums; work: the partial sums read
            out.add(new KernelTask(op, "", "TiledGemmKernels.sumSlices",
                    (tg, t, kc) -> tg.task(t, TiledGemmKernels::sumSlices, kc, c, dst, count, slices, lanes, acc),
                    sum, List.of(c, dst), (long) count * lanes, KernelTasks.ceil(slices, lanes) + lanes, (long) count * slices, false));
        }
    }
}
