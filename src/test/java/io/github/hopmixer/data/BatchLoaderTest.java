package io.github.hopmixer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {

    private static final ImageSet SET = BatchMakerTest.SET;
    private static final AugmentConfig FULL = BatchMakerTest.FULL;

    private static List<Batch> drain(BatchLoader loader) {
        List<Batch> batches = new ArrayList<>();
        try (loader) {
            while (loader.hasNext()) batches.add(loader.next());
        }
        return batches;
    }

    @Test
    void aLoaderStartedAtBatchKMatchesTheRestOfAFullPass() {
        List<Batch> full = drain(BatchLoader.train(SET, FULL, 8, 77, 0, 0, 2));
        assertEquals(10, full.size());
        for (int i = 0; i < full.size(); i++) {
            assertEquals(i / 5, full.get(i).epoch());
            assertEquals(i % 5, full.get(i).index());
        }
        List<Batch> resumed = drain(BatchLoader.train(SET, FULL, 8, 77, 0, 3, 2));
        assertEquals(7, resumed.size());
        for (int i = 0; i < resumed.size(); i++) BatchMakerTest.assertSameBatch(full.get(3 + i), resumed.get(i));
        // The loader hands out exactly what the synchronous maker builds.
        BatchMakerTest.assertSameBatch(new BatchMaker(SET, FULL, 8, 77).trainBatch(1, 2), full.get(7));
    }

    @Test
    void evaluationLoaderCoversTheSetOnce() {
        BatchLoader loader = BatchLoader.eval(SET, FULL, 16);
        assertEquals(3, loader.batchesPerEpoch());
        List<Batch> batches = drain(loader);
        assertEquals(List.of(16, 16, 10), batches.stream().map(Batch::valid).toList());
        assertEquals(List.of(0, 1, 2), batches.stream().map(Batch::index).toList());
    }

    @Test
    void aProducerErrorSurfacesInTheConsumer() {
        // Corrupt a label after validation so that building the targets of a batch fails inside the producer.
        ImageSet broken = TestFiles.randomSet(40, 1, 4, 4, 3, 1);
        broken.labels()[0] = 99;
        try (BatchLoader loader = BatchLoader.eval(broken, AugmentConfig.none(), 8)) {
            assertTrue(loader.hasNext());
            var e = assertThrows(IllegalStateException.class, loader::next);
            assertTrue(e.getMessage().contains("evaluation batch 0") && e.getMessage().contains("99"), e.getMessage());
            assertInstanceOf(ArrayIndexOutOfBoundsException.class, e.getCause());
            assertFalse(loader.hasNext());
        }
    }

    @Test
    void closeStopsTheProducer() throws InterruptedException {
        BatchLoader loader = BatchLoader.train(SET, FULL.withOutputSize(32), 8, 1, 0, 0, 1000);
        loader.next();
        Thread.sleep(50); // let the queue fill so the producer blocks
        loader.close();
        assertFalse(loader.hasNext());
        assertThrows(IllegalStateException.class, loader::next);
        assertFalse(loader.producerThread().isAlive(), "producer thread still running");
        loader.close(); // idempotent
    }

    @Test
    void rejectsImpossibleStarts() {
        assertThrows(IllegalArgumentException.class, () -> BatchLoader.train(SET, FULL, 8, 1, 0, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> BatchLoader.train(SET, FULL, 64, 1, 0, 0, 1));
    }

    @Test
    void producerThreadIsADaemon() {
        try (BatchLoader loader = BatchLoader.eval(SET, AugmentConfig.none(), 8)) {
            assertTrue(loader.producerThread().isDaemon());
        }
    }
}
