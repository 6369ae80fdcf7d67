package io.github.hopmixer.plan;

import java.util.function.ToIntFunction;

/**
 * The kernels a step plan may call. Each op fixes its buffer and int arguments (documented per constant),
 * which buffers it writes, and how many independent work items it has. Every op has a double-precision
 * reference and a float JVM version in {@code io.github.hopmixer.kernels}, under the op's concern.
 * An {@code acc} int of 1 adds into the output instead of overwriting it (gradients with several uses).
 */
public enum Op {
    /** c[b] (+)= op(a[b]) · op(b[b]); buffers c, a, b; ints batch, M, N, K, transA, transB, strideA, strideB, strideC, acc. */
    GEMM(3, 10, new int[] {0}, i -> i[8] == 0 && i[0] > 1 ? i[1] : i[0] * i[1]),
    /** y[o, j, r] += bias[j]; buffers y, bias; ints outer, n, inner. */
    ADD_BIAS(2, 3, new int[] {0}, i -> i[0]),
    /** db[j] (+)= Σ_{o,r} dy[o, j, r]; buffers db, dy; ints outer, n, inner, acc. */
    BIAS_GRAD(2, 4, new int[] {0}, i -> i[1]),
    /** Row-wise LayerNorm with affine, eps 1e-6; buffers y, mean, rstd, x, gamma, beta; ints rows, dim. */
    LAYERNORM(6, 2, new int[] {0, 1, 2}, i -> i[0]),
    /** buffers dx, dy, x, mean, rstd, gamma; ints rows, dim, acc. */
    LAYERNORM_BACKWARD_INPUT(6, 3, new int[] {0}, i -> i[0]),
    /** buffers dgamma, dbeta, dy, x, mean, rstd; ints rows, dim, acc. */
    LAYERNORM_BACKWARD_PARAMS(6, 3, new int[] {0, 1}, i -> i[1]),
    /** Exact (erf) GELU; buffers y, x; ints n. */
    GELU(2, 1, new int[] {0}, i -> i[0]),
    /** buffers dx, dy, x; ints n, acc. */
    GELU_BACKWARD(3, 2, new int[] {0}, i -> i[0]),
    /** y = x + mask[b]·u, the residual sum with DropPath; buffers y, x, u, mask; ints batch, rowLen. */
    RESIDUAL(4, 2, new int[] {0}, i -> i[0] * i[1]),
    /** dx (+)= mask[b]·dy, DropPath's backward; buffers dx, dy, mask; ints batch, rowLen, acc. */
    MASKED_ADD(3, 3, new int[] {0}, i -> i[0] * i[1]),
    /** dst (+)= src; buffers dst, src; ints n, acc. */
    ADD(2, 2, new int[] {0}, i -> i[0]),
    /** y[b, c] = mean_s x[b, s, c]; buffers y, x; ints B, S, C. */
    TOKEN_MEAN(2, 3, new int[] {0}, i -> i[0]),
    /** dx[b, s, c] (+)= dy[b, c] / S; buffers dx, dy; ints B, S, C, acc. */
    TOKEN_MEAN_BACKWARD(2, 4, new int[] {0}, i -> i[0]),
    /** Image (B, Cin, H, W) to patch rows (B, S, Cin·P·P) in Conv2d weight order; buffers patches, image; ints B, Cin, H, W, P. */
    PATCHIFY(2, 5, new int[] {0}, i -> i[0]),
    /** Soft-target cross-entropy: losses[b] and dlogits = (softmax − t)/B; buffers losses, dlogits, logits, targets; ints B, K. */
    CROSS_ENTROPY(4, 2, new int[] {0, 1}, i -> i[0]),
    /** out[slot] = Σ w²; buffers out, w; ints n, slot. */
    SUM_SQUARES(2, 2, new int[] {0}, i -> 1),
    /** grad += 2·scalars[idx]·w, the λ‖W‖² penalty's gradient; buffers grad, w, scalars; ints n, idx. */
    L2_GRAD(3, 2, new int[] {0}, i -> i[0]),
    /** PyTorch AdamW (decoupled decay when decay = 1); buffers param, grad, m, v, scalars; ints n, decay. */
    ADAMW(5, 2, new int[] {0, 2, 3}, i -> i[0]);

