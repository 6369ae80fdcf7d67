package io.github.hopmixer.cli;

import io.github.hopmixer.data.AugmentConfig;
import io.github.hopmixer.data.Datasets;
import io.github.hopmixer.data.ImageSet;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.io.FileErrors;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.train.Checkpoint;
import io.github.hopmixer.train.Manifest;
import io.github.hopmixer.train.RunDirectory;
import io.github.hopmixer.train.RunLock;
import io.github.hopmixer.train.TrainConfig;
import io.github.hopmixer.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
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

    @Option(names = "--output", description = "Run directory: run.json, summary.csv, steps.csv, checkpoints/ (default: runs/<model>-<dataset>). It must not hold another run.")
    Path output;

    @Option(names = "--resume", description = "Continue the run in this directory (or from a checkpoint directory inside it), in place, with its run.json settings; a finished run says so and exits 0.")
    Path resume;

    @Option(names = "--device", defaultValue = "jvm", description = "jvm, reference, auto, tornado, tornado:<backend>:<device> (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", description = "CPU threads of the JVM device (default: all cores).")
    Integer threads;

    @Option(names = "--train-limit", defaultValue = "0", description = "Use only N training images, a random subset chosen by --seed (kept in their order), 0 = all (default: ${DEFAULT-VALUE}).")
    int trainLimit;

    @Option(names = "--eval-limit", defaultValue = "0", description = "Use only the first N evaluation images, 0 = all (default: ${DEFAULT-VALUE}).")
    int evalLimit;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Also checkpoint every N steps inside an epoch (default: ${DEFAULT-VALUE} = epoch ends only).")
    int checkpointEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "2", description = "Checkpoints kept (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Option(names = "--no-progress", description = "No progress bar (log lines only).")
    boolean noProgress;

    @Option(names = "--log-every", defaultValue = "50", description = "Without a progress bar (output not a terminal, or --no-progress): a progress line every N steps, and at least every 30 s (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Spec
    CommandSpec spec;

    /** Largest batch accepted: beyond it a batch of 224-px images no longer fits a Java array. */
    static final int MAX_BATCH = 8192;

    @Option(names = "--track-symmetry", description = "After every epoch, write the weight-symmetry measures to symmetry.csv and symmetry.png in the run directory (see 'hopmixer symmetry --help').")
    boolean trackSymmetry;

    @Option(names = "--record-replay", description = "Write <output>/replay/: initial weights and every step's batch and random choices, for scripts/replay.py.")
    boolean recordReplay;

    @Override
    public Integer call() {
        RunFlags flags = new RunFlags(spec);
        // 1. Which directory, and on resume the run's own settings: all read-only.
        Path run;
        RunDirectory.Target target = null;
        Integer longer = null;
        if (resume != null) {
            target = RunDirectory.forResume(resume);
            run = target.run();
            if (output != null && !output.toAbsolutePath().normalize().equals(run.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException(flags.typed("--output") + " " + output + " differs from the resumed run " + run
                        + ": a resumed run continues in its own directory; drop --output, or copy the run first to fork it");
            }
            if (target.manifest() != null) longer = flags.adopt(target.manifest(), run);
        } else {
            run = output != null ? output : Path.of("runs", model + "-" + dataset);
            RunDirectory.requireFresh(run, output != null ? flags.typed("--output") : "the default output (--output)");
        }
        validate(flags);
        int runEpochs = longer != null ? longer : target != null && target.manifest() != null ? target.manifest().epochs() : epochs;
        Checkpoint.Loaded ck = target == null ? null : target.start().map(p -> Checkpoint.load(p, model)).orElse(null);
        if (ck != null && RunDirectory.finished(ck.position(), runEpochs)) {
            System.out.printf("run %s is already finished (%d epoch%s)%n", run, runEpochs, runEpochs == 1 ? "" : "s");
            return 0;
        }
        RunLock.holder(run).ifPresent(pid -> {
            throw new IllegalStateException("run " + run + " is in use by process " + pid + " (lock " + run.resolve(RunLock.FILE)
                    + "); wait for it to finish, or train into a fresh --output");
        });

        // 2. Data, model and every setting against them: still nothing written.
        ImageSet train = Datasets.load(dataset, dataDir, true), eval = Datasets.load(dataset, dataDir, false);
        if (trainLimit > 0) train = Datasets.subset(train, Math.min(trainLimit, train.count()), seed);
        if (evalLimit > 0) eval = Datasets.subset(eval, Math.min(evalLimit, eval.count()));
        ModelConfig m = fit(Models.get(model), train, imgSize);
        flags.require(cropPad <= train.height(), "--crop-pad", "must be at most the image side, " + train.height());
        if (ck != null && !ck.classNames().isEmpty() && !ck.classNames().equals(train.classNames())) {
            throw new IllegalArgumentException("the data (" + dataset + (dataDir != null ? " in " + dataDir : "") + ") has classes "
                    + abbreviated(train.classNames()) + ", but run " + run + " was trained on " + abbreviated(ck.classNames()));
        }
        if (ck != null && !ck.model().equals(m)) {
            // Name both models: the run's own one is what the user compares against.
            String hint = Checkpoint.olderHint(ck.dir(), "--resume");
            throw new IllegalArgumentException("checkpoint " + ck.dir() + " holds " + Checkpoint.describe(ck.model()) + ", but run " + run
                    + " (its settings and data) is " + Checkpoint.describe(m) + (hint != null ? "; " + hint : ""));
        }
        AugmentConfig aug = new AugmentConfig(cropPad, hflip,
                io.github.hopmixer.data.RandAugmentSpec.parse(randAugment), reprob, mixup, cutmix, mixupSwitchProb,
                mixup > 0 || cutmix > 0 ? mixupProb : 0, smoothing, new double[] {0.5}, new double[] {0.5},
                m.imageSize() == train.height() ? 0 : m.imageSize());
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        TrainConfig cfg = new TrainConfig(model, dataset, dataDir, runEpochs, batchSize, evalBatchSize != null ? evalBatchSize : batchSize,
                lr, weightDecay, warmupEpochs, warmupLr, minLr, smoothing, dropPath, lcoeff, seed, run, ck != null ? ck.dir() : null, device,
                nThreads, trainLimit, evalLimit, checkpointEvery, keepCheckpoints, aug,
                !noProgress && System.console() != null && System.console().isTerminal(), logEvery);
        try (Device d = Devices.open(device, nThreads)) {
            Trainer trainer;
            try {
                trainer = new Trainer(cfg, m, d, train, eval, System.out);
            } catch (ArithmeticException | NegativeArraySizeException | OutOfMemoryError e) {
                throw new IllegalArgumentException(flags.shown("--batch-size") + ": the training step of " + m.name() + " on "
                        + m.imageSize() + "-px images does not fit in memory at this batch size (" + e.getClass().getSimpleName()
                        + "); use a smaller --batch-size or --eval-batch-size, or a larger -Xmx");
            }
            trainer.onEpochEnd(trackSymmetry ? new io.github.hopmixer.science.SymmetryTracker(run, m) : null);
            trainer.recordReplay(recordReplay);
            // 3. Claim the directory, then check that nothing changed since it was read.
            boolean createdDir = Files.notExists(run), createdLock = Files.notExists(run.resolve(RunLock.FILE));
            FileErrors.createDirectories(run, "cannot create run directory " + run);
            try (RunLock lock = RunLock.acquire(run)) {
                claim(flags, run, target, ck, longer, m);
                ErrorLog.useDirectory(run); // from here on, an unexpected error's trace lands in the run directory
                System.out.printf(Locale.ROOT, "hopmixer: %s (%,d parameters) on %s, %s: %,d train / %,d eval images of %d×%d×%d, device %s%n",
                        m.name(), m.parameterCount(), dataset, train.classNames().size() + " classes", train.count(), eval.count(),
                        train.channels(), train.height(), train.width(), d.name());
                Trainer.Summary s;
                try {
                    s = trainer.run(ck);
                } catch (RuntimeException | Error e) {
                    // A new run that failed before its first step must not hold the directory against a retry.
                    if (target == null && RunDirectory.discardUnstarted(run, createdDir, createdLock)) ErrorLog.useDirectory(null);
                    throw e;
                }
                System.out.printf(Locale.ROOT, "done: test top-1 %.2f%%, top-5 %.2f%%, loss %.4f after %d steps; %.0f images/s; %.1f s; run in %s%n",
                        s.lastEval().top1(), s.lastEval().top5(), s.lastEval().loss(), s.steps(), s.imagesPerSec(), s.seconds(), s.output());
            }
        }
        return 0;
    }

    /**
     * With the lock held: checks that the directory is as it was read (another process may have been faster),
     * then writes the manifest of a new run, of a run made before manifests, or of an extended one.
     */
    private void claim(RunFlags flags, Path run, RunDirectory.Target target, Checkpoint.Loaded ck, Integer longer, ModelConfig m) {
        if (target == null) {
            RunDirectory.requireFresh(run, output != null ? flags.typed("--output") : "the default output (--output)");
            if (imgSize == null) imgSize = m.imageSize(); // recorded as resolved, so repeating the value on resume matches
            if (evalBatchSize == null) evalBatchSize = batchSize;
            newManifest(flags).write(run);
            return;
        }
        Path now = target.start().orElse(null), then = ck != null ? ck.dir() : null;
        if (!Objects.equals(now, then) || (target.manifest() != null && !Manifest.read(run).equals(target.manifest()))) {
            throw new IllegalStateException("run " + run + " changed while this command started; run it again");
        }
        if (target.manifest() == null) {
            System.out.printf("note: %s has no %s (made before run manifests); it continues with the flags given, "
                    + "which must be its original ones%n", run, Manifest.FILE);
            newManifest(flags).write(run);
        } else if (longer != null) {
            target.manifest().withEpochs(longer, ck != null ? ck.position().step() : 0).write(run);
            System.out.printf("run %s extended from %d to %d epochs: the cosine schedule is recomputed over %d "
                    + "epochs from epoch %d on (timm's rule for a longer --epochs)%n", run, target.manifest().epochs(),
                    longer, longer, ck != null ? ck.position().epoch() : 0);
        }
    }

    private Manifest newManifest(RunFlags flags) {
        return new Manifest(model, dataset, dataDir == null ? null : dataDir.toAbsolutePath().normalize().toString(), seed,
                Manifest.VERSION, Instant.now().toString(), flags.settings(), List.of());
    }

    /** Every flag against its range, before anything is read or written; messages name the flag as typed. */
    private void validate(RunFlags f) {
        f.require(epochs >= 1, "--epochs", "must be at least 1");
        f.require(batchSize >= 1 && batchSize <= MAX_BATCH, "--batch-size", "must be between 1 and " + MAX_BATCH);
        f.require(evalBatchSize == null || evalBatchSize >= 1 && evalBatchSize <= MAX_BATCH, "--eval-batch-size",
                "must be between 1 and " + MAX_BATCH);
        f.require(imgSize == null || imgSize >= 1 && imgSize <= 4096, "--img-size", "must be between 1 and 4096 pixels");
        f.require(lr > 0 && Double.isFinite(lr), "--lr", "must be a finite number > 0");
        // Training runs in float32: a smaller lr is 0 there, and the run would silently not learn.
        f.require((float) lr > 0, "--lr", "is 0 in float32, which training uses; the smallest usable is " + Float.MIN_VALUE);
        f.require(weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay", "must be a finite number ≥ 0");
        f.require(warmupEpochs >= 0, "--warmup-epochs", "must be ≥ 0");
        f.require(warmupLr >= 0 && Double.isFinite(warmupLr), "--warmup-lr", "must be a finite number ≥ 0");
        f.require(minLr >= 0 && Double.isFinite(minLr), "--min-lr", "must be a finite number ≥ 0");
        // Above the peak, the cosine schedule would rise instead of decay.
        f.require(minLr <= lr, "--min-lr", "must be at most " + f.shown("--lr") + " (the cosine schedule decays from --lr to --min-lr)");
        // Otherwise every epoch is warm-up and the run never reaches --lr.
        f.require(warmupEpochs < epochs, "--warmup-epochs", "must be less than " + f.shown("--epochs") + " (0 to " + (epochs - 1) + ")");
        f.require(smoothing >= 0 && smoothing < 1, "--smoothing", "must be in [0, 1)");
        f.require(dropPath >= 0 && dropPath < 1, "--drop-path", "must be in [0, 1)");
        f.require(lcoeff == null || lcoeff >= 0 && Double.isFinite(lcoeff), "--lcoeff", "must be a finite number ≥ 0");
        f.require(cropPad >= 0, "--crop-pad", "must be ≥ 0");
        for (String p : List.of("--hflip", "--reprob", "--mixup-prob", "--mixup-switch-prob")) {
            double v = ((Number) spec.findOption(p).getValue()).doubleValue();
            f.require(v >= 0 && v <= 1, p, "is a probability, in [0, 1]");
        }
        f.require(mixup >= 0 && Double.isFinite(mixup), "--mixup", "must be a finite α ≥ 0 (0 = off)");
        f.require(cutmix >= 0 && Double.isFinite(cutmix), "--cutmix", "must be a finite α ≥ 0 (0 = off)");
        try {
            io.github.hopmixer.data.RandAugmentSpec.parse(randAugment);
        } catch (RuntimeException e) {
            // The parser's messages already start "--aa SPEC:" or "--aa:"; name the flag once, as typed.
            f.require(false, "--aa", e.getMessage().replaceFirst("^--aa(?: " + java.util.regex.Pattern.quote(randAugment) + ")?: ", ""));
        }
        DeviceOptions.threads(f.typed("--threads"), threads);
        f.require(trainLimit >= 0, "--train-limit", "must be ≥ 0 (0 = all)");
        f.require(evalLimit >= 0, "--eval-limit", "must be ≥ 0 (0 = all)");
        f.require(checkpointEvery >= 0, "--checkpoint-every", "must be ≥ 0 (0 = at epoch ends only)");
        f.require(keepCheckpoints >= 1, "--keep-checkpoints", "must be at least 1 (the newest checkpoint is always kept)");
        f.require(logEvery >= 1, "--log-every", "must be at least 1");
    }

    private static String abbreviated(List<String> names) {
        return names.size() <= 6 ? names.toString() : names.subList(0, 6) + " (" + names.size() + " in all)";
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
