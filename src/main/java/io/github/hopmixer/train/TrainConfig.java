package io.github.hopmixer.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import io.github.hopmixer.data.AugmentConfig;

import java.io.IOException;

import java.nio.file.Path;

/**
 * One training run's settings, named as timm's train.py flags. Defaults are the README's quick run; the
 * official CIFAR-10 recipe is 300 epochs, batch 384, lr 5e-4·batch/512, warm-up 20, drop-path 0.1, and
 * RandAugment, mixup/cutmix and random erasing (see {@code --help}).
 */
public record TrainConfig(
        String model, String dataset, Path dataDir, int epochs, int batchSize, int evalBatchSize,
        double lr, double weightDecay, int warmupEpochs, double warmupLr, double minLr,
        double smoothing, double dropPath, Double lcoeff, long seed, Path output, Path resume,
        String device, int threads, int trainLimit, int evalLimit, int checkpointEvery, int keepCheckpoints,
        AugmentConfig augment, boolean progress, int logEvery) {

    /** Evaluation batches: the training normalisation and size, nothing random. */
    public AugmentConfig evalAugment() {
        return AugmentConfig.none().withNormalization(augment.mean(), augment.std()).withOutputSize(augment.outputSize());
    }

    private static final Gson GSON = new GsonBuilder().serializeNulls().serializeSpecialFloatingPointValues()
            .registerTypeHierarchyAdapter(Path.class, new TypeAdapter<Path>() {
                @Override
                public void write(JsonWriter out, Path p) throws IOException {
                    if (p == null) out.nullValue();
                    else out.value(p.toString());
                }

                @Override
                public Path read(JsonReader in) throws IOException {
                    return Path.of(in.nextString());
                }
            }).create();

    /** The whole configuration as JSON, as checkpoints store it. */
    public String toJson() {
        return GSON.toJson(this);
    }

    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1");
        if (batchSize < 1 || evalBatchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1");
        if (smoothing < 0 || smoothing >= 1) throw new IllegalArgumentException("--smoothing must be in [0, 1)");
        if (dropPath < 0 || dropPath >= 1) throw new IllegalArgumentException("--drop-path must be in [0, 1)");
        if (lcoeff != null && lcoeff < 0) throw new IllegalArgumentException("--lcoeff must be ≥ 0");
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1");
        if (checkpointEvery < 0 || keepCheckpoints < 1) throw new IllegalArgumentException("--checkpoint-every ≥ 0, --keep-checkpoints ≥ 1");
        if (logEvery < 1) throw new IllegalArgumentException("--log-every must be at least 1");
        if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("--lr must be a finite number > 0");
    }
}