    private final int buffers;
    private final int ints;
    private final int[] writes;
    private final ToIntFunction<int[]> parallelism;

    Op(int buffers, int ints, int[] writes, ToIntFunction<int[]> parallelism) {
        this.buffers = buffers;
        this.ints = ints;
        this.writes = writes;
        this.parallelism = parallelism;
    }

    public int buffers() { return buffers; }

    public int ints() { return ints; }

    public boolean writes(int arg) {
        for (int w : writes) if (w == arg) return true;
        return false;
    }

    /** Whether the op reads its output first (accumulates, or updates in place). */
    public boolean readsOutput(int[] args) {
        return switch (this) {
            case GEMM -> args[9] != 0;
            case BIAS_GRAD, LAYERNORM_BACKWARD_INPUT, LAYERNORM_BACKWARD_PARAMS, GELU_BACKWARD, MASKED_ADD,
                 ADD, TOKEN_MEAN_BACKWARD -> args[args.length - 1] != 0;
            case ADD_BIAS, L2_GRAD, ADAMW -> true;
            default -> false;
        };
    }

    public int parallelism(int[] args) {
        return parallelism.applyAsInt(args);
    }

    /** The least number of floats each buffer argument must hold for these ints: the plan's shape check. */
    public long[] minSizes(int[] i) {
        return switch (this) {
            case GEMM -> new long[] {
                    (long) (i[8] == 0 ? 0 : i[0] - 1) * i[8] + (long) i[1] * i[2],
                    (long) (i[0] - 1) * i[6] + (long) i[1] * i[3],
                    (long) (i[0] - 1) * i[7] + (long) i[3] * i[2]};
            case ADD_BIAS -> new long[] {(long) i[0] * i[1] * i[2], i[1]};
            case BIAS_GRAD -> new long[] {i[1], (long) i[0] * i[1] * i[2]};
            case LAYERNORM -> {
                long n = (long) i[0] * i[1];
                yield new long[] {n, i[0], i[0], n, i[1], i[1]};
            }
            case LAYERNORM_BACKWARD_INPUT -> {
                long n = (long) i[0] * i[1];
                yield new long[] {n, n, n, i[0], i[0], i[1]};
            }
            case LAYERNORM_BACKWARD_PARAMS -> {
                long n = (long) i[0] * i[1];
                yield new long[] {i[1], i[1], n, n, i[0], i[0]};
            }
            case GELU -> new long[] {i[0], i[0]};
            case GELU_BACKWARD -> new long[] {i[0], i[0], i[0]};
            case RESIDUAL -> {
                long n = (long) i[0] * i[1];
                yield new long[] {n, n, n, i[0]};
            }
            case MASKED_ADD -> {
                long n = (long) i[0] * i[1];
                yield new long[] {n, n, i[0]};
            }
            case ADD -> new long[] {i[0], i[0]};
            case TOKEN_MEAN -> new long[] {(long) i[0] * i[2], (long) i[0] * i[1] * i[2]};
            case TOKEN_MEAN_BACKWARD -> new long[] {(long) i[0] * i[1] * i[2], (long) i[0] * i[2]};
            case PATCHIFY -> {
                long s = (long) (i[2] / i[4]) * (i[3] / i[4]);
                yield new long[] {i[0] * s * i[1] * i[4] * i[4], (long) i[0] * i[1] * i[2] * i[3]};
            }
            case CROSS_ENTROPY -> {
                long n = (long) i[0] * i[1];
                yield new long[] {i[0], n, n, n};
            }
            case SUM_SQUARES -> new long[] {i[1] + 1L, i[0]};
            case L2_GRAD -> new long[] {i[0], i[0], Scalars.SIZE};
            case ADAMW -> new long[] {i[0], i[0], i[0], i[0], Scalars.SIZE};
        };
    }
}
