package io.github.hopmixer.device;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.*;

/** The JVM device's chunks and the threads that claim them. */
class WorkersTest {

    @Test
    void chunksCoverEveryItemOnceInWholeGrains() {
        Random r = new Random(3);
        for (int trial = 0; trial < 2000; trial++) {
            int items = r.nextInt(20000) + 1, threads = r.nextInt(4) + 1, grain = r.nextInt(3) == 0 ? 0 : r.nextInt(100) + 1;
            int[] b = Chunks.bounds(items, threads, grain);
            assertEquals(0, b[0]);
            assertEquals(items, b[b.length - 1]);
            for (int c = 0; c + 1 < b.length; c++) {
                assertTrue(b[c + 1] > b[c], "empty chunk " + c + " of " + items + " items, grain " + grain);
                if (grain > 0) assertEquals(0, b[c] % grain, "chunk start off the grain");
            }
            if (grain == 0 || threads == 1) assertEquals(Math.min(threads, items), b.length - 1, "one range per thread");
        }
    }

    @Test
    void chunksShrinkAsTheWorkRunsOut() {
        int[] b = Chunks.bounds(8192, 2, 48);
        assertEquals(2064, b[1], "the first chunk is about a quarter of the work, rounded up to the grain");
        int last = b[b.length - 1] - b[b.length - 2];
        assertTrue(last <= 48, "the last chunks are one grain: " + last);
        for (int c = 1; c + 1 < b.length; c++) assertTrue(b[c + 1] - b[c] <= b[c] - b[c - 1], "chunk " + c + " grew");
    }

