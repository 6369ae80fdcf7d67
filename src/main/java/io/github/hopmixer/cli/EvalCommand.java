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
import picocli.CommandLine.Option;

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

    @Override
    public Integer call() {
        Checkpoint.ModelFile loaded = Checkpoint.loadModel(checkpoint);
        ModelConfig m = loaded.model();
        if (!split.equals("test") && !split.equals("train")) throw new IllegalArgumentException("--split must be test or train");
        ImageSet data = Datasets.load(dataset, dataDir, split.equals("train"));
        if (limit > 0) data = Datasets.subset(data, Math.min(limit, data.count()));
        if (data.channels() != m.inChans() || data.numClasses() > m.numClasses()) {
            throw new IllegalArgumentException(checkpoint + " holds " + m.name() + " for " + m.inChans() + " channels and " + m.numClasses()
                    + " classes; " + dataset + " has " + data.channels() + " and " + data.numClasses());
        }
        AugmentConfig aug = AugmentConfig.none().withNormalization(new double[] {0.5}, new double[] {0.5})
                .withOutputSize(data.height() == m.imageSize() ? 0 : m.imageSize());
        try (Device d = devices.open()) {
            StepPlans.Step eval = StepPlans.evaluation(m, batchSize);
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
