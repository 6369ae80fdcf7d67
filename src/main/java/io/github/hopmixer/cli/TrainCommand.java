package io.github.hopmixer.cli;

import io.github.hopmixer.data.AugmentConfig;
import io.github.hopmixer.data.Datasets;
import io.github.hopmixer.data.ImageSet;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.train.TrainConfig;
import io.github.hopmixer.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code hopmixer train}: timm's train.py flags; the defaults are the README's quick Fashion-MNIST run. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model and evaluate it after every epoch.",
                "Defaults: paramixer_nano on Fashion-MNIST (Debian's dataset-fashion-mnist), 2 epochs, JVM device.",
                "Official CIFAR-10 recipe: --model paramixer_s16_224 --dataset cifar10 --epochs 300 --batch-size 384 "
                        + "--lr 3.75e-4 --warmup-epochs 20 --drop-path 0.1 --aa rand-m9-mstd0.5-inc1 --reprob 0.25 "
                        + "--mixup 0.8 --cutmix 1.0 --crop-pad 0 --img-size 224"})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "paramixer_nano", description = "Model name, see 'hopmixer models' (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "fashion-mnist, mnist, cifar10, cifar100, folder (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--data-dir", description = "Where the data set lies (default: Debian's location for fashion-mnist; required otherwise).")
    Path dataDir;

    @Option(names = "--img-size", description = "Model input size; images are resized to it (default: the data's size for nano models, 224 for the others).")
    Integer imgSize;

    @Option(names = "--epochs", defaultValue = "2", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "128", description = "Training batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--eval-batch-size", description = "Evaluation batch size (default: the training batch size).")
    Integer evalBatchSize;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}, for short runs; the official recipe uses 5e-4·batch/512 with 20 warm-up epochs).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "0.05", description = "AdamW weight decay on 2+-D tensors (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--warmup-epochs", defaultValue = "0", description = "Linear warm-up epochs (default: ${DEFAULT-VALUE}).")
    int warmupEpochs;

    @Option(names = "--warmup-lr", defaultValue = "1e-6", description = "Warm-up start (default: ${DEFAULT-VALUE}).")
    double warmupLr;

    @Option(names = "--min-lr", defaultValue = "0", description = "Cosine floor (default: ${DEFAULT-VALUE}).")
    double minLr;

    @Option(names = "--smoothing", defaultValue = "0.1", description = "Label smoothing (default: ${DEFAULT-VALUE}).")
    double smoothing;

    @Option(names = "--drop-path", defaultValue = "0", description = "DropPath rate in every block (default: ${DEFAULT-VALUE}; official 0.1).")
    double dropPath;

    @Option(names = "--lcoeff", description = "λ of asymmixer's penalty λ·Σ‖W2‖² (default: the model name's, e.g. _l03 = 1e-3).")
    Double lcoeff;

    @Option(names = "--crop-pad", defaultValue = "0", description = "Random crop with this zero padding, e.g. 4 for 32-px CIFAR (default: ${DEFAULT-VALUE} = off).")
    int cropPad;

    @Option(names = "--hflip", defaultValue = "0.5", description = "Horizontal flip probability (default: ${DEFAULT-VALUE}).")
    double hflip;

    @Option(names = "--aa", defaultValue = "none", description = "RandAugment, e.g. rand-m9-mstd0.5-inc1 (default: ${DEFAULT-VALUE}).")
    String randAugment;

    @Option(names = "--reprob", defaultValue = "0", description = "Random erasing probability, pixel mode (default: ${DEFAULT-VALUE}; official 0.25).")
    double reprob;

    @Option(names = "--mixup", defaultValue = "0", description = "Mixup α (default: ${DEFAULT-VALUE}; official 0.8).")
    double mixup;

    @Option(names = "--cutmix", defaultValue = "0", description = "CutMix α (default: ${DEFAULT-VALUE}; official 1.0).")
    double cutmix;

    @Option(names = "--mixup-prob", defaultValue = "1.0", description = "Probability a batch is mixed (default: ${DEFAULT-VALUE}).")
    double mixupProb;

    @Option(names = "--mixup-switch-prob", defaultValue = "0.5", description = "Probability of CutMix when both are on (default: ${DEFAULT-VALUE}).")
    double mixupSwitchProb;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation, data order, augmentation and DropPath (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--output", description = "Run directory: summary.csv, steps.csv, checkpoints/ (default: runs/<model>-<dataset>).")
    Path output;

    @Option(names = "--resume", description = "Continue from a checkpoint directory or a run's output directory (its newest checkpoint).")
    Path resume;

    @Option(names = "--device", defaultValue = "jvm", description = "jvm, reference, auto, tornado, tornado:<backend>:<device> (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", description = "CPU threads of the JVM device (default: all cores).")
    Integer threads;

    @Option(names = "--train-limit", defaultValue = "0", description = "Use only the first N training images, 0 = all (default: ${DEFAULT-VALUE}).")
    int trainLimit;

    @Option(names = "--eval-limit", defaultValue = "0", description = "Use only the first N evaluation images, 0 = all (default: ${DEFAULT-VALUE}).")
    int evalLimit;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Also checkpoint every N steps inside an epoch (default: ${DEFAULT-VALUE} = epoch ends only).")
    int checkpointEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "2", description = "Checkpoints kept (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Option(names = "--no-progress", description = "No progress bar (log lines only).")
    boolean noProgress;

    @Option(names = "--record-replay", description = "Write <output>/replay/: initial weights and every step's batch and random choices, for scripts/replay.py.")
    boolean recordReplay;

    @Override
    public Integer call() {
        ImageSet train = Datasets.load(dataset, dataDir, true), eval = Datasets.load(dataset, dataDir, false);
        if (trainLimit > 0) train = Datasets.subset(train, Math.min(trainLimit, train.count()), seed);
        if (evalLimit > 0) eval = Datasets.subset(eval, Math.min(evalLimit, eval.count()));
        ModelConfig m = fit(Models.get(model), train, imgSize);
        AugmentConfig aug = new AugmentConfig(cropPad, hflip,
                io.github.hopmixer.data.RandAugmentSpec.parse(randAugment), reprob, mixup, cutmix, mixupSwitchProb,
                mixup > 0 || cutmix > 0 ? mixupProb : 0, smoothing, new double[] {0.5}, new double[] {0.5},
                m.imageSize() == train.height() ? 0 : m.imageSize());
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Path out = output != null ? output : Path.of("runs", model + "-" + dataset);
        TrainConfig cfg = new TrainConfig(model, dataset, dataDir, epochs, batchSize, evalBatchSize != null ? evalBatchSize : batchSize,
                lr, weightDecay, warmupEpochs, warmupLr, minLr, smoothing, dropPath, lcoeff, seed, out, resume, device,
                nThreads, trainLimit, evalLimit, checkpointEvery, keepCheckpoints, aug, !noProgress && System.console() != null && System.console().isTerminal());
        try (Device d = Devices.open(device, nThreads)) {
            System.out.printf(Locale.ROOT, "hopmixer: %s (%,d parameters) on %s, %s: %,d train / %,d eval images of %d×%d×%d, device %s%n",
                    m.name(), m.parameterCount(), dataset, train.classNames().size() + " classes", train.count(), eval.count(),
                    train.channels(), train.height(), train.width(), d.name());
            Trainer.Summary s = new Trainer(cfg, m, d, train, eval, System.out).recordReplay(recordReplay).run();
            System.out.printf(Locale.ROOT, "done: test top-1 %.2f%%, top-5 %.2f%%, loss %.4f after %d steps; %.0f images/s; %.1f s; run in %s%n",
                    s.lastEval().top1(), s.lastEval().top5(), s.lastEval().loss(), s.steps(), s.imagesPerSec(), s.seconds(), s.output());
        }
        return 0;
    }

    /** The model for this data: its channels and classes; nano models take the data's size, official sizes keep 224. */
    static ModelConfig fit(ModelConfig m, ImageSet data, Integer imgSize) {
        int size = imgSize != null ? imgSize : m.name().contains("_nano") ? data.height() : m.imageSize();
        if (data.height() != data.width()) throw new IllegalArgumentException("images must be square, got " + data.height() + "×" + data.width());
        if (size % m.patch() != 0) {
            throw new IllegalArgumentException("image size " + size + " is not a multiple of " + m.name() + "'s patch " + m.patch()
                    + "; pass --img-size with a multiple of it");
        }
        return m.withData(size, data.channels(), data.numClasses());
    }
}
