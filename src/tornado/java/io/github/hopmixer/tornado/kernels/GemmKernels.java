package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.collections.VectorFloat16;
import uk.ac.manchester.tornado.api.types.collections.VectorFloat8;
import uk.ac.manchester.tornado.api.types.vectors.Float16;
import uk.ac.manchester.tornado.api.types.vectors.Float8;

import java.util.Set;

/**
 * The plan's GEMM op, c[b] (+)= op(a[b])·op(b[b]) (see {@code io.github.hopmixer.kernels.Gemm}), as TornadoVM
 * kernels. Ints arrive as task arguments, which TornadoVM compiles into the kernel as constants, so every branch on
 * transA, acc or the strides folds away and each shape gets its own specialised kernel.
 *
 * <p>{@link #nn16x8}: register-blocked for CPUs (and fine on GPUs): a work-item owns 8 rows × 16 columns of c, 8
 * {@code float16} accumulators, and per step of K loads one {@code float16} of b and broadcasts 8 values of a.
 * TornadoVM emits {@code vload16}/{@code vstore16} for {@code VectorFloat16} views of the flat buffers (PoCL does
 * not vectorise the equivalent scalar code across work-items: 12 GFLOP/s scalar against 85 vectorised here).
 * Needs n, strideB and strideC multiples of 16; op(a) may be transposed (its loads are scalars). Grid: (n/16,
 * ⌈m/8⌉, batch), or (n/16, ⌈m/8⌉, 1) when strideC is 0 and the batch is summed inside (weight gradients). A long
 * reduction over few outputs (the channel weight gradients: 512 × 128 outputs, K = 8192) is split into slices along
 * z, each writing partial sums that {@link #sumSlices} adds: more work-items, and each one's share of a and b
 * stays in cache.
 *
 * <p>{@link #nt8}: c = a·bᵀ with both operands contiguous along K, as dot products: a work-item owns 4 × 4
 * outputs held as {@code float8} partial sums over K. Needs k, strideA and strideB multiples of 8. Used for the
 * per-image transposed products (the token-mixing weight gradient); a transposed weight is instead copied once
 * with {@link #transpose} and multiplied by {@link #nn16x8}, which is faster.
 *
 * <p>{@link #scalar}: one work-item per output, any shape and flags: the tiny test models and odd sizes.
 */
public final class GemmKernels {
    private GemmKernels() {}

    /**
     * The kernels that wrap their FloatArrays in vector views (VectorFloat16 / VectorFloat8): TornadoVM's sketch counts
     * every array handed to a view's constructor as written, so the graph cutter must too ({@code GraphLayout}).
     */
    public static final Set<String> VECTOR_VIEWS = Set.of("GemmKernels.nn16x8", "GemmKernels.nn16x4", "GemmKernels.nt8");

    /** Rows of c per work-item of {@link #nn16x8} and {@link #nn16x4}; columns are 16 (one {@code float16}). */
    public static final int NN_COLUMNS = 16;
    /** Rows × columns of c per work-item of {@link #nt8}; K is read 8 at a time. */
    public static final int NT_TILE = 4;
    public static final int NT_WIDTH = 8;

    static Float16 splat(float s) {
        return new Float16(s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s);
    }

    static float sum8(Float8 v) {
        return ((v.getS0() + v.getS1()) + (v.getS2() + v.getS3())) + ((v.getS4() + v.getS5()) + (v.getS6() + v.getS7()));
    }

    static void store(FloatArray c, int index, float value, int acc) {
        if (acc != 0) {
            c.set(index, c.get(index) + value);
        } else {
            c.set(index, value);
        }
    }

