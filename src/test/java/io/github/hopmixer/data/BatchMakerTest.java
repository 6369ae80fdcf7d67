package io.github.hopmixer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchMakerTest {

    static final ImageSet SET = TestFiles.randomSet(42, 3, 8, 8, 5, 3);
    static final AugmentConfig FULL = AugmentConfig.defaults().withCropPadding(2).withEraseProb(0.5);

    static void assertSameBatch(Batch expected, Batch actual) {
        assertEquals(expected.epoch(), actual.epoch());
        assertEquals(expected.index(), actual.index());
        assertEquals(expected.valid(), actual.valid());
        assertArrayEquals(expected.labels(), actual.labels());
        assertArrayEquals(expected.images(), actual.images());
        assertArrayEquals(expected.targets(), actual.targets());
    }

    @Test
    void sameSeedEpochAndIndexGiveTheSameBatch() {
        Batch a = new BatchMaker(SET, FULL, 8, 123).trainBatch(2, 3);
        BatchMaker other = new BatchMaker(SET, FULL, 8, 123);
        other.trainBatch(2, 4); // what was made before must not matter
        other.trainBatch(1, 3);
        assertSameBatch(a, other.trainBatch(2, 3));
    }

    @Test
    void differentIndexEpochOrSeedGiveDifferentBatches() {
        BatchMaker maker = new BatchMaker(SET, FULL, 8, 123);
        Batch a = maker.trainBatch(2, 3);
        assertFalse(Arrays.equals(a.images(), maker.trainBatch(2, 4).images()));
        assertFalse(Arrays.equals(a.images(), maker.trainBatch(3, 3).images()));
        assertFalse(Arrays.equals(a.images(), new BatchMaker(SET, FULL, 8, 124).trainBatch(2, 3).images()));
        assertFalse(Arrays.equals(maker.permutation(0), maker.permutation(1)));
    }

    @Test
    void anEpochVisitsEveryImageOnceAndDropsThePartialBatch() {
        BatchMaker maker = new BatchMaker(SET, AugmentConfig.none(), 8, 1);
        assertEquals(5, maker.trainBatchesPerEpoch());
        int[] order = maker.permutation(4).clone();
        Arrays.sort(order);
        for (int i = 0; i < order.length; i++) assertEquals(i, order[i]);
        assertThrows(IndexOutOfBoundsException.class, () -> maker.trainBatch(0, 5));
    }

    @Test
    void evaluationIsSequentialUnaugmentedAndPadded() {
        BatchMaker maker = new BatchMaker(SET, FULL, 16, 9);
        assertEquals(3, maker.evalBatches());
        Batch first = maker.evalBatch(0);
        assertEquals(16, first.valid());
        Batch last = maker.evalBatch(2);
        assertEquals(16, last.size());
        assertEquals(10, last.valid());
        int size = last.imageSize();
        for (int row = 0; row < 16; row++) {
            int source = row < 10 ? 32 + row : 32; // padding repeats row 0
            assertEquals(SET.labels()[source], last.labels()[row]);
            for (int i = 0; i < size; i += 13) {
                float expected = ((SET.pixels()[source * size + i] & 0xff) / 255f - 0.5f) / 0.5f;
                assertEquals(expected, last.images()[row * size + i], 1e-5);
            }
            for (int k = 0; k < 5; k++) assertEquals(k == last.labels()[row] ? 1f : 0f, last.targets()[row * 5 + k]);
        }
        assertSameBatch(last, new BatchMaker(SET, FULL, 16, 10).evalBatch(2));
    }

    @Test
    void outputSizeResizesBatches() {
        BatchMaker maker = new BatchMaker(SET, FULL.withOutputSize(20), 4, 1);
        Batch train = maker.trainBatch(0, 0);
        assertEquals(20, train.height());
        assertEquals(20, train.width());
        assertEquals(4 * 3 * 20 * 20, train.images().length);
        assertEquals(20, maker.evalBatch(0).height());
    }
}
