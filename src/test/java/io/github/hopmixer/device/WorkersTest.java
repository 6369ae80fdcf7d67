package io.github.hopmixer.device;

import org.junit.jupiter.api.Test;

import java.util.Random;
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

    @Test
    void everyItemRunsOnceOnEveryThreadCount() {
        Random r = new Random(5);
        for (int threads = 1; threads <= 4; threads++) {
            try (Workers w = new Workers(threads, "test-workers")) {
                for (int job = 0; job < 500; job++) {
                    int items = r.nextInt(3000) + 1;
                    AtomicIntegerArray seen = new AtomicIntegerArray(items);
                    w.run(Chunks.bounds(items, threads, r.nextInt(50) + 1), (lo, hi) -> {
                        for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                    });
                    for (int i = 0; i < items; i++) assertEquals(1, seen.get(i), "item " + i + " of job " + job);
                }
            }
        }
    }

    @Test
    void workersThatParkedWakeForTheNextJob() throws InterruptedException {
        try (Workers w = new Workers(2, "test-workers")) {
            for (int job = 0; job < 5; job++) {
                Thread.sleep(Workers.SPIN_NANOS / 1_000_000 + 5); // long enough that the worker parks
                java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
                w.run(Chunks.bounds(64, 2, 1), (lo, hi) -> {
                    names.add(Thread.currentThread().getName());
                    long until = System.nanoTime() + 200_000; // each chunk long enough for the woken worker to claim some
                    while (System.nanoTime() < until) Thread.onSpinWait();
                });
                assertTrue(names.contains("test-workers-1"), "the parked worker took no chunk of job " + job + ": " + names);
            }
        }
    }

    @Test
    void anErrorInAChunkReachesTheCallerAfterTheOthersEnd() {
        try (Workers w = new Workers(3, "test-workers")) {
            AtomicIntegerArray seen = new AtomicIntegerArray(1000);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    w.run(Chunks.bounds(1000, 3, 10), (lo, hi) -> {
                        for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                        if (lo <= 500 && 500 < hi) throw new IllegalArgumentException("chunk at 500");
                    }));
            assertEquals("chunk at 500", e.getMessage());
            for (int i = 0; i < 1000; i++) assertEquals(1, seen.get(i), "item " + i);
            // The threads serve the next job as before.
            AtomicIntegerArray again = new AtomicIntegerArray(100);
            w.run(Chunks.bounds(100, 3, 1), (lo, hi) -> {
                for (int i = lo; i < hi; i++) again.incrementAndGet(i);
            });
            for (int i = 0; i < 100; i++) assertEquals(1, again.get(i));
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
