package io.github.hopmixer.cli;

import io.github.hopmixer.data.AugmentConfig;
import io.github.hopmixer.data.BatchLoader;
import io.github.hopmixer.data.Datasets;
import io.github.hopmixer.data.ImageSet;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.train.Checkpoint;
import io.github.hopmixer.train.Evaluator;
import io.github.hopmixer.train.ModelState;
import io.github.hopmixer.train.StepPlans;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a checkpoint on a data set's test split: loss, top-1, top-5.")
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "A model.safetensors, a checkpoint directory, or a run directory (its newest checkpoint).")
    Path checkpoint;

    @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "Data set (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--data-dir", description = "Where the data set lies.")
    Path dataDir;

    @Option(names = "--split", defaultValue = "test", description = "test or train (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "256", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--eval-limit", defaultValue = "0", description = "Only the first N images, 0 = all.")
    int limit;

    @Mixin
    DeviceOptions devices;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        RunFlags f = new RunFlags(spec);
        f.require(split.equals("test") || split.equals("train"), "--split", "must be test or train");
        f.require(batchSize >= 1 && batchSize <= TrainCommand.MAX_BATCH, "--batch-size", "must be between 1 and " + TrainCommand.MAX_BATCH);
        f.require(limit >= 0, "--eval-limit", "must be ≥ 0 (0 = all)");
        DeviceOptions.threads(f.typed("--threads"), devices.threads);
        if (!Files.exists(checkpoint)) throw new IllegalArgumentException(f.typed("--checkpoint") + " " + checkpoint + ": no such file or directory");
        Checkpoint.ModelFile loaded = Checkpoint.loadModel(checkpoint);
        ModelConfig m = loaded.model();
        ImageSet data = Datasets.load(dataset, dataDir, split.equals("train"));
        if (limit > 0) data = Datasets.subset(data, Math.min(limit, data.count()));
        if (data.channels() != m.inChans() || data.numClasses() > m.numClasses()) {
            throw new IllegalArgumentException(loaded.file() + " holds " + m.name() + " for " + m.inChans() + " channels and " + m.numClasses()
                    + " classes; " + dataset + " has " + data.channels() + " and " + data.numClasses());
        }
        if (!loaded.classNames().isEmpty() && !loaded.classNames().equals(data.classNames())) {
            throw new IllegalArgumentException(loaded.file() + " was trained on classes " + loaded.classNames() + ", but "
                    + dataset + " has " + data.classNames() + "; evaluate it on the data it was trained on");
        }
        if (data.height() != data.width()) throw new IllegalArgumentException("images must be square, got " + data.height() + "×" + data.width());
        Checkpoint.Normalization norm = loaded.normalization();
        AugmentConfig aug = AugmentConfig.none().withNormalization(norm.mean(), norm.std())
                .withOutputSize(data.height() == loaded.imageSize() ? 0 : loaded.imageSize());
        try (Device d = devices.open()) {
            StepPlans.Step eval = StepPlans.evaluation(m, batchSize, d);
            d.prepare(eval.plan());
            ModelState.write(d, eval, loaded.params(), null, checkpoint.toString());
            Evaluator.Result r;
            try (BatchLoader batches = BatchLoader.eval(data, aug, batchSize)) {
                r = Evaluator.run(d, eval, batches);
            }
            System.out.printf(Locale.ROOT, "%s on %s/%s (%d images, %s): loss %.4f  top-1 %.2f%%  top-5 %.2f%%%n",
                    m.name(), dataset, split, r.count(), d.name(), r.loss(), r.top1(), r.top5());
        }
        return 0;
    }
}
