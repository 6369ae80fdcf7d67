package io.github.hopmixer.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Delivers batches made ahead on a daemon thread through a small bounded queue, so that the trainer
 * does not wait for data in steady state. Each batch's images are augmented in parallel on the
 * loader's own ForkJoin pool. Batches are those of {@link BatchMaker}, hence deterministic: a loader
 * started at (epoch e, batch k) yields exactly what an uninterrupted run yields from there.
 * A failure while making a batch is rethrown by {@link #next()} with its message; {@link #close()}
 * stops the thread and the pool.
 */
public final class BatchLoader implements Iterator<Batch>, AutoCloseable {

    /** Batches made ahead: enough to hide jitter, few enough to bound memory at 224 px. */
    static final int QUEUE_CAPACITY = 3;

    private sealed interface Item permits Made, Failed {
    }

    private record Made(Batch batch) implements Item {
    }

    private record Failed(Throwable error, String where) implements Item {
    }

    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final ForkJoinPool pool;
    private final Thread producer;
    private final int batchesPerEpoch;
    private final int total;
    private int delivered;
    private volatile boolean closed;

    private BatchLoader(int batchesPerEpoch, int total, ForkJoinPool pool, IntFunction<Batch> make, IntFunction<String> where) {
        this.batchesPerEpoch = batchesPerEpoch;
        this.total = total;
        this.pool = pool;
        this.producer = Thread.ofPlatform().name("hopmixer-batches").daemon().unstarted(() -> produce(make, where));
        producer.start();
    }

    /**
     * Training batches from batch {@code startIndex} of {@code startEpoch} up to the end of epoch
     * {@code endEpoch − 1}, each epoch in its own seeded order, partial last batches dropped.
     */
    public static BatchLoader train(ImageSet set, AugmentConfig config, int batchSize, long seed,
                                    int startEpoch, int startIndex, int endEpoch) {
        ForkJoinPool pool = newPool();
        BatchMaker maker;
        try {
            maker = new BatchMaker(set, config, batchSize, seed, pool);
            requireStart(maker.trainBatchesPerEpoch(), set.count(), batchSize, startEpoch, startIndex, endEpoch);
        } catch (RuntimeException e) {
            pool.shutdown();
            throw e;
        }
        int perEpoch = maker.trainBatchesPerEpoch();
        long first = (long) startEpoch * perEpoch + startIndex, end = (long) endEpoch * perEpoch;
        int total = (int) Math.max(0, Math.min(Integer.MAX_VALUE, end - first));
        return new BatchLoader(perEpoch, total, pool,
                p -> maker.trainBatch((int) ((first + p) / perEpoch), (int) ((first + p) % perEpoch)),
                p -> "epoch " + (first + p) / perEpoch + ", batch " + (first + p) % perEpoch);
    }

    /** One evaluation pass: sequential, unaugmented, the last batch padded (see {@link Batch#valid()}). */
    public static BatchLoader eval(ImageSet set, AugmentConfig config, int batchSize) {
        ForkJoinPool pool = newPool();
        BatchMaker maker;
        try {
            maker = new BatchMaker(set, config, batchSize, 0, pool);
        } catch (RuntimeException e) {
            pool.shutdown();
            throw e;
        }
        return new BatchLoader(maker.evalBatches(), maker.evalBatches(), pool, maker::evalBatch, p -> "evaluation batch " + p);
    }

    private static void requireStart(int perEpoch, int count, int batchSize, int startEpoch, int startIndex, int endEpoch) {
        if (perEpoch == 0) {
            throw new IllegalArgumentException("--batch-size " + batchSize + ": the training set has only " + count
                    + " images, fewer than one batch; give a smaller --batch-size (or a larger --train-limit)");
        }
        if (startIndex < 0 || startIndex >= perEpoch || startEpoch < 0 || endEpoch < startEpoch) {
            throw new IllegalArgumentException("cannot start at batch " + startIndex + " of epoch " + startEpoch
                    + " and end before epoch " + endEpoch + " with " + perEpoch + " batches per epoch");
        }
    }

    private static ForkJoinPool newPool() {
        return new ForkJoinPool(Runtime.getRuntime().availableProcessors());
    }

    /** Batches in one epoch (training) or in the whole pass (evaluation). */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Batches this loader has yet to deliver. */
    public int remaining() {
        return total - delivered;
    }

    /** The producing thread, for tests. */
    Thread producerThread() {
        return producer;
    }

    @Override
    public boolean hasNext() {
        return !closed && delivered < total;
    }

    @Override
    public Batch next() {
        if (closed) throw new IllegalStateException("batch loader is closed");
        if (delivered >= total) throw new NoSuchElementException("no batches left");
        Item item;
        try {
            while ((item = queue.poll(100, TimeUnit.MILLISECONDS)) == null) {
                if (!producer.isAlive() && queue.isEmpty()) throw new IllegalStateException("batch producer stopped unexpectedly");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        }
        return switch (item) {
            case Made made -> {
                delivered++;
                yield made.batch();
            }
            case Failed failed -> {
                delivered = total; // nothing more will come
                throw new IllegalStateException("making " + failed.where() + " failed: " + failed.error().getMessage(), failed.error());
            }
        };
    }

    private void produce(IntFunction<Batch> make, IntFunction<String> where) {
        try {
            for (int p = 0; p < total && !closed; p++) {
                Item item;
                try {
                    item = new Made(make.apply(p));
                } catch (Throwable e) {
                    item = new Failed(e, where.apply(p));
                }
                queue.put(item);
                if (item instanceof Failed) return;
            }
        } catch (InterruptedException e) {
            // close() interrupts a producer blocked on a full queue; just stop
        } finally {
            pool.shutdown();
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        producer.interrupt();
        queue.clear(); // frees a producer blocked on put
        try {
            producer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdownNow();
    }
}
