package io.github.hopmixer.train;

import io.github.hopmixer.data.Batch;
import io.github.hopmixer.data.BatchLoader;
import io.github.hopmixer.data.ImageSet;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.io.FileErrors;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.train.StepPlans.Step;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The training loop: per epoch the scheduled learning rate, per step one batch in, one plan execution, the
 * losses out; evaluation, a metrics row and a checkpoint at the end of each epoch (and every
 * {@code checkpointEvery} steps). Everything random derives from the seed and the position, so a run resumed
 * from a checkpoint continues exactly as the uninterrupted run would have.
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final Device device;
    private final ModelConfig model;
    private final ImageSet trainSet, evalSet;
    private final PrintStream log;
    private final Step train, eval;
    private final CosineSchedule schedule;
    private final double lambda;
    private EpochHook epochHook; // symmetry hook: optional, e.g. science.SymmetryTracker (train --track-symmetry)
    private ReplayRecorder replay; // --record-replay; null when off

    public record Summary(int epochs, long steps, double lastTrainLoss, Evaluator.Result lastEval, double imagesPerSec,
                          double seconds, Path output, List<Double> stepLosses) {}

    /** {@code model} must already fit the data (image size after resizing, channels, classes). */
    public Trainer(TrainConfig cfg, ModelConfig model, Device device, ImageSet trainSet, ImageSet evalSet, PrintStream log) {
        this.cfg = cfg;
        this.model = model;
        this.device = device;
        this.trainSet = trainSet;
        this.evalSet = evalSet;
        int size = cfg.augment().outputSize() > 0 ? cfg.augment().outputSize() : trainSet.height();
        if (size != model.imageSize() || trainSet.channels() != model.inChans() || trainSet.numClasses() > model.numClasses()) {
            throw new IllegalArgumentException("model " + model.name() + " takes " + model.inChans() + "×" + model.imageSize() + "² images and "
                    + model.numClasses() + " classes; the data gives " + trainSet.channels() + "×" + size + "² and " + trainSet.numClasses());
        }
        if (trainSet.count() < cfg.batchSize()) { // here, not in run(): refused before the run directory is taken
            throw new IllegalArgumentException("the training set has " + trainSet.count() + " images, fewer than one batch of "
                    + cfg.batchSize() + "; use a smaller --batch-size");
        }
        this.log = log;
        this.lambda = cfg.lcoeff() != null ? cfg.lcoeff() : model.lambda();
        if (lambda > 0 && model.family() != io.github.hopmixer.model.Family.ASYMMIXER) {
            throw new IllegalArgumentException("--lcoeff applies to asymmixer models only; " + model.name() + " has no W2");
        }
        this.train = StepPlans.training(model, cfg.batchSize(), device);
        this.eval = StepPlans.evaluation(model, cfg.evalBatchSize(), device);
        this.schedule = new CosineSchedule(cfg.lr(), cfg.epochs(), cfg.warmupEpochs(), cfg.warmupLr(), cfg.minLr());
        device.prepare(train.plan());
        device.prepare(eval.plan());
    }

    public Step trainStep() { return train; }

    /** Symmetry hook: runs {@code hook} with the weights after every epoch's checkpoint; null for none. */
    public Trainer onEpochEnd(EpochHook hook) { this.epochHook = hook; return this; }

    /** With {@code on}, the run writes a replay record for scripts/replay.py (see {@link ReplayRecorder}). */
    public Trainer recordReplay(boolean on) {
        replay = on ? new ReplayRecorder(cfg, model, lambda, trainSet) : null;
        return this;
    }

    /** Runs from the checkpoint in {@code cfg.resume()}, if any, else from fresh weights. */
    public Summary run() {
        return run(cfg.resume() != null ? Checkpoint.load(cfg.resume()) : null);
    }

    /** Runs from {@code from} (a checkpoint already read and checked), or from fresh weights if null. */
    public Summary run(Checkpoint.Loaded from) {
        Checkpoint.Position start = new Checkpoint.Position(0, 0, 0, 0);
        long seed = cfg.seed();
        if (from != null) {
            Checkpoint.Loaded ck = from;
            if (!ck.model().equals(model)) {
                throw new IllegalArgumentException("checkpoint " + ck.dir() + " holds " + ck.model() + ", this run trains " + model);
            }
            ModelState.write(device, train, ck.params(), ck.moments(), ck.dir().toString());
            start = ck.position();
            seed = ck.seed();
            log.printf("resumed from %s at step %d (epoch %d, batch %d)%n", ck.dir(), start.step(), start.epoch(), start.batchIndex());
        } else {
            ModelState.initialise(device, train, cfg.seed());
        }
        if (replay != null) replay.begin(device, train);
        MetricsCsv metrics = new MetricsCsv(cfg.output().resolve("summary.csv"), start.epoch());
        Path stepsCsv = cfg.output().resolve("steps.csv");
        StepsCsv.truncate(stepsCsv, start.step());

        long step = start.step();
        int perEpoch = trainSet.count() / cfg.batchSize();
        float[] losses = new float[cfg.batchSize()];
        float[] penalty = train.penalty() == null ? null : new float[train.penalty().size()];
        List<Double> stepLosses = new ArrayList<>();
        double lastLoss = Double.NaN, totalSeconds = 0, totalImages = 0;
        Evaluator.Result lastEval = null;
        long t0 = System.nanoTime();
        ProgressLog progressLog = cfg.progress() ? null
                : new ProgressLog(log, cfg.logEvery(), (long) cfg.epochs() * perEpoch, step, cfg.batchSize());
        for (int epoch = start.epoch(); epoch < cfg.epochs(); epoch++) {
            double lr = schedule.lr(epoch);
            int first = epoch == start.epoch() ? start.batchIndex() : 0, done = 0;
            double lossSum = epoch == start.epoch() ? start.epochLossSum() : 0;
            long e0 = System.nanoTime();
            try (BatchLoader batches = BatchLoader.train(trainSet, cfg.augment(), cfg.batchSize(), seed, epoch, first, epoch + 1);
                 ProgressBar bar = progress(epoch, perEpoch, first)) {
                for (int index = first; index < perEpoch; index++) {
                    Batch b = batches.next();
                    device.write(train.images(), b.images());
                    device.write(train.targets(), b.targets());
                    DropPath.write(device, train.dropPathMasks(), cfg.dropPath(), seed, step);
                    device.write(train.scalars(), Scalars.adamW(lr, cfg.weightDecay(), step + 1, lambda));
                    device.execute(train.plan());
                    device.read(train.losses(), losses);
                    double loss = mean(losses);
                    if (penalty != null) {
                        device.read(train.penalty(), penalty);
                        for (float p : penalty) loss += lambda * p;
                    }
                    step++;
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException(String.format(Locale.ROOT,
                                "loss is %s at step %d (epoch %d, batch %d, lr %.3g): training diverged and nothing from "
                                        + "this step was saved; %s. Resuming repeats the same steps: start a new run "
                                        + "(fresh --output) with a lower --lr",
                                loss, step, epoch, index, lr, Checkpoint.newestGoodHint(cfg.output())));
                    }
                    lossSum += loss;
                    done++;
                    lastLoss = loss;
                    stepLosses.add(loss);
                    appendStep(stepsCsv, step, epoch, index, loss, lr);
                    if (replay != null) replay.record(step, lr, b, loss);
                    double secs = (System.nanoTime() - e0) / 1e9;
                    if (progressLog != null) progressLog.step(epoch, step, lossSum / (first + done));
                    if (bar != null) {
                        bar.stepTo(index + 1);
                        bar.setExtraMessage(String.format(Locale.ROOT, " | loss %.4f  %.0f img/s", lossSum / (first + done),
                                done * cfg.batchSize() / secs));
                    }
                    if (cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0 && index + 1 < perEpoch) {
                        save(new Checkpoint.Position(step, epoch, index + 1, lossSum), seed);
                    }
                }
            }
            double secs = (System.nanoTime() - e0) / 1e9;
            totalSeconds += secs;
            totalImages += (double) done * cfg.batchSize();
            try (BatchLoader batches = BatchLoader.eval(evalSet, cfg.evalAugment(), cfg.evalBatchSize())) {
                lastEval = Evaluator.run(device, eval, batches);
            }
            double ips = done * cfg.batchSize() / secs;
            double trainLoss = lossSum / Math.max(1, first + done);
            metrics.append(new MetricsCsv.Row(epoch, trainLoss, lastEval.loss(), lastEval.top1(),
                    lastEval.top5(), lr, ips, secs));
            log.printf(Locale.ROOT, "epoch %d  train_loss %.4f  eval_loss %.4f  top1 %.2f%%  top5 %.2f%%  lr %.3g  %.0f img/s  %.1fs%n",
                    epoch, trainLoss, lastEval.loss(), lastEval.top1(), lastEval.top5(), lr, ips, secs);
            save(new Checkpoint.Position(step, epoch + 1, 0, 0), seed);
            if (epochHook != null) epochHook.epochEnd(epoch, ModelState.readParams(device, train)); // symmetry hook
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        return new Summary(cfg.epochs(), step, lastLoss, lastEval, totalSeconds > 0 ? totalImages / totalSeconds : 0, wall,
                cfg.output(), stepLosses);
    }

    private void save(Checkpoint.Position pos, long seed) {
        Checkpoint.save(cfg.output(), model, train.specs(), trainSet.classNames(),
                new Checkpoint.Normalization(cfg.augment().mean(), cfg.augment().std()), ModelState.readParams(device, train),
                ModelState.readMoments(device, train.plan()), pos, seed, cfg.toJson(), cfg.keepCheckpoints());
    }

    private ProgressBar progress(int epoch, int total, int first) {
        if (!cfg.progress()) return null;
        ProgressBar bar = new ProgressBarBuilder().setTaskName("epoch " + epoch).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setMaxRenderedLength(110)
                .showSpeed().setUnit(" batches", 1).build();
        bar.stepTo(first);
        return bar;
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return s / v.length;
    }

    private static void appendStep(Path file, long step, int epoch, int index, double loss, double lr) {
        try {
            Files.writeString(file, String.format(Locale.ROOT, "%d,%d,%d,%.7f,%.6g%n", step, epoch, index, loss, lr),
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw FileErrors.failure("cannot append to " + file, e);
        }
    }
}