    /** Busy work long enough that every thread gets to claim chunks. */
    private static void busy(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) Thread.onSpinWait();
    }

    @Test
    void everyItemRunsOnceAndNoChunkRunsAfterItsJobReturned() {
        Random r = new Random(5);
        for (int threads = 1; threads <= 4; threads++) {
            try (Workers w = new Workers(threads, "test-workers")) {
                for (int job = 0; job < 300; job++) {
                    int items = r.nextInt(3000) + 1, grain = r.nextInt(4) == 0 ? 0 : r.nextInt(50) + 1;
                    long work = r.nextInt(3) == 0 ? 2_000 : 0;
                    AtomicIntegerArray seen = new AtomicIntegerArray(items);
                    AtomicBoolean returned = new AtomicBoolean();
                    AtomicBoolean late = new AtomicBoolean();
                    w.run(Chunks.bounds(items, threads, grain), (lo, hi) -> {
                        if (returned.get()) late.set(true);
                        busy(work);
                        for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                        if (returned.get()) late.set(true); // still running when run() returned
                    });
                    returned.set(true);
                    for (int i = 0; i < items; i++) assertEquals(1, seen.get(i), "item " + i + " of job " + job);
                    busy(5_000); // a chunk still running now would show as late
                    assertFalse(late.get(), "a chunk of job " + job + " ran after run() returned");
                }
            }
        }
    }

    @Test
    void aParkedWorkerWakesForTheNextJob() throws InterruptedException {
        try (Workers w = new Workers(2, "test-workers")) {
            for (int job = 0; job < 5; job++) {
                Thread worker = w.worker(0);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (worker.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) Thread.sleep(1);
                assertEquals(Thread.State.TIMED_WAITING, worker.getState(), "the idle worker parks");
                // The caller's first chunk waits until the worker has taken one: only a woken worker lets it go on.
                CountDownLatch workerTook = new CountDownLatch(1);
                Set<String> names = ConcurrentHashMap.newKeySet();
                AtomicBoolean timedOut = new AtomicBoolean();
                w.run(Chunks.bounds(2, 2, 1), (lo, hi) -> {
                    names.add(Thread.currentThread().getName());
                    if (Thread.currentThread() == worker) workerTook.countDown();
                    else try {
                        if (!workerTook.await(10, TimeUnit.SECONDS)) timedOut.set(true);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertFalse(timedOut.get(), "the parked worker did not wake for job " + job + ": " + names);
            }
        }
    }

    @Test
    void aWorkerIdleTooLongEndsAndTheNextJobBringsItBack() throws InterruptedException {
        try (Workers w = new Workers(2, "idle-workers", 20_000_000)) {
            Thread first = w.worker(0);
            first.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(first.isAlive(), "an idle worker ends");
            assertTrue(w.ended(0));
            // The next job starts a new worker, which joins it: it takes a chunk the caller's chunk waits for.
            Thread caller = Thread.currentThread();
            CountDownLatch workerTook = new CountDownLatch(1);
            AtomicBoolean timedOut = new AtomicBoolean();
            AtomicIntegerArray seen = new AtomicIntegerArray(2);
            w.run(Chunks.bounds(2, 2, 1), (lo, hi) -> {
                seen.incrementAndGet(lo);
                if (Thread.currentThread() != caller) workerTook.countDown();
                else try {
                    if (!workerTook.await(10, TimeUnit.SECONDS)) timedOut.set(true);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertFalse(timedOut.get(), "the restarted worker took no chunk");
            assertEquals(1, seen.get(0));
            assertEquals(1, seen.get(1));
            assertNotSame(first, w.worker(0), "a new thread");
        }
    }

    @Test
    void theFirstErrorReachesTheCallerAfterEveryChunkEnded() {
        for (int threads = 1; threads <= 3; threads++) {
            try (Workers w = new Workers(threads, "test-workers")) {
                AtomicIntegerArray seen = new AtomicIntegerArray(1000);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                        w.run(Chunks.bounds(1000, 3, 10), (lo, hi) -> {
                            for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                            if (lo <= 500 && 500 < hi) throw new IllegalArgumentException("chunk at 500");
                            if (lo <= 900 && 900 < hi) throw new IllegalArgumentException("chunk at 900");
                        }));
                assertTrue(e.getMessage().equals("chunk at 500") || e.getMessage().equals("chunk at 900"), e.getMessage());
                assertEquals(1, e.getSuppressed().length, "the other error is suppressed in it");
                for (int i = 0; i < 1000; i++) assertEquals(1, seen.get(i), "item " + i);
                // The threads serve the next job as before.
                AtomicIntegerArray again = new AtomicIntegerArray(100);
                w.run(Chunks.bounds(100, 3, 1), (lo, hi) -> {
                    for (int i = lo; i < hi; i++) again.incrementAndGet(i);
                });
                for (int i = 0; i < 100; i++) assertEquals(1, again.get(i));
            }
        }
    }

    @Test
    void oneThrowableFromEveryChunkReachesTheCallerAndThePoolGoesOn() {
        // The JVM throws preallocated instances (a hot NullPointerException, an exhausted heap): several chunks may
        // throw the very same object, which cannot be suppressed in itself.
        IllegalStateException shared = new IllegalStateException("shared");
        for (int t = 1; t <= 3; t++) {
            int threads = t;
            // Closed under a timeout, not by try-with-resources: a pool that hangs then fails the test, not the suite.
            Workers w = new Workers(threads, "test-workers");
            AtomicIntegerArray seen = new AtomicIntegerArray(600);
            IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(IllegalStateException.class, () ->
                    w.run(Chunks.bounds(600, threads, 1), (lo, hi) -> {
                        busy(2_000);
                        for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                        throw shared;
                    })));
            assertSame(shared, e);
            for (int i = 0; i < 600; i++) assertEquals(1, seen.get(i), "item " + i);
            AtomicIntegerArray again = new AtomicIntegerArray(300);
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> w.run(Chunks.bounds(300, threads, 1), (lo, hi) -> {
                busy(2_000);
                for (int i = lo; i < hi; i++) again.incrementAndGet(i);
            }));
            for (int i = 0; i < 300; i++) assertEquals(1, again.get(i), "item " + i + " of the next job");
            assertTimeoutPreemptively(Duration.ofSeconds(30), w::close);
        }
    }

    @Test
    void aChunkOnAWorkerCannotStartAnotherInvocationOrCloseThePool() {
        Workers w = new Workers(2, "test-workers"); // closed under a timeout (see above)
        for (String what : new String[] {"invoke", "close"}) {
            // The caller's chunk waits until the worker has taken the other one and tried.
            CountDownLatch workerTried = new CountDownLatch(1);
            AtomicBoolean timedOut = new AtomicBoolean();
            IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                Thread caller = Thread.currentThread();
                return assertThrows(IllegalStateException.class, () -> w.run(Chunks.bounds(2, 2, 1), (lo, hi) -> {
                    if (Thread.currentThread() != caller) {
                        try {
                            if (what.equals("invoke")) w.run(Chunks.bounds(4, 2, 1), (a, b) -> {});
                            else w.close();
                        } finally {
                            workerTried.countDown();
                        }
                    } else try {
                        if (!workerTried.await(10, TimeUnit.SECONDS)) timedOut.set(true);
                    } catch (InterruptedException ie) {
                        throw new IllegalStateException(ie);
                    }
                }));
            });
            assertFalse(timedOut.get(), "the worker took no chunk");
            assertEquals(what.equals("invoke") ? "a kernel of the JVM device started another invocation"
                    : "a kernel of the JVM device closed it", e.getMessage());
        }
        // Neither happened: the pool still runs jobs.
        AtomicIntegerArray seen = new AtomicIntegerArray(50);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> w.run(Chunks.bounds(50, 2, 1), (lo, hi) -> {
            for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
        }));
        for (int i = 0; i < 50; i++) assertEquals(1, seen.get(i));
        assertTimeoutPreemptively(Duration.ofSeconds(30), w::close);
    }

    @Test
    void aChunkOnTheCallerCannotCloseThePool() {
        try (Workers w = new Workers(1, "test-workers")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.run(Chunks.bounds(3, 1, 1), (lo, hi) -> w.close()));
            assertEquals("a kernel of the JVM device closed it", e.getMessage());
            w.run(Chunks.bounds(3, 1, 1), (lo, hi) -> {});
        }
    }

    @Test
    void aChunkCannotStartAnotherInvocation() {
        try (Workers w = new Workers(1, "test-workers")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                    w.run(Chunks.bounds(10, 1, 1), (lo, hi) -> w.run(Chunks.bounds(10, 1, 1), (a, b) -> {})));
            assertEquals("a kernel of the JVM device started another invocation", e.getMessage());
        }
    }

    @Test
    void closeEndsTheWorkersAndRefusesMoreWork() {
        Workers w = new Workers(3, "closing-workers");
        w.run(Chunks.bounds(100, 3, 1), (lo, hi) -> {});
        w.close();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName().startsWith("closing-workers"), "still running: " + t.getName());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.run(Chunks.bounds(10, 3, 1), (lo, hi) -> {}));
        assertEquals("the JVM device is closed", e.getMessage());
    }
}
