package io.github.hopmixer.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.List;

/**
 * One TornadoVM task: the kernel method it runs (for messages), how to add it to a graph under a name, its worker
 * grid, and the device buffers it touches; for the audit, its work-items that do work (the grid may be padded), the
 * longest serial loop one of them runs, the elements (multiply-adds for a GEMM) the launch processes in all, and
 * whether that loop is a GEMM's reduction.
 */
record KernelTask(String op, String shape, String kernel, Adder adder, WorkerGrid grid, List<FloatArray> arrays,
                  long items, long loop, long work, boolean gemmReduction) {

    KernelTask withShape(String s) {
        return new KernelTask(op, s, kernel, adder, grid, arrays, items, loop, work, gemmReduction);
    }

    KernelTask withGrid(WorkerGrid g) {
        return new KernelTask(op, shape, kernel, adder, g, arrays, items, loop, work, gemmReduction);
    }

    interface Adder {
        void add(TaskGraph graph, String taskName, KernelContext kc);
    }

    @Override
    public String toString() {
        return op + " (" + kernel + ")";
    }
}
