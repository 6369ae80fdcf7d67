package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Tasks of the upload graphs. TornadoVM moves a buffer only when a task of the graph takes it, so the graph that
 * sends the host's copies of parameters, moments, images and step scalars to the device runs this one-work-item
 * kernel over them; it reads one element of each and writes a one-float sink.
 */
public final class TransferKernels {
    private TransferKernels() {}

    /** How many buffers one touch task takes (TornadoVM tasks take at most 20 arguments). */
    public static final int TOUCH_ARITY = 16;

    public static void touch(KernelContext kc, FloatArray sink, FloatArray a0, FloatArray a1, FloatArray a2, FloatArray a3, FloatArray a4,
                             FloatArray a5, FloatArray a6, FloatArray a7, FloatArray a8, FloatArray a9, FloatArray a10, FloatArray a11,
                             FloatArray a12, FloatArray a13, FloatArray a14, FloatArray a15) {
        if (kc.globalIdx == 0) {
            sink.set(0, a0.get(0) + a1.get(0) + a2.get(0) + a3.get(0) + a4.get(0) + a5.get(0) + a6.get(0) + a7.get(0) + a8.get(0)
                    + a9.get(0) + a10.get(0) + a11.get(0) + a12.get(0) + a13.get(0) + a14.get(0) + a15.get(0));
        }
    }
}
