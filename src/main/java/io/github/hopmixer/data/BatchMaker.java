package io.github.hopmixer.data;

import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Builds batches synchronously and deterministically: training batch (epoch, index) depends only on
 * (seed, epoch, index) — the epoch's permutation on (seed, epoch), each image's crop, flip,
 * RandAugment and erasing on (seed, epoch, index, row), the batch's mixup on (seed, epoch, index) —
 * so any batch can be rebuilt alone, in any order, on any number of threads.
 */
public final class BatchMaker {

    private static final long PERMUTATION = 1, IMAGE = 2, MIX = 3;

    private final ImageSet set;
    private final AugmentConfig config;
    private final int batchSize;
    private final long seed;
    private final ForkJoinPool pool;
    private final int outHeight, outWidth;
    private final int[] fill;
    private volatile EpochOrder order; // the last epoch's permutation, reused by that epoch's batches

    private record EpochOrder(int epoch, int[] indices) {
    }

    /** Uses the common ForkJoin pool to augment a batch's images in parallel. */
    public BatchMaker(ImageSet set, AugmentConfig config, int batchSize, long seed) {
        this(set, config, batchSize, seed, ForkJoinPool.commonPool());
    }

    BatchMaker(ImageSet set, AugmentConfig config, int batchSize, long seed, ForkJoinPool pool) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        if (set.count() == 0) throw new IllegalArgumentException("cannot make batches from an empty image set");
        for (int c = 0; c < set.channels(); c++) config.meanOf(c, set.channels()); // fail early on a channel mismatch
        this.set = set;
        this.config = config;
        this.batchSize = batchSize;
        this.seed = seed;
        this.pool = pool;
        this.outHeight = config.outputSize() > 0 ? config.outputSize() : set.height();
        this.outWidth = config.outputSize() > 0 ? config.outputSize() : set.width();
        this.fill = new int[set.channels()];
        for (int c = 0; c < fill.length; c++) {
            fill[c] = Math.clamp(Math.round(255 * config.meanOf(c, set.channels())), 0, 255); // timm's img_mean
        }
    }

    /** Full training batches per epoch; the last partial batch is dropped, as timm's training loader does. */
    public int trainBatchesPerEpoch() {
        return set.count() / batchSize;
    }

    /** Evaluation batches: the last one is padded. */
    public int evalBatches() {
        return (set.count() + batchSize - 1) / batchSize;
    }

    public int batchSize() {
        return batchSize;
    }

    public ImageSet imageSet() {
        return set;
    }

    /** The order in which epoch {@code epoch} visits the images. */
    public int[] permutation(int epoch) {
        EpochOrder cached = order;
        if (cached != null && cached.epoch == epoch) return cached.indices;
        int[] indices = new int[set.count()];
        for (int i = 0; i < indices.length; i++) indices[i] = i;
        SplittableRandom random = Seeds.random(seed, PERMUTATION, epoch);
        for (int i = indices.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = indices[i];
            indices[i] = indices[j];
            indices[j] = t;
        }
        order = new EpochOrder(epoch, indices);
        return indices;
    }

    /** Augmented, mixed training batch {@code index} of {@code epoch}. */
    public Batch trainBatch(int epoch, int index) {
        if (index < 0 || index >= trainBatchesPerEpoch()) {
            throw new IndexOutOfBoundsException("training batch " + index + " of " + trainBatchesPerEpoch() + " per epoch");
        }
        int[] indices = permutation(epoch);
        int imageSize = set.channels() * outHeight * outWidth;
        float[] images = new float[batchSize * imageSize];
        int[] labels = new int[batchSize];
        Choices made = Choices.of(batchSize);
        forEachRow(batchSize, row -> {
            int source = indices[index * batchSize + row];
            labels[row] = set.labels()[source];
            made.sources()[row] = source;
            SplittableRandom random = Seeds.random(seed, IMAGE, epoch, index, row);
            Chw img = Chw.of(set, source);
            if (config.cropPadding() > 0) {
                int[] at = Augment.cropOffsets(config.cropPadding(), random);
                img = Augment.shift(img, at[0], at[1]);
                made.cropTop()[row] = at[0];
                made.cropLeft()[row] = at[1];
            }
            if (config.flipProb() > 0 && random.nextDouble() < config.flipProb()) {
                img = Augment.flipHorizontal(img);
                made.flipped()[row] = true;
            }
            img = RandAugment.apply(img, config.randAugment(), random, fill);
            Augment.normalize(img, config, outHeight, outWidth, images, row * imageSize);
            int[] box = Augment.erase(images, row * imageSize, set.channels(), outHeight, outWidth, config.eraseProb(), random);
            if (box != null) {
                made.eraseBoxes()[row] = box;
                made.eraseNoise()[row] = region(images, row * imageSize, box);
            }
        });
        Mixup.Mix mix = Mixup.mixImages(images, batchSize, set.channels(), outHeight, outWidth, config,
                Seeds.random(seed, MIX, epoch, index));
        float[] targets = Mixup.targets(labels, set.numClasses(), config.labelSmoothing(), mix.lambda());
        return new Batch(images, targets, labels, batchSize, batchSize, set.channels(), outHeight, outWidth,
                set.numClasses(), epoch, index, made.withMix(mix));
    }

    /** The values inside an erased box {top, left, height, width}, channel by channel. */
    private float[] region(float[] images, int offset, int[] box) {
        int c = set.channels(), h = box[2], w = box[3], at = 0;
        float[] out = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int y = box[0]; y < box[0] + h; y++) {
                System.arraycopy(images, offset + (ch * outHeight + y) * outWidth + box[1], out, at, w);
                at += w;
            }
        }
        return out;
    }

    /** Evaluation batch {@code index}: images in order, only resized and normalised, one-hot targets, padded with row 0. */
    public Batch evalBatch(int index) {
        if (index < 0 || index >= evalBatches()) throw new IndexOutOfBoundsException("evaluation batch " + index + " of " + evalBatches());
        int first = index * batchSize, valid = Math.min(batchSize, set.count() - first);
        int imageSize = set.channels() * outHeight * outWidth;
        float[] images = new float[batchSize * imageSize];
        int[] labels = new int[batchSize];
        forEachRow(valid, row -> {
            labels[row] = set.labels()[first + row];
            Augment.normalize(Chw.of(set, first + row), config, outHeight, outWidth, images, row * imageSize);
        });
        for (int row = valid; row < batchSize; row++) {
            System.arraycopy(images, 0, images, row * imageSize, imageSize);
            labels[row] = labels[0];
        }
        float[] targets = Mixup.targets(labels, set.numClasses(), 0, 1);
        return new Batch(images, targets, labels, batchSize, valid, set.channels(), outHeight, outWidth,
                set.numClasses(), 0, index, null);
    }

    private void forEachRow(int rows, IntConsumer body) {
        pool.invoke(new Rows(0, rows, body));
    }

    /** Splits rows in halves down to single rows so that the pool's workers share a batch. */
    @SuppressWarnings("serial") // never serialised
    private static final class Rows extends RecursiveAction {
        private final int from, to;
        private final IntConsumer body;

        Rows(int from, int to, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from <= 1) {
                for (int row = from; row < to; row++) body.accept(row);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Rows(from, mid, body), new Rows(mid, to, body));
        }
    }

    @Override
    public String toString() {
        return "BatchMaker[" + set + ", batch " + batchSize + ", " + outHeight + "×" + outWidth + ", seed " + seed + ", "
                + config + "]";
    }
}
