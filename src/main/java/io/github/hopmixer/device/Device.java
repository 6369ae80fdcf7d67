package io.github.hopmixer.device;

import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Memory;
import io.github.hopmixer.plan.Plan;

/**
 * Runs step plans. A device owns its buffers: parameters, gradients, optimizer state and scalars are shared by
 * name between the plans it has prepared (a training and an evaluation plan see the same weights); the host
 * moves data in and out only through named buffers.
 */
public interface Device extends AutoCloseable {

    /** Short name for logs and results, e.g. {@code jvm(2 threads)} or {@code reference}. */
    String name();

    /**
     * Whether it runs the fused ops ({@code ops.FusedOps}): step plans built for it ({@code StepPlans.training(model,
     * batch, device)}) use them then, and keep the unfused ops otherwise (their names end in {@code /fused} or not).
     */
    default boolean fusedOps() { return false; }

    /**
     * How plans built for it spend memory ({@link Memory}: liveness, recomputation); the same bits either way. The
     * default is {@link Memory#defaults()}; a device whose launches cost more than its memory overrides it.
     */
    default Memory planMemory() { return Memory.defaults(); }

    /** Allocates the plan's buffers (zeroed) and anything else it needs before {@link #execute}; idempotent. */
    void prepare(Plan plan);

    /** Runs every invocation of the plan, in order. */
    void execute(Plan plan);

    /** Host to device: copies {@code src} (exactly the buffer's size) into the buffer. */
    void write(Buffer buffer, float[] src);

    /** Device to host: copies the buffer into {@code dst}. */
    void read(Buffer buffer, float[] dst);

    @Override
    default void close() {}

    static void checkLength(Buffer b, int length) {
        if (length != b.size()) {
            throw new IllegalArgumentException("buffer " + b + " holds " + b.size() + " floats, host array has " + length);
        }
    }
}
