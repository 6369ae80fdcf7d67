package io.github.hopmixer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** {@link Gemm}'s batch-summed nt product (the token weight gradient) as dot products along K. */
final class GemmDots {
    private GemmDots() {}

    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length();

    /** Rows of c per block of {@link #dots}: their lane sums (rows × n × L floats) stay in L2 while images pass. */
    private static final int DOT_ROWS = 16;
    /** Images per pass of {@link #dots}: their rows of a and b stay in L1 across the block's tiles. */
    private static final int DOT_IMAGES = 2;

    /**
     * c[i, j] (+)= Σ_b Σ_p a[b][i, p]·b[b][j, p] as dot products along p, contiguous in both operands: the token
     * weight gradient dH·Zᵀ summed over images, where transposing each image's Z cost as much as the products.
     * Tiles of 4 × 4 outputs keep 16 vector accumulators; each output keeps L lane sums in scratch while a few images
     * at a time pass over a block of rows (the images' data then stays in cache, instead of streaming all images
     * once per tile), and its lanes are summed in index order at the end. Every lane adds its products in the same
     * order (image, then p) whatever the block, tile or thread split.
     */
    static void dots(float[] c, float[] a, float[] b, int batch, int m, int n, int k, int strideA, int strideB,
                             int acc, int lo, int hi) {
        for (int r0 = lo; r0 < hi; r0 += DOT_ROWS) {
            int r1 = Math.min(hi, r0 + DOT_ROWS), size = (r1 - r0) * n * L;
            float[] part = Gemm.scratch(size);
            java.util.Arrays.fill(part, 0, size, 0f);
            for (int b0 = 0; b0 < batch; b0 += DOT_IMAGES) {
                int b1 = Math.min(batch, b0 + DOT_IMAGES);
                for (int j0 = 0; j0 < n; j0 += 4) {
                    for (int i0 = r0; i0 < r1; i0 += 4) {
                        if (r1 - i0 < 4 || n - j0 < 4 || k % L != 0) {
                            for (int i = i0; i < Math.min(r1, i0 + 4); i++)
                                for (int j = j0; j < Math.min(n, j0 + 4); j++) dot1(part, ((i - r0) * n + j) * L, a, b, b0, b1, k, strideA, strideB, i, j);
                            continue;
                        }
                        dot4x4(part, ((i0 - r0) * n + j0) * L, n * L, a, b, b0, b1, k, strideA, strideB, i0, j0);
                    }
                }
            }
            for (int i = r0; i < r1; i++)
                for (int j = 0; j < n; j++) {
                    int o = ((i - r0) * n + j) * L;
                    float sum = 0f;
                    for (int l = 0; l < L; l++) sum += part[o + l];
                    c[i * n + j] = acc != 0 ? c[i * n + j] + sum : sum;
                }
        }
    }

