package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The plan's GEMM op, c[b] (+)= op(a[b])·op(b[b]), shaped for GPUs (tornado-config {@code gemm.kernel=tiled}): a
 * work-group of 16 × 16 work-items owns a tile of c and walks K in steps of {@value #TILE_K}, each step staging a
 * slab of op(a) and of op(b) in local memory (every value loaded from global memory then serves a whole row or column
 * of the tile), and each work-item keeps its outputs in registers. Transposes are handled by how the slabs are
 * loaded (consecutive work-items read consecutive addresses either way), so no operand is ever copied transposed.
 * Shapes need no alignment: loads past m, n or the reduction's end read zero, stores past m or n are skipped.
 *
 * <p>{@link #tiled4x4}: a 64 × 64 tile, 4 × 4 outputs per work-item (register blocking: per step of K a work-item
 * reads 4 values of a and 4 of b from local memory for 16 multiply-adds); its rows are ty, ty+16, ty+32, ty+48 and
 * its columns tx, tx+16, ..., so neighbouring work-items read neighbouring local-memory words and store neighbouring
 * columns of c. {@link #tiled8x8}: the same at 128 × 128 and 8 × 8 per work-item, for products with m and n of 128
 * or more. {@link #tiled1x1}: a 16 × 16 tile, one output per work-item, for products with too few outputs
 * for 4 × 4 blocks to fill a GPU (the head).
 *
 * <p>Grid (⌈n/T⌉·16, ⌈m/T⌉·16, z) with local size 16 × 16 × 1, T the tile. z is the image for per-image products;
 * when the product writes one c (batch 1, or the batch summed into a weight gradient) and has few outputs, z is a
 * slice of the reduction (split-K: the batch for a batch-summed product, else K), each slice writing its partial
 * sums to its own m × n block of c (then the partial buffer), which {@link #sumSlices} adds up.
 */
public final class TiledGemmKernels {
    private TiledGemmKernels() {}

    /** Work-items per side of a work-group. */
    public static final int GROUP = 16;
    /** K per local-memory step. */
    public static final int TILE_K = 16;
    /** Outputs per side of a work-group's tile for {@link #tiled4x4} and {@link #tiled8x8}. */
    public static final int TILE4 = 64;
    public static final int TILE8 = 128;
    /** Row length of a local slab: one word of padding keeps the transposing stores free of bank conflicts. */
    static final int LD4 = TILE4 + 1;
    static final int LD8 = TILE8 + 1;
    static final int LD1 = GROUP + 1;
    /** Local floats per slab: TILE_K rows of LD4 (LD1) words. Constants: local arrays need compile-time sizes. */
    static final int SLAB4 = TILE_K * LD4;
    static final int SLAB8 = TILE_K * LD8;
    static final int SLAB1 = TILE_K * LD1;
    /** Work-items of a {@link #sumSlices} group (lanes × columns). */
    public static final int SUM_GROUP = 256;

    /** c[idx] (+)= v, only inside m × n. */
    static void put(FloatArray c, int co, int m, int n, int i, int j, float v, int acc) {
        if (i < m && j < n) {
            int idx = co + i * n + j;
            if (acc != 0) {
                c.set(idx, c.get(idx) + v);
            } else {
                c.set(idx, v);
            }
        }
    }

    /** 64 × 64 tile, 4 × 4 outputs per work-item; see the class comment. */
    public static void tiled4x4(KernelContext kc, FloatArray c, FloatArray a, FloatArray b, int batch, int m, int n, int k,
                                int transA, int transB, int strideA, int strideB, int strideC, int acc, int slices) {
        float[] as = kc.allocateFloatLocalArray(SLAB4);
        float[] bs = kc.allocateFloatLocalArray(SLAB4);
        int tx = kc.localIdx;
        int ty = kc.localIdy;
        int i0 = kc.groupIdy * TILE4;
        int j0 = kc.groupIdx * TILE4;
        int t = ty * GROUP + tx;
        int bz = kc.globalIdz;
        boolean reduce = strideC == 0 && batch > 1;
        // The reduction this z runs: images b0..b1, K p0..p1 (a slice of one of them when split), into c at co.
        int b0 = reduce ? 0 : bz;
        int b1 = reduce ? batch : bz + 1;
        int p0 = 0;
        int p1 = k;
        int co = reduce ? 0 : bz * strideC;
        if (slices > 1) {
            int perB = (batch + slices - 1) / slices;
            int perK = (k + slices - 1) / slices;
            b0 = reduce ? bz * perB : 0;
            b1 = reduce ? TornadoMath.min(batch, bz * perB + perB) : 1;
            p0 = reduce ? 0 : bz * perK;
            p1 = reduce ? k : TornadoMath.min(k, bz * perK + perK);
            co = bz * m * n;
        }
        float s00 = 0f; float s01 = 0f; float s02 = 0f; float s03 = 0f;
        float s10 = 0f; float s11 = 0f; float s12 = 0f; float s13 = 0f;
        float s20 = 0f; float s21 = 0f; float s22 = 0f; float s23 = 0f;
        float s30 = 0f; float s31 = 0f; float s32 = 0f; float s33 = 0f;
        for (int bb = b0; bb < b1; bb++) {
            int oa = bb * strideA;
            int ob = bb * strideB;
            for (int q = p0; q < p1; q += TILE_K) {
                // Each of the 256 work-items loads 4 of the 1,024 values of each slab; consecutive work-items take
                // consecutive addresses of the operand as stored (along K, or along m / n when transposed).
                for (int l = 0; l < 4; l++) {
                    int e = t + l * GROUP * GROUP;
                    int ai = transA != 0 ? e % TILE4 : e / TILE_K;
                    int ap = transA != 0 ? e / TILE4 : e % TILE_K;
                    int gi = i0 + ai;
                    int gp = q + ap;
                    float va = 0f;
                    if (gi < m && gp < p1) {
                        va = transA != 0 ? a.get(oa + gp * m + gi) : a.get(oa + gi * k + gp);
                    }
                    as[ap * LD4 + ai] = va;
                    int bj = transB != 0 ? e / TILE_K : e % TILE4;
                    int bp = transB != 0 ? e % TILE_K : e / TILE4;
                    int gj = j0 + bj;
                    int gq = q + bp;
                    float vb = 0f;
                    if (gj < n && gq < p1) {
                        vb = transB != 0 ? b.get(ob + gj * k + gq) : b.get(ob + gq * n + gj);
                    }
                    bs[bp * LD4 + bj] = vb;
                }
                kc.localBarrier();
                for (int p = 0; p < TILE_K; p++) {
                    int ra = p * LD4 + ty;
                    int rb = p * LD4 + tx;
                    float a0 = as[ra];
                    float a1 = as[ra + 16];
                    float a2 = as[ra + 32];
                    float a3 = as[ra + 48];
                    float y0 = bs[rb];
                    float y1 = bs[rb + 16];
                    float y2 = bs[rb + 32];
                    float y3 = bs[rb + 48];
                    s00 += a0 * y0; s01 += a0 * y1; s02 += a0 * y2; s03 += a0 * y3;
                    s10 += a1 * y0; s11 += a1 * y1; s12 += a1 * y2; s13 += a1 * y3;
                    s20 += a2 * y0; s21 += a2 * y1; s22 += a2 * y2; s23 += a2 * y3;
                    s30 += a3 * y0; s31 += a3 * y1; s32 += a3 * y2; s33 += a3 * y3;
                }
                kc.localBarrier();
            }
        }
        int ac = slices > 1 ? 0 : acc;
        int i = i0 + ty;
        int j = j0 + tx;
        put(c, co, m, n, i, j, s00, ac); put(c, co, m, n, i, j + 16, s01, ac); put(c, co, m, n, i, j + 32, s02, ac); put(c, co, m, n, i, j + 48, s03, ac);
        put(c, co, m, n, i + 16, j, s10, ac); put(c, co, m, n, i + 16, j + 16, s11, ac); put(c, co, m, n, i + 16, j + 32, s12, ac); put(c, co, m, n, i + 16, j + 48, s13, ac);
        put(c, co, m, n, i + 32, j, s20, ac); put(c, co, m, n, i + 32, j + 16, s21, ac); put(c, co, m, n, i + 32, j + 32, s22, ac); put(c, co, m, n, i + 32, j + 48, s23, ac);
        put(c, co, m, n, i + 48, j, s30, ac); put(c, co, m, n, i + 48, j + 16, s31, ac); put(c, co, m, n, i + 48, j + 32, s32, ac); put(c, co, m, n, i + 48, j + 48, s33, ac);
    }

    /**
     * 128 × 128 tile, 8 × 8 outputs per work-item: per step of K a work-item reads 8 values of a and 8 of b from local
     * memory for 64 multiply-adds (twice the 4 × 4 tile's 2 per read), for products with m and n of 128 or more (the
     * channel MLP's). Rows ty + 16r and columns tx + 16c, r, c < 8; loads and bounds as in {@link #tiled4x4}.
     */
    public static void tiled8x8(KernelContext kc, FloatArray c, FloatArray a, FloatArray b, int batch, int m, int n, int k,
                                int transA, int transB, int strideA, int strideB, int strideC, int acc, int slices) {
        float[] as = kc.allocateFloatLocalArray(SLAB8);
        float[] bs = kc.allocateFloatLocalArray(SLAB8);
        int tx = kc.localIdx;
        int ty = kc.localIdy;
        int i0 = kc.groupIdy * TILE8;
        int j0 = kc.groupIdx * TILE8;
        int t = ty * GROUP + tx;
        int bz = kc.globalIdz;
        boolean reduce = strideC == 0 && batch > 1;
        int b0 = reduce ? 0 : bz;
        int b1 = reduce ? batch : bz + 1;
        int p0 = 0;
        int p1 = k;
        int co = reduce ? 0 : bz * strideC;
        if (slices > 1) {
            int perB = (batch + slices - 1) / slices;
            int perK = (k + slices - 1) / slices;
            b0 = reduce ? bz * perB : 0;
            b1 = reduce ? TornadoMath.min(batch, bz * perB + perB) : 1;
            p0 = reduce ? 0 : bz * perK;
            p1 = reduce ? k : TornadoMath.min(k, bz * perK + perK);
            co = bz * m * n;
        }
        float s00 = 0f; float s01 = 0f; float s02 = 0f; float s03 = 0f; float s04 = 0f; float s05 = 0f; float s06 = 0f; float s07 = 0f;
        float s10 = 0f; float s11 = 0f; float s12 = 0f; float s13 = 0f; float s14 = 0f; float s15 = 0f; float s16 = 0f; float s17 = 0f;
        float s20 = 0f; float s21 = 0f; float s22 = 0f; float s23 = 0f; float s24 = 0f; float s25 = 0f; float s26 = 0f; float s27 = 0f;
        float s30 = 0f; float s31 = 0f; float s32 = 0f; float s33 = 0f; float s34 = 0f; float s35 = 0f; float s36 = 0f; float s37 = 0f;
        float s40 = 0f; float s41 = 0f; float s42 = 0f; float s43 = 0f; float s44 = 0f; float s45 = 0f; float s46 = 0f; float s47 = 0f;
        float s50 = 0f; float s51 = 0f; float s52 = 0f; float s53 = 0f; float s54 = 0f; float s55 = 0f; float s56 = 0f; float s57 = 0f;
        float s60 = 0f; float s61 = 0f; float s62 = 0f; float s63 = 0f; float s64 = 0f; float s65 = 0f; float s66 = 0f; float s67 = 0f;
        float s70 = 0f; float s71 = 0f; float s72 = 0f; float s73 = 0f; float s74 = 0f; float s75 = 0f; float s76 = 0f; float s77 = 0f;
        for (int bb = b0; bb < b1; bb++) {
            int oa = bb * strideA;
            int ob = bb * strideB;
            for (int q = p0; q < p1; q += TILE_K) {
                // 8 of the 2,048 values of each slab per work-item, consecutive work-items on consecutive addresses
                for (int l = 0; l < 8; l++) {
                    int e = t + l * GROUP * GROUP;
                    int ai = transA != 0 ? e % TILE8 : e / TILE_K;
                    int ap = transA != 0 ? e / TILE8 : e % TILE_K;
                    int gi = i0 + ai;
                    int gp = q + ap;
                    float va = 0f;
                    if (gi < m && gp < p1) {
                        va = transA != 0 ? a.get(oa + gp * m + gi) : a.get(oa + gi * k + gp);
                    }
                    as[ap * LD8 + ai] = va;
                    int bj = transB != 0 ? e / TILE_K : e % TILE8;
                    int bp = transB != 0 ? e % TILE_K : e / TILE8;
                    int gj = j0 + bj;
                    int gq = q + bp;
                    float vb = 0f;
                    if (gj < n && gq < p1) {
                        vb = transB != 0 ? b.get(ob + gj * k + gq) : b.get(ob + gq * n + gj);
                    }
                    bs[bp * LD8 + bj] = vb;
                }
                kc.localBarrier();
                for (int p = 0; p < TILE_K; p++) {
                    int ra = p * LD8 + ty;
                    int rb = p * LD8 + tx;
                    float a0 = as[ra];
                    float a1 = as[ra + 16];
                    float a2 = as[ra + 32];
                    float a3 = as[ra + 48];
                    float a4 = as[ra + 64];
                    float a5 = as[ra + 80];
                    float a6 = as[ra + 96];
                    float a7 = as[ra + 112];
                    float y0 = bs[rb];
                    float y1 = bs[rb + 16];
                    float y2 = bs[rb + 32];
                    float y3 = bs[rb + 48];
                    float y4 = bs[rb + 64];
                    float y5 = bs[rb + 80];
                    float y6 = bs[rb + 96];
                    float y7 = bs[rb + 112];
                    s00 += a0 * y0; s01 += a0 * y1; s02 += a0 * y2; s03 += a0 * y3; s04 += a0 * y4; s05 += a0 * y5; s06 += a0 * y6; s07 += a0 * y7;
                    s10 += a1 * y0; s11 += a1 * y1; s12 += a1 * y2; s13 += a1 * y3; s14 += a1 * y4; s15 += a1 * y5; s16 += a1 * y6; s17 += a1 * y7;
                    s20 += a2 * y0; s21 += a2 * y1; s22 += a2 * y2; s23 += a2 * y3; s24 += a2 * y4; s25 += a2 * y5; s26 += a2 * y6; s27 += a2 * y7;
                    s30 += a3 * y0; s31 += a3 * y1; s32 += a3 * y2; s33 += a3 * y3; s34 += a3 * y4; s35 += a3 * y5; s36 += a3 * y6; s37 += a3 * y7;
                    s40 += a4 * y0; s41 += a4 * y1; s42 += a4 * y2; s43 += a4 * y3; s44 += a4 * y4; s45 += a4 * y5; s46 += a4 * y6; s47 += a4 * y7;
                    s50 += a5 * y0; s51 += a5 * y1; s52 += a5 * y2; s53 += a5 * y3; s54 += a5 * y4; s55 += a5 * y5; s56 += a5 * y6; s57 += a5 * y7;
                    s60 += a6 * y0; s61 += a6 * y1; s62 += a6 * y2; s63 += a6 * y3; s64 += a6 * y4; s65 += a6 * y5; s66 += a6 * y6; s67 += a6 * y7;
                    s70 += a7 * y0; s71 += a7 * y1; s72 += a7 * y2; s73 += a7 * y3; s74 += a7 * y4; s75 += a7 * y5; s76 += a7 * y6; s77 += a7 * y7;
                }
                kc.localBarrier();
            }
        }
        int ac = slices > 1 ? 0 : acc;
        int i = i0 + ty;
        int j = j0 + tx;
        put(c, co, m, n, i, j, s00, ac); put(c, co, m, n, i, j + 16, s01, ac); put(c, co, m, n, i, j + 32, s02, ac); put(c, co, m, n, i, j + 48, s03, ac); put(c, co, m, n, i, j + 64, s04, ac); put(c, co, m, n, i, j + 80, s05, ac); put(c, co, m, n, i, j + 96, s06, ac); put(c, co, m, n, i, j + 112, s07, ac);
        put(c, co, m, n, i + 16, j, s10, ac); put(c, co, m, n, i + 16, j + 16, s11, ac); put(c, co, m, n, i + 16, j + 32, s12, ac); put(c, co, m, n, i + 16, j + 48, s13, ac); put(c, co, m, n, i + 16, j + 64, s14, ac); put(c, co, m, n, i + 16, j + 80, s15, ac); put(c, co, m, n, i + 16, j + 96, s16, ac); put(c, co, m, n, i + 16, j + 112, s17, ac);
        put(c, co, m, n, i + 32, j, s20, ac); put(c, co, m, n, i + 32, j + 16, s21, ac); put(c, co, m, n, i + 32, j + 32, s22, ac); put(c, co, m, n, i + 32, j + 48, s23, ac); put(c, co, m, n, i + 32, j + 64, s24, ac); put(c, co, m, n, i + 32, j + 80, s25, ac); put(c, co, m, n, i + 32, j + 96, s26, ac); put(c, co, m, n, i + 32, j + 112, s27, ac);
        put(c, co, m, n, i + 48, j, s30, ac); put(c, co, m, n, i + 48, j + 16, s31, ac); put(c, co, m, n, i + 48, j + 32, s32, ac); put(c, co, m, n, i + 48, j + 48, s33, ac); put(c, co, m, n, i + 48, j + 64, s34, ac); put(c, co, m, n, i + 48, j + 80, s35, ac); put(c, co, m, n, i + 48, j + 96, s36, ac); put(c, co, m, n, i + 48, j + 112, s37, ac);
        put(c, co, m, n, i + 64, j, s40, ac); put(c, co, m, n, i + 64, j + 16, s41, ac); put(c, co, m, n, i + 64, j + 32, s42, ac); put(c, co, m, n, i + 64, j + 48, s43, ac); put(c, co, m, n, i + 64, j + 64, s44, ac); put(c, co, m, n, i + 64, j + 80, s45, ac); put(c, co, m, n, i + 64, j + 96, s46, ac); put(c, co, m, n, i + 64, j + 112, s47, ac);
        put(c, co, m, n, i + 80, j, s50, ac); put(c, co, m, n, i + 80, j + 16, s51, ac); put(c, co, m, n, i + 80, j + 32, s52, ac); put(c, co, m, n, i + 80, j + 48, s53, ac); put(c, co, m, n, i + 80, j + 64, s54, ac); put(c, co, m, n, i + 80, j + 80, s55, ac); put(c, co, m, n, i + 80, j + 96, s56, ac); put(c, co, m, n, i + 80, j + 112, s57, ac);
        put(c, co, m, n, i + 96, j, s60, ac); put(c, co, m, n, i + 96, j + 16, s61, ac); put(c, co, m, n, i + 96, j + 32, s62, ac); put(c, co, m, n, i + 96, j + 48, s63, ac); put(c, co, m, n, i + 96, j + 64, s64, ac); put(c, co, m, n, i + 96, j + 80, s65, ac); put(c, co, m, n, i + 96, j + 96, s66, ac); put(c, co, m, n, i + 96, j + 112, s67, ac);
        put(c, co, m, n, i + 112, j, s70, ac); put(c, co, m, n, i + 112, j + 16, s71, ac); put(c, co, m, n, i + 112, j + 32, s72, ac); put(c, co, m, n, i + 112, j + 48, s73, ac); put(c, co, m, n, i + 112, j + 64, s74, ac); put(c, co, m, n, i + 112, j + 80, s75, ac); put(c, co, m, n, i + 112, j + 96, s76, ac); put(c, co, m, n, i + 112, j + 112, s77, ac);
    }

    /** 16 × 16 tile, one output per work-item; see the class comment. */
    public static void tiled1x1(KernelContext kc, FloatArray c, FloatArray a, FloatArray b, int batch, int m, int n, int k,
                                int transA, int transB, int strideA, int strideB, int strideC, int acc, int slices) {
        float[] as = kc.allocateFloatLocalArray(SLAB1);
        float[] bs = kc.allocateFloatLocalArray(SLAB1);
        int tx = kc.localIdx;
        int ty = kc.localIdy;
        int i0 = kc.groupIdy * GROUP;
        int j0 = kc.groupIdx * GROUP;
        int bz = kc.globalIdz;
        boolean reduce = strideC == 0 && batch > 1;
        int b0 = reduce ? 0 : bz;
        int b1 = reduce ? batch : bz + 1;
        int p0 = 0;
        int p1 = k;
        int co = reduce ? 0 : bz * strideC;
        if (slices > 1) {
            int perB = (batch + slices - 1) / slices;
            int perK = (k + slices - 1) / slices;
            b0 = reduce ? bz * perB : 0;
            b1 = reduce ? TornadoMath.min(batch, bz * perB + perB) : 1;
            p0 = reduce ? 0 : bz * perK;
            p1 = reduce ? k : TornadoMath.min(k, bz * perK + perK);
            co = bz * m * n;
        }
        // This work-item's share of each slab: (row, k) = (ty, tx) along K, (tx, ty) when the operand is transposed.
        int ai = transA != 0 ? tx : ty;
        int ap = transA != 0 ? ty : tx;
        int bj = transB != 0 ? ty : tx;
        int bp = transB != 0 ? tx : ty;
        float s = 0f;
        for (int bb = b0; bb < b1; bb++) {
            int oa = bb * strideA;
            int ob = bb * strideB;
            for (int q = p0; q < p1; q += TILE_K) {
                int gi = i0 + ai;
                int gp = q + ap;
                float va = 0f;
                if (gi < m && gp < p1) {
                    va = transA != 0 ? a.get(oa + gp * m + gi) : a.get(oa + gi * k + gp);
                }
                as[ap * LD1 + ai] = va;
                int gj = j0 + bj;
                int gq = q + bp;
                float vb = 0f;
                if (gj < n && gq < p1) {
                    vb = transB != 0 ? b.get(ob + gj * k + gq) : b.get(ob + gq * n + gj);
                }
                bs[bp * LD1 + bj] = vb;
                kc.localBarrier();
                for (int p = 0; p < TILE_K; p++) {
                    s += as[p * LD1 + ty] * bs[p * LD1 + tx];
                }
                kc.localBarrier();
            }
        }
        put(c, co, m, n, i0 + ty, j0 + tx, s, slices > 1 ? 0 : acc);
    }

    /**
     * c (+)= Σ_s partial[s] for the slices of a split reduction: a work-group of {@value #SUM_GROUP} work-items is
     * {@code lanes} rows of {@code SUM_GROUP / lanes} consecutive outputs; lane l sums slices l, l + lanes, ... of its
     * output (coalesced across the row), then lane 0 adds the lanes' sums from local memory.
     */
    public static void sumSlices(KernelContext kc, FloatArray c, FloatArray partial, int count, int slices, int lanes, int acc) {
        float[] sums = kc.allocateFloatLocalArray(SUM_GROUP);
        int x = kc.globalIdx;
        int lane = kc.localIdy;
        int width = SUM_GROUP / lanes;
        int lx = kc.localIdx;
        float s = 0f;
        if (x < count) {
            for (int t = lane; t < slices; t += lanes) {
                s += partial.get(t * count + x);
            }
        }
        sums[lane * width + lx] = s;
        kc.localBarrier();
        if (lane == 0 && x < count) {
            float total = 0f;
            for (int l = 0; l < lanes; l++) {
                total += sums[l * width + lx];
            }
            if (acc != 0) {
                total = c.get(x) + total;
            }
            c.set(x, total);
        }
    }
}
