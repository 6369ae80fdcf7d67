package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Residual sums, their backward passes and asymmixer's transposed weight sum (see {@code io.github.hopmixer.kernels.Residual},
 * {@code Transpose}): one work-item per
 * element, grid n rounded up to the local size.
 */
public final class ElementwiseKernels {
    private ElementwiseKernels() {}

    /** RESIDUAL: y = x + mask[b]·u; y may be x. */
    public static void residual(KernelContext kc, FloatArray y, FloatArray x, FloatArray u, FloatArray mask, int batch, int rowLen) {
        int i = kc.globalIdx;
        if (i < batch * rowLen) {
            y.set(i, x.get(i) + mask.get(i / rowLen) * u.get(i));
        }
    }

    /** MASKED_ADD: dx (+)= mask[b]·dy. */
    public static void maskedAdd(KernelContext kc, FloatArray dx, FloatArray dy, FloatArray mask, int batch, int rowLen, int acc) {
        int i = kc.globalIdx;
        if (i < batch * rowLen) {
            float v = mask.get(i / rowLen) * dy.get(i);
            if (acc != 0) {
                v = dx.get(i) + v;
            }
            dx.set(i, v);
        }
    }

    /** ADD: dst (+)= src. */
    public static void add(KernelContext kc, FloatArray dst, FloatArray src, int n, int acc) {
        int i = kc.globalIdx;
        if (i < n) {
            float v = src.get(i);
            if (acc != 0) {
                v = dst.get(i) + v;
            }
            dst.set(i, v);
        }
    }

    /** TRANSPOSE_ADD: dst (+)= srcᵀ, dst rows × cols; one work-item per element of dst. */
    public static void transposeAdd(KernelContext kc, FloatArray dst, FloatArray src, int rows, int cols, int acc) {
        int i = kc.globalIdx;
        if (i < rows * cols) {
            float v = src.get((i % cols) * rows + i / cols);
            if (acc != 0) {
                v = dst.get(i) + v;
            }
            dst.set(i, v);
        }
    }
}
