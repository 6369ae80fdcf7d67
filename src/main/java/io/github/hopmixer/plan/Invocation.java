package io.github.hopmixer.plan;

import io.github.hopmixer.ops.Op;

import java.util.Arrays;

/** One kernel call: the op with its named arguments, and its buffer arguments in the order the op documents. */
public record Invocation(Op op, Buffer[] buffers) {

    public Invocation {
        if (buffers.length != op.arity()) {
            throw new IllegalArgumentException(op.name() + " takes " + op.arity() + " buffers, got " + buffers.length);
        }
        buffers = buffers.clone();
    }

    /** How many independent work items the op splits into (rows, columns, ...), for threads or a device grid. */
    public int parallelism() {
        return op.parallelism();
    }

    @Override
    public String toString() {
        return op + " on " + Arrays.toString(buffers);
    }
}
