package io.github.hopmixer.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.List;

/**
 * One TornadoVM task: the kernel method it runs (for messages), how to add it to a graph under a name, its worker
 * grid, and the device buffers it touches.
 */
record KernelTask(String op, String shape, String kernel, Adder adder, WorkerGrid grid, List<FloatArray> arrays) {

    interface Adder {
        void add(TaskGraph graph, String taskName, KernelContext kc);
    }

    @Override
    public String toString() {
        return op + " (" + kernel + ")";
    }
}
