package io.github.hopmixer.sweep;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs a sweep's cells on this machine, {@code parallel} at a time, each with its share of the cores. */
public final class LocalLauncher {
    private LocalLauncher() {}

    /** Runs every cell that is not done; returns the number that failed or were left to another process. */
    public static int run(Sweep sweep, int parallel, Integer threadsPerCell, PrintStream out) {
        List<Cell> cells = sweep.cells();
        List<CellRunner.Outcome> outcomes = new ArrayList<>();
        if (parallel <= 1) {
            for (Cell c : cells) outcomes.add(CellRunner.run(sweep, c, threadsPerCell, out));
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(parallel);
            try {
                List<Future<CellRunner.Outcome>> fs = new ArrayList<>();
                for (Cell c : cells) fs.add(pool.submit(() -> CellRunner.run(sweep, c, threadsPerCell, out)));
                for (var f : fs) outcomes.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("sweep interrupted; run it again to continue");
            } catch (ExecutionException e) {
                throw new IllegalStateException("sweep: " + e.getCause().getMessage(), e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
        int ok = 0, skipped = 0, failed = 0, busy = 0, refused = 0;
        for (var o : outcomes) {
            switch (o) {
                case FINISHED -> ok++;
                case SKIPPED -> skipped++;
                case FAILED -> failed++;
                case BUSY -> busy++;
                case REFUSED -> refused++;
            }
        }
        out.printf(Locale.ROOT, "sweep %s: %d cells: %d trained now, %d already done, %d failed%s%s%n", sweep.dir(), cells.size(), ok, skipped, failed,
                refused > 0 ? ", " + refused + " refused" : "", busy > 0 ? ", " + busy + " left to another process" : "");
        if (failed > 0) out.println("sweep: run the same command again to retry the failed cells (each resumes from its last checkpoint)");
        // a refused cell fails the same way on every retry; its line above says why and what to do
        if (refused > 0) out.println("sweep: the refused cells need a change first (their lines above say what); a retry alone does not help");
        return failed + busy + refused;
    }
}
