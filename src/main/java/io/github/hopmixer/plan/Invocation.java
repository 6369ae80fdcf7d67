package io.github.hopmixer.plan;

import java.util.Arrays;

/** One kernel call: the op, its buffer arguments (in the op's order) and its int sizes. */
public record Invocation(Op op, Buffer[] buffers, int[] ints) {

    public Invocation {
        if (buffers.length != op.buffers()) {
            throw new IllegalArgumentException(op + " takes " + op.buffers() + " buffers, got " + buffers.length);
        }
        if (ints.length != op.ints()) {
            throw new IllegalArgumentException(op + " takes " + op.ints() + " ints, got " + ints.length);
        }
        buffers = buffers.clone();
        ints = ints.clone();
    }

    /** How many independent work items the op splits into (rows, columns, ...), for threads or a device grid. */
    public int parallelism() {
        return op.parallelism(ints);
    }

    @Override
    public String toString() {
        return op + Arrays.toString(buffers) + Arrays.toString(ints);
    }
}
