package io.github.hopmixer.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress as plain lines, for output that is not a terminal (a pipe, {@code nohup}, a batch job), where a
 * progress bar would print nothing until an epoch ends: a line every {@code every} steps, and at least every
 * {@link #MAX_SILENCE_NANOS} so a slow run still shows it is alive.
 */
final class ProgressLog {
    static final long MAX_SILENCE_NANOS = 30_000_000_000L;
    private final PrintStream out;
    private final int every, batchSize;
    private final long totalSteps, firstStep, t0;
    private final LongSupplier clock;
    private long lastLine;

    ProgressLog(PrintStream out, int every, long totalSteps, long firstStep, int batchSize) {
        this(out, every, totalSteps, firstStep, batchSize, System::nanoTime);
    }

    /** With {@code clock} in nanoseconds (a test's). */
    ProgressLog(PrintStream out, int every, long totalSteps, long firstStep, int batchSize, LongSupplier clock) {
        this.clock = clock;
        this.out = out;
        this.every = every;
        this.totalSteps = totalSteps;
        this.firstStep = firstStep;
        this.batchSize = batchSize;
        this.t0 = this.lastLine = clock.getAsLong();
    }

    /** After {@code step} (1-based, counted over the whole run) finished with the epoch's mean loss so far. */
    void step(int epoch, long step, double epochLoss) {
        long now = clock.getAsLong();
        if (step % every != 0 && now - lastLine < MAX_SILENCE_NANOS) return;
        lastLine = now;
        double secs = (now - t0) / 1e9, perStep = secs / Math.max(1, step - firstStep);
        out.printf(Locale.ROOT, "epoch %d  step %d/%d  loss %.4f  %.0f img/s  ETA %s%n", epoch, step, totalSteps, epochLoss,
                (step - firstStep) * batchSize / Math.max(secs, 1e-9), duration(perStep * (totalSteps - step)));
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return s / 60 + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        return s / 3600 + "h" + String.format(Locale.ROOT, "%02d", s % 3600 / 60) + "m";
    }
}
