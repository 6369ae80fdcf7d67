package io.github.hopmixer.plan;

import java.util.Arrays;

/** A named flat float buffer of the plan; {@code shape} is row-major, as in PyTorch. */
public record Buffer(int id, String name, Role role, int[] shape) {

    public Buffer {
        shape = shape.clone();
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException("buffer " + name + " has non-positive dimension " + Arrays.toString(shape));
        }
    }

    public int size() {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE) throw new IllegalStateException("buffer " + name + " too large: " + n);
        return (int) n;
    }

    /** Parameters, their gradients, optimizer state and scalars live as long as the model; the rest is per plan. */
    public boolean shared() {
        return role == Role.PARAM || role == Role.GRAD || role == Role.OPT_STATE || role == Role.SCALARS;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
