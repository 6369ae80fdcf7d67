package io.github.hopmixer.device;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The JVM device's threads: the calling thread and {@code threads − 1} workers run each invocation's chunks of work
 * items, claimed one at a time, so a thread that the machine slows down takes fewer of them. Between invocations the
 * workers spin for {@link #SPIN_NANOS} before they park: a step's next invocation starts within microseconds, where
 * a fork-join pool woke a parked worker and then the waiting caller, and an invocation's threads rarely ended
 * together (on this 2-core machine the nano step lost about a tenth of its time so; measured with
 * {@code hopmixer bench --profile}). Which thread runs a chunk never changes a result: kernels compute every work
 * item the same way whatever range it comes in.
 */
final class Workers implements AutoCloseable {
    /** A range of work items [lo, hi). */
    interface Chunk {
        void run(int lo, int hi);
    }

    /**
     * How long a worker waits for the next invocation before it parks: longer than the gap between a step's
     * invocations, short enough that idle workers leave the cores to data loading between steps.
     */
    static final long SPIN_NANOS = 200_000;

    private final Thread[] workers;
    /** The invocation in progress: its number (high 32 bits) and the next chunk to claim (low 32 bits). */
    private final AtomicLong ticket = new AtomicLong();
    /** Chunks of the invocation in progress that have finished. */
    private final AtomicInteger done = new AtomicInteger();
    private final boolean[] parked;
    private volatile boolean closed;
    private int generation;
    /** The invocation in progress, written before {@link #ticket} publishes its number. */
    private volatile Job job;
    private volatile Throwable failure;

    private record Job(int gen, Chunk task, int[] bounds) {}

    Workers(int threads, String name) {
        workers = new Thread[threads - 1];
        parked = new boolean[workers.length];
        for (int i = 0; i < workers.length; i++) {
            int id = i;
            workers[i] = Thread.ofPlatform().daemon().name(name + "-" + (i + 1)).unstarted(() -> work(id));
            workers[i].start();
        }
    }

    /** Threads that run chunks, the caller's included. */
    int threads() {
        return workers.length + 1;
    }

    /**
     * Runs chunk c of every c in [0, bounds.length − 1): work items [bounds[c], bounds[c + 1]); returns when all have
     * run. An error in any chunk is rethrown here once all have ended.
     */
    synchronized void run(int[] bounds, Chunk task) {
        if (closed) throw new IllegalStateException("the JVM device is closed");
        int chunks = bounds.length - 1;
        if (workers.length == 0 || chunks == 1) {
            for (int c = 0; c < chunks; c++) task.run(bounds[c], bounds[c + 1]);
            return;
        }
        failure = null;
        done.set(0);
        if (++generation == 0) generation = 1; // 0 is the workers' "seen none yet"
        int gen = generation;
        Job j = new Job(gen, task, bounds);
        job = j;
        ticket.set((long) gen << 32);
        for (int i = 0; i < workers.length; i++) {
            if (isParked(i)) LockSupport.unpark(workers[i]);
        }
        claim(j);
        for (long start = System.nanoTime(); done.get() < chunks; ) pause(start);
        Throwable f = failure;
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error e) throw e;
        if (f != null) throw new IllegalStateException(f);
    }

    /** Claims and runs chunks of the job until none is left, or the ticket has moved on to a later job. */
    private void claim(Job j) {
        int chunks = j.bounds.length - 1;
        while (true) {
            long t = ticket.get();
            int c = (int) t;
            if ((int) (t >>> 32) != j.gen || c >= chunks) return;
            if (!ticket.compareAndSet(t, t + 1)) continue;
            try {
                j.task.run(j.bounds[c], j.bounds[c + 1]);
            } catch (Throwable e) {
                failure = e;
            } finally {
                done.incrementAndGet();
            }
        }
    }

    private void work(int id) {
        int seen = 0;
        while (!closed) {
            long t = ticket.get();
            int gen = (int) (t >>> 32);
            if (gen != seen) {
                seen = gen;
                // The caller writes the job before its ticket: this is gen's job, or a later one (gen has then
                // ended, and the later ticket is seen next).
                Job j = job;
                if (j != null && j.gen == gen) claim(j);
                continue;
            }
            long start = System.nanoTime();
            while (!closed && (int) (ticket.get() >>> 32) == seen && System.nanoTime() - start < SPIN_NANOS) pause(start);
            if ((int) (ticket.get() >>> 32) != seen || closed) continue;
            setParked(id, true);
            if ((int) (ticket.get() >>> 32) == seen && !closed) LockSupport.park(this);
            setParked(id, false);
        }
    }

    /**
     * One turn of a wait: a spin hint at first, then a yield, so that with more threads than cores a waiting thread
     * gives its core to the one it waits for.
     */
    private static void pause(long start) {
        if (System.nanoTime() - start < YIELD_AFTER_NANOS) Thread.onSpinWait();
        else Thread.yield();
    }

    private static final long YIELD_AFTER_NANOS = 20_000;

    private boolean isParked(int i) {
        return (boolean) PARKED.getVolatile(parked, i);
    }

    private void setParked(int i, boolean v) {
        PARKED.setVolatile(parked, i, v);
    }

    private static final java.lang.invoke.VarHandle PARKED = java.lang.invoke.MethodHandles.arrayElementVarHandle(boolean[].class);

    /** Stops the workers and waits for them to end. */
    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