    /** 8 rows × 16 columns per work-item; see the class comment. */
    public static void nn16x8(KernelContext kc, FloatArray c, FloatArray a, FloatArray b, int batch, int m, int n, int k,
                              int transA, int strideA, int strideB, int strideC, int acc, int slices) {
        int jw = kc.globalIdx;
        int i = kc.globalIdy * 8;
        int nw = n / 16;
        if (jw < nw && i < m) {
            int bz = kc.globalIdz;
            boolean reduce = strideC == 0 && batch > 1;
            // One slice of the reduction per z when split (batch-summed products split the batch, others split K), its
            // partial sums to c = the partial buffer, slice after slice; else z is the image.
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
            VectorFloat16 bv = new VectorFloat16(b);
            VectorFloat16 cv = new VectorFloat16(c);
            int cw = co / 16 + jw;
            // Rows past m (in the last block) repeat row m-1: the same value, stored to the same place. (Guarding the
            // stores with i + r < m instead trips TornadoVM 5.2's OpenCL back end when Graal proves the guard.)
            int r0 = TornadoMath.min(i + 0, m - 1);
            int r1 = TornadoMath.min(i + 1, m - 1);
            int r2 = TornadoMath.min(i + 2, m - 1);
            int r3 = TornadoMath.min(i + 3, m - 1);
            int r4 = TornadoMath.min(i + 4, m - 1);
            int r5 = TornadoMath.min(i + 5, m - 1);
            int r6 = TornadoMath.min(i + 6, m - 1);
            int r7 = TornadoMath.min(i + 7, m - 1);
            Float16 zero = new Float16(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
            Float16 x0 = acc != 0 ? cv.get(cw + r0 * nw) : zero;
            Float16 x1 = acc != 0 ? cv.get(cw + r1 * nw) : zero;
            Float16 x2 = acc != 0 ? cv.get(cw + r2 * nw) : zero;
            Float16 x3 = acc != 0 ? cv.get(cw + r3 * nw) : zero;
            Float16 x4 = acc != 0 ? cv.get(cw + r4 * nw) : zero;
            Float16 x5 = acc != 0 ? cv.get(cw + r5 * nw) : zero;
            Float16 x6 = acc != 0 ? cv.get(cw + r6 * nw) : zero;
            Float16 x7 = acc != 0 ? cv.get(cw + r7 * nw) : zero;
            for (int bb = b0; bb < b1; bb++) {
                int oa = bb * strideA;
                int ob = bb * (strideB / 16) + jw;
                for (int p = p0; p < p1; p++) {
                    Float16 v = bv.get(ob + p * nw);
                    x0 = Float16.add(x0, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r0) : a.get(oa + r0 * k + p))));
                    x1 = Float16.add(x1, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r1) : a.get(oa + r1 * k + p))));
                    x2 = Float16.add(x2, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r2) : a.get(oa + r2 * k + p))));
                    x3 = Float16.add(x3, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r3) : a.get(oa + r3 * k + p))));
                    x4 = Float16.add(x4, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r4) : a.get(oa + r4 * k + p))));
                    x5 = Float16.add(x5, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r5) : a.get(oa + r5 * k + p))));
                    x6 = Float16.add(x6, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r6) : a.get(oa + r6 * k + p))));
                    x7 = Float16.add(x7, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r7) : a.get(oa + r7 * k + p))));
                }
            }
            cv.set(cw + r0 * nw, x0);
            cv.set(cw + r1 * nw, x1);
            cv.set(cw + r2 * nw, x2);
            cv.set(cw + r3 * nw, x3);
            cv.set(cw + r4 * nw, x4);
            cv.set(cw + r5 * nw, x5);
            cv.set(cw + r6 * nw, x6);
            cv.set(cw + r7 * nw, x7);
        }
    }

    /** 4 rows × 16 columns per work-item: for devices with fewer vector registers (tornado-config gemm.rows=4). */
    public static void nn16x4(KernelContext kc, FloatArray c, FloatArray a, FloatArray b, int batch, int m, int n, int k,
                              int transA, int strideA, int strideB, int strideC, int acc, int slices) {
        int jw = kc.globalIdx;
        int i = kc.globalIdy * 4;
        int nw = n / 16;
        if (jw < nw && i < m) {
            int bz = kc.globalIdz;
            boolean reduce = strideC == 0 && batch > 1;
            // One slice of the reduction per z when split (batch-summed products split the batch, others split K), its
            // partial sums to c = the partial buffer, slice after slice; else z is the image.
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
            VectorFloat16 bv = new VectorFloat16(b);
            VectorFloat16 cv = new VectorFloat16(c);
            int cw = co / 16 + jw;
            // Rows past m (in the last block) repeat row m-1: the same value, stored to the same place. (Guarding the
            // stores with i + r < m instead trips TornadoVM 5.2's OpenCL back end when Graal proves the guard.)
            int r0 = TornadoMath.min(i + 0, m - 1);
            int r1 = TornadoMath.min(i + 1, m - 1);
            int r2 = TornadoMath.min(i + 2, m - 1);
            int r3 = TornadoMath.min(i + 3, m - 1);
            Float16 zero = new Float16(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
            Float16 x0 = acc != 0 ? cv.get(cw + r0 * nw) : zero;
            Float16 x1 = acc != 0 ? cv.get(cw + r1 * nw) : zero;
            Float16 x2 = acc != 0 ? cv.get(cw + r2 * nw) : zero;
            Float16 x3 = acc != 0 ? cv.get(cw + r3 * nw) : zero;
            for (int bb = b0; bb < b1; bb++) {
                int oa = bb * strideA;
                int ob = bb * (strideB / 16) + jw;
                for (int p = p0; p < p1; p++) {
                    Float16 v = bv.get(ob + p * nw);
                    x0 = Float16.add(x0, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r0) : a.get(oa + r0 * k + p))));
                    x1 = Float16.add(x1, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r1) : a.get(oa + r1 * k + p))));
                    x2 = Float16.add(x2, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r2) : a.get(oa + r2 * k + p))));
                    x3 = Float16.add(x3, Float16.mult(v, splat(transA != 0 ? a.get(oa + p * m + r3) : a.get(oa + r3 * k + p))));
                }
            }
            cv.set(cw + r0 * nw, x0);
            cv.set(cw + r1 * nw, x1);
            cv.set(cw + r2 * nw, x2);
            cv.set(cw + r3 * nw, x3);
        }
    }

    /** c = a·bᵀ as 4 × 4 dot products over K in {@code float8} lanes; see the class comment. */
    public static void nt8(KernelContext kc, FloatArray c, FloatArray a, FloatArray b, int batch, int m, int n, int k,
                           int strideA, int strideB, int strideC, int acc) {
        int j = kc.globalIdx * 4;
        int i = kc.globalIdy * 4;
        if (j < n && i < m) {
            int bz = kc.globalIdz;
            boolean reduce = strideC == 0 && batch > 1;
            int first = reduce ? 0 : bz;
            int last = reduce ? batch : bz + 1;
            VectorFloat8 av = new VectorFloat8(a);
            VectorFloat8 bv = new VectorFloat8(b);
            int kw = k / 8;
            int r0 = TornadoMath.min(i + 0, m - 1);
            int r1 = TornadoMath.min(i + 1, m - 1);
            int r2 = TornadoMath.min(i + 2, m - 1);
            int r3 = TornadoMath.min(i + 3, m - 1);
            int q0 = TornadoMath.min(j + 0, n - 1);
            int q1 = TornadoMath.min(j + 1, n - 1);
            int q2 = TornadoMath.min(j + 2, n - 1);
            int q3 = TornadoMath.min(j + 3, n - 1);
            Float8 x00 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x01 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x02 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x03 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
            Float8 x10 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x11 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x12 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x13 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
            Float8 x20 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x21 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x22 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x23 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
            Float8 x30 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x31 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x32 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f); Float8 x33 = new Float8(0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
            for (int bb = first; bb < last; bb++) {
                int oa = bb * (strideA / 8);
                int ob = bb * (strideB / 8);
                for (int p = 0; p < kw; p++) {
                    Float8 a0 = av.get(oa + r0 * kw + p);
                    Float8 a1 = av.get(oa + r1 * kw + p);
                    Float8 a2 = av.get(oa + r2 * kw + p);
                    Float8 a3 = av.get(oa + r3 * kw + p);
                    Float8 y0 = bv.get(ob + q0 * kw + p);
                    Float8 y1 = bv.get(ob + q1 * kw + p);
                    Float8 y2 = bv.get(ob + q2 * kw + p);
                    Float8 y3 = bv.get(ob + q3 * kw + p);
                    x00 = Float8.add(x00, Float8.mult(a0, y0)); x01 = Float8.add(x01, Float8.mult(a0, y1)); x02 = Float8.add(x02, Float8.mult(a0, y2)); x03 = Float8.add(x03, Float8.mult(a0, y3));
                    x10 = Float8.add(x10, Float8.mult(a1, y0)); x11 = Float8.add(x11, Float8.mult(a1, y1)); x12 = Float8.add(x12, Float8.mult(a1, y2)); x13 = Float8.add(x13, Float8.mult(a1, y3));
                    x20 = Float8.add(x20, Float8.mult(a2, y0)); x21 = Float8.add(x21, Float8.mult(a2, y1)); x22 = Float8.add(x22, Float8.mult(a2, y2)); x23 = Float8.add(x23, Float8.mult(a2, y3));
                    x30 = Float8.add(x30, Float8.mult(a3, y0)); x31 = Float8.add(x31, Float8.mult(a3, y1)); x32 = Float8.add(x32, Float8.mult(a3, y2)); x33 = Float8.add(x33, Float8.mult(a3, y3));
                }
            }
            int co = reduce ? 0 : bz * strideC;
            // Rows and columns past m, n repeat the last one; all of c is read before any store, so the
            // repeated stores write the same value (no guards: see nn16x8).
            float v00 = sum8(x00);
            float v01 = sum8(x01);
            float v02 = sum8(x02);
            float v03 = sum8(x03);
            float v10 = sum8(x10);
            float v11 = sum8(x11);
            float v12 = sum8(x12);
            float v13 = sum8(x13);
            float v20 = sum8(x20);
            float v21 = sum8(x21);
            float v22 = sum8(x22);
            float v23 = sum8(x23);
            float v30 = sum8(x30);
            float v31 = sum8(x31);
            float v32 = sum8(x32);
            float v33 = sum8(x33);
            if (acc != 0) {
                v00 = v00 + c.get(co + r0 * n + q0);
                v01 = v01 + c.get(co + r0 * n + q1);
                v02 = v02 + c.get(co + r0 * n + q2);
                v03 = v03 + c.get(co + r0 * n + q3);
                v10 = v10 + c.get(co + r1 * n + q0);
                v11 = v11 + c.get(co + r1 * n + q1);
                v12 = v12 + c.get(co + r1 * n + q2);
                v13 = v13 + c.get(co + r1 * n + q3);
                v20 = v20 + c.get(co + r2 * n + q0);
                v21 = v21 + c.get(co + r2 * n + q1);
                v22 = v22 + c.get(co + r2 * n + q2);
                v23 = v23 + c.get(co + r2 * n + q3);
                v30 = v30 + c.get(co + r3 * n + q0);
                v31 = v31 + c.get(co + r3 * n + q1);
                v32 = v32 + c.get(co + r3 * n + q2);
                v33 = v33 + c.get(co + r3 * n + q3);
            }
            c.set(co + r0 * n + q0, v00);
            c.set(co + r0 * n + q1, v01);
            c.set(co + r0 * n + q2, v02);
            c.set(co + r0 * n + q3, v03);
            c.set(co + r1 * n + q0, v10);
            c.set(co + r1 * n + q1, v11);
            c.set(co + r1 * n + q2, v12);
            c.set(co + r1 * n + q3, v13);
            c.set(co + r2 * n + q0, v20);
            c.set(co + r2 * n + q1, v21);
            c.set(co + r2 * n + q2, v22);
            c.set(co + r2 * n + q3, v23);
            c.set(co + r3 * n + q0, v30);
            c.set(co + r3 * n + q1, v31);
            c.set(co + r3 * n + q2, v32);
            c.set(co + r3 * n + q3, v33);
        }
    }

    /**
     * dst (k×n, per copy) = srcᵀ for src (n×k): the transposed weight that {@link #nn16x8} then streams by rows.
     * Grid (n, k, copies).
     */
    public static void transpose(KernelContext kc, FloatArray dst, FloatArray src, int n, int k, int srcStride) {
        int j = kc.globalIdx;
        int p = kc.globalIdy;
        int bz = kc.globalIdz;
        if (j < n && p < k) {
            dst.set(bz * n * k + p * n + j, src.get(bz * srcStride + j * k + p));
        }
    }

    /** c (+)= Σ_s partial[s]: the slices of a split reduction (see {@link #nn16x8}); one work-item per element of c. */
    public static void sumSlices(KernelContext kc, FloatArray c, FloatArray partial, int count, int slices, int acc) {
        int i = kc.globalIdx;
        if (i < count) {
            float s = 0f;
            for (int t = 0; t < slices; t++) {
                s += partial.get(t * count + i);
            }
            if (acc != 0) {
                s = c.get(i) + s;
            }
            c.set(i, s);
        }
    }

    /** One work-item per output c[(b,) i, j]: grid (n, m, batch), or (n, m, 1) when the batch is summed. */
    public static void scalar(KernelContext kc, FloatArray c, FloatArray a, FloatArray b, int batch, int m, int n, int k,
                               int transA, int transB, int strideA, int strideB, int strideC, int acc) {
        int j = kc.globalIdx;
        int i = kc.globalIdy;
        if (j < n && i < m) {
            int bz = kc.globalIdz;
            boolean reduce = strideC == 0 && batch > 1;
            int b0 = reduce ? 0 : bz;
            int b1 = reduce ? batch : bz + 1;
            float s = 0f;
            for (int bb = b0; bb < b1; bb++) {
                int oa = bb * strideA;
                int ob = bb * strideB;
                for (int p = 0; p < k; p++) {
                    float x = transA != 0 ? a.get(oa + p * m + i) : a.get(oa + i * k + p);
                    float y = transB != 0 ? b.get(ob + j * k + p) : b.get(ob + p * n + j);
                    s += x * y;
                }
            }
            store(c, (reduce ? 0 : bz * strideC) + i * n + j, s, acc);
        }
    }
}
