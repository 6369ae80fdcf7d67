package io.github.hopmixer.model;

import java.util.Arrays;

/** A parameter as the official {@code state_dict} has it: name, shape, initialiser; decay follows timm's rule. */
public record ParamSpec(String name, int[] shape, Init init) {

    /** Initialisers of the official {@code _init_weights}. */
    public enum Init { XAVIER_UNIFORM, LECUN_NORMAL, ZEROS, ONES, NORMAL_1E_6 }

    public ParamSpec {
        shape = shape.clone();
    }

    public long size() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** timm's {@code param_groups_weight_decay}: no decay on 1-D tensors and biases. */
    public boolean decay() {
        return shape.length >= 2 && !name.endsWith(".bias");
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