    /**
     * Lane sums of the 4 × 4 outputs (i0.., j0..) at part[o + r·rowStep + s·L] over images [b0, b1), for k a
     * multiple of L (no masks: with them C1 runs out of registers and the method can stay in slow C1 code).
     */
    private static void dot4x4(float[] part, int o, int rowStep, float[] a, float[] b, int b0, int b1, int k,
                               int strideA, int strideB, int i0, int j0) {
        int o0 = o, o1 = o + rowStep, o2 = o + 2 * rowStep, o3 = o + 3 * rowStep;
        FloatVector x00 = FloatVector.fromArray(SP, part, o0), x01 = FloatVector.fromArray(SP, part, o0 + L);
        FloatVector x02 = FloatVector.fromArray(SP, part, o0 + 2 * L), x03 = FloatVector.fromArray(SP, part, o0 + 3 * L);
        FloatVector x10 = FloatVector.fromArray(SP, part, o1), x11 = FloatVector.fromArray(SP, part, o1 + L);
        FloatVector x12 = FloatVector.fromArray(SP, part, o1 + 2 * L), x13 = FloatVector.fromArray(SP, part, o1 + 3 * L);
        FloatVector x20 = FloatVector.fromArray(SP, part, o2), x21 = FloatVector.fromArray(SP, part, o2 + L);
        FloatVector x22 = FloatVector.fromArray(SP, part, o2 + 2 * L), x23 = FloatVector.fromArray(SP, part, o2 + 3 * L);
        FloatVector x30 = FloatVector.fromArray(SP, part, o3), x31 = FloatVector.fromArray(SP, part, o3 + L);
        FloatVector x32 = FloatVector.fromArray(SP, part, o3 + 2 * L), x33 = FloatVector.fromArray(SP, part, o3 + 3 * L);
        for (int bb = b0; bb < b1; bb++) {
            int oa = bb * strideA, ob = bb * strideB;
            int pa0 = oa + i0 * k, pa1 = pa0 + k, pa2 = pa1 + k, pa3 = pa2 + k;
            int pb0 = ob + j0 * k, pb1 = pb0 + k, pb2 = pb1 + k, pb3 = pb2 + k;
            for (int p = 0; p < k; p += L) {
                FloatVector a0 = FloatVector.fromArray(SP, a, pa0 + p), a1 = FloatVector.fromArray(SP, a, pa1 + p);
                FloatVector a2 = FloatVector.fromArray(SP, a, pa2 + p), a3 = FloatVector.fromArray(SP, a, pa3 + p);
                FloatVector v0 = FloatVector.fromArray(SP, b, pb0 + p), v1 = FloatVector.fromArray(SP, b, pb1 + p);
                FloatVector v2 = FloatVector.fromArray(SP, b, pb2 + p), v3 = FloatVector.fromArray(SP, b, pb3 + p);
                x00 = a0.fma(v0, x00); x01 = a0.fma(v1, x01); x02 = a0.fma(v2, x02); x03 = a0.fma(v3, x03);
                x10 = a1.fma(v0, x10); x11 = a1.fma(v1, x11); x12 = a1.fma(v2, x12); x13 = a1.fma(v3, x13);
                x20 = a2.fma(v0, x20); x21 = a2.fma(v1, x21); x22 = a2.fma(v2, x22); x23 = a2.fma(v3, x23);
                x30 = a3.fma(v0, x30); x31 = a3.fma(v1, x31); x32 = a3.fma(v2, x32); x33 = a3.fma(v3, x33);
            }
        }
        x00.intoArray(part, o0); x01.intoArray(part, o0 + L); x02.intoArray(part, o0 + 2 * L); x03.intoArray(part, o0 + 3 * L);
        x10.intoArray(part, o1); x11.intoArray(part, o1 + L); x12.intoArray(part, o1 + 2 * L); x13.intoArray(part, o1 + 3 * L);
        x20.intoArray(part, o2); x21.intoArray(part, o2 + L); x22.intoArray(part, o2 + 2 * L); x23.intoArray(part, o2 + 3 * L);
        x30.intoArray(part, o3); x31.intoArray(part, o3 + L); x32.intoArray(part, o3 + 2 * L); x33.intoArray(part, o3 + 3 * L);
    }

    /** One output's lane sums at part[o], images [b0, b1): the same lane operations as {@link #dot4x4}. */
    private static void dot1(float[] part, int o, float[] a, float[] b, int b0, int b1, int k, int strideA, int strideB,
                             int i, int j) {
        FloatVector x = FloatVector.fromArray(SP, part, o);
        for (int bb = b0; bb < b1; bb++) {
            int oa = bb * strideA, ob = bb * strideB;
            for (int p = 0; p < k; p += L) {
                VectorMask<Float> mask = SP.indexInRange(p, k);
                x = FloatVector.fromArray(SP, a, oa + i * k + p, mask).fma(FloatVector.fromArray(SP, b, ob + j * k + p, mask), x);
            }
        }
        x.intoArray(part, o);
    }
}
