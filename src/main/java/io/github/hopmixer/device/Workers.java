package io.github.hopmixer.device;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The JVM device's threads: the calling thread and {@code threads − 1} workers run each invocation's chunks of work
 * items, claimed one at a time, so a thread that the machine slows down takes fewer of them. Between invocations the
 * workers spin for {@link #SPIN_NANOS} before they park: a step's next invocation starts within microseconds, where
 * a fork-join pool woke a parked worker and then the waiting caller (on this 2-core machine the nano steps ran
 * 1.09–1.13× faster so: old and new device alternated in one process). Which thread runs a chunk never changes a
 * result: kernels compute every work item the same way whatever range it comes in.
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
    /** How long a parked worker waits before it ends (a device nobody closed leaves no threads behind for good). */
    static final long IDLE_NANOS = 30_000_000_000L;
    private final long idleNanos;
    /** After this long a waiting thread yields its core instead of spinning (more threads than cores). */
    private static final long YIELD_AFTER_NANOS = 20_000;

    private final String name;
    private final Thread[] workers;
    /** Per worker: parked (1), ended for idleness (2), else 0; read and written as volatile. */
    private final int[] state;
    private static final int RUNNING = 0, PARKED = 1, ENDED = 2;
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(int[].class);

    /** The invocation in progress: its number (high 32 bits) and the next chunk to claim (low 32 bits). */
    private final AtomicLong ticket = new AtomicLong();
    /** Chunks of the invocation in progress that have finished. */
    private final AtomicInteger done = new AtomicInteger();
    /** The first error of the invocation in progress; later ones are added to it as suppressed. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** The invocation in progress, written before {@link #ticket} publishes its number; null between invocations. */
    private volatile Job job;
    private volatile boolean closed;
    private int generation;
    private boolean running;

    private record Job(int gen, Chunk task, int[] bounds) {}

    Workers(int threads, String name) {
        this(threads, name, IDLE_NANOS);
    }

    Workers(int threads, String name, long idleNanos) {
        this.name = name;
        this.idleNanos = idleNanos;
        workers = new Thread[threads - 1];
        state = new int[workers.length];
        for (int i = 0; i < workers.length; i++) start(i);
    }

    private void start(int i) {
        STATE.setVolatile(state, i, RUNNING);
        // Stored before it starts, so the thread finds itself in workers[] (see refuseFromWorker).
        workers[i] = Thread.ofPlatform().daemon().name(name + "-" + (i + 1)).unstarted(() -> work(i));
        try {
            workers[i].start();
        } catch (Throwable e) {
            STATE.setVolatile(state, i, ENDED); // no thread behind it: the next invocation tries again
            throw e;
        }
    }

    /**
     * A kernel running on a worker that invokes or closes this pool would wait for the invocation it is part of:
     * refused, as the caller's own nested invocation is.
     */
    private void refuseFromWorker(String what) {
        Thread me = Thread.currentThread();
        for (Thread w : workers) {
            if (w == me) throw fromKernel(what);
        }
    }

    /** The one-line refusal of a kernel that started an invocation or closed the pool, on any of its threads. */
    private static IllegalStateException fromKernel(String what) {
        return new IllegalStateException("a kernel of the JVM device " + what);
    }

    private static final String INVOKED = "started another invocation", CLOSED = "closed it";

    /** Threads that run chunks, the caller's included. */
    int threads() {
        return workers.length + 1;
    }

    /**
     * Runs chunk c of every c in [0, bounds.length − 1): work items [bounds[c], bounds[c + 1]); returns when all have
     * run. The first error of a chunk is rethrown here once every chunk has ended, later ones suppressed in it.
     */
    void run(int[] bounds, Chunk task) {
        refuseFromWorker(INVOKED);
        runOnCaller(bounds, task);
    }

    private synchronized void runOnCaller(int[] bounds, Chunk task) {
        if (closed) throw new IllegalStateException("the JVM device is closed");
        if (running) throw fromKernel(INVOKED);
        running = true;
        try {
            int chunks = bounds.length - 1;
            failure.set(null);
            if (workers.length == 0 || chunks <= 1) {
                for (int c = 0; c < chunks; c++) runChunk(task, bounds[c], bounds[c + 1]);
            } else {
                // Workers idle long enough to end come back before the job is published: a thread that cannot be
                // started then fails this invocation before any chunk of it runs.
                for (int i = 0; i < workers.length; i++) {
                    if ((int) STATE.getVolatile(state, i) == ENDED) start(i);
                }
                done.set(0);
                if (++generation == 0) generation = 1; // 0 is the workers' "seen none yet"
                Job j = new Job(generation, task, bounds);
                job = j;
                ticket.set((long) j.gen << 32);
                for (int i = 0; i < workers.length; i++) {
                    if ((int) STATE.getVolatile(state, i) == PARKED) LockSupport.unpark(workers[i]);
                }
                claim(j);
                for (long start = System.nanoTime(); done.get() < chunks; ) pause(start);
                job = null; // no task held between invocations (a thread's packed GEMM operand may still keep one array)
            }
        } finally {
            running = false;
        }
        Throwable f = failure.getAndSet(null);
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error e) throw e;
        if (f != null) throw new IllegalStateException(f);
    }

    private void runChunk(Chunk task, int lo, int hi) {
        try {
            task.run(lo, hi);
        } catch (Throwable e) {
            if (!failure.compareAndSet(null, e)) {
                // Several chunks may throw the very same instance (the JVM's preallocated exceptions): a throwable
                // cannot suppress itself.
                Throwable first = failure.get();
                if (first != e) first.addSuppressed(e);
            }
        }
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
                runChunk(j.task, j.bounds[c], j.bounds[c + 1]);
            } finally {
                done.incrementAndGet(); // whatever happens, the caller must not wait for this chunk forever
            }
        }
    }

    private void work(int id) {
        try {
            workLoop(id);
        } finally {
            STATE.setVolatile(state, id, ENDED); // however it ends, the next invocation starts a new thread
        }
    }

    private void workLoop(int id) {
        int seen = 0; // a worker started for a job in progress joins it
        while (!closed) {
            int gen = (int) (ticket.get() >>> 32);
            if (gen != seen) {
                seen = gen;
                // The caller writes the job before its ticket: this is gen's job, or a later one (gen has then
                // ended, and the later ticket is seen next), or null (gen has ended).
                Job j = job;
                if (j != null && j.gen == gen) claim(j);
                continue;
            }
            long start = System.nanoTime();
            while (!closed && (int) (ticket.get() >>> 32) == seen && System.nanoTime() - start < SPIN_NANOS) pause(start);
            if ((int) (ticket.get() >>> 32) != seen || closed) continue;
            STATE.setVolatile(state, id, PARKED);
            long parkedAt = System.nanoTime();
            while ((int) (ticket.get() >>> 32) == seen && !closed) {
                if (System.nanoTime() - parkedAt > idleNanos) {
                    // Ends (work() marks it ENDED as its last write, so a new thread started for it is never marked
                    // by this one); the next invocation starts a new thread (one published meanwhile runs without it).
                    return;
                }
                Thread.interrupted(); // an interrupt would make park return at once, forever
                LockSupport.parkNanos(this, idleNanos);
            }
            STATE.setVolatile(state, id, RUNNING);
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

    /** Whether worker i has ended for idleness (for tests). */
    boolean ended(int i) {
        return (int) STATE.getVolatile(state, i) == ENDED;
    }

    /** Worker i's thread (for tests). */
    Thread worker(int i) {
        return workers[i];
    }

    /** Stops the workers and waits for them to end; waits for an invocation in progress on another thread first. */
    @Override
    public void close() {
        refuseFromWorker(CLOSED);
        closeOnCaller();
    }

    private synchronized void closeOnCaller() {
        if (running) throw fromKernel(CLOSED);
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
