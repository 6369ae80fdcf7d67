package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The last task of every task graph of a plan counts its graph's runs in one float of a small device buffer, which
 * the host reads after each execution: TornadoVM 5.2 only prints a kernel launch it could not make and goes on, so a
 * graph that did not run to its end would otherwise leave its outputs stale without a word.
 */
public final class CanaryKernels {
    private CanaryKernels() {}

    /** One work-item: marks[slot] += 1 (exact in float up to 2^24 runs). */
    public static void mark(KernelContext kc, FloatArray marks, int slot) {
        if (kc.globalIdx == 0) {
            marks.set(slot, marks.get(slot) + 1f);
        }
    }
}
