package io.github.hopmixer.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.github.hopmixer.data.AugmentConfig;
import io.github.hopmixer.data.Batch;
import io.github.hopmixer.data.Choices;
import io.github.hopmixer.data.ImageSet;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.io.FileErrors;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.train.StepPlans.Step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes what a run consumed, for {@code scripts/replay.py} to replay in PyTorch ({@code train --record-replay}):
 * {@code RUN/replay/meta.json} (model, data, optimiser and augmentation settings),
 * {@code RUN/replay/checkpoints/step-00000000/model.safetensors} (the initial weights, official {@code state_dict}
 * layout) and {@code RUN/replay/steps.jsonl}, one JSON object per step: its 1-based number, epoch, batch, learning
 * rate and loss, each row's image index, label, crop offsets and flip, the erased boxes and their noise, the
 * batch's mixup/cutmix λ and box, and every DropPath mask as a string of keep flags.
 */
public final class ReplayRecorder {
    public static final String DIR = "replay";
    private static final Gson GSON = new GsonBuilder().serializeNulls().create();

    private final Path dir, steps;
    private final TrainConfig cfg;
    private final ModelConfig model;
    private final double lambda;
    private final ImageSet trainSet;
    private List<Buffer> maskBuffers;

    /** Refuses what a replay cannot reproduce: a resumed run (no step 0) and RandAugment (its choices are not recorded). */
    public ReplayRecorder(TrainConfig cfg, ModelConfig model, double lambda, ImageSet trainSet) {
        if (cfg.resume() != null) {
            throw new IllegalArgumentException("--record-replay cannot be combined with --resume: a replay starts from step 0");
        }
        if (cfg.augment().randAugment().enabled()) {
            throw new IllegalArgumentException("--record-replay does not record RandAugment's choices; use --aa none");
        }
        this.cfg = cfg;
        this.model = model;
        this.lambda = lambda;
        this.trainSet = trainSet;
        this.dir = cfg.output().resolve(DIR);
        this.steps = dir.resolve("steps.jsonl");
    }

    /** Writes meta.json and the initial weights; call once, after initialisation and before the first step. */
    public void begin(Device d, Step train) {
        maskBuffers = train.dropPathMasks();
        Checkpoint.save(dir, model, train.specs(), trainSet.classNames(),
                new Checkpoint.Normalization(cfg.augment().mean(), cfg.augment().std()), ModelState.readParams(d, train),
                ModelState.readMoments(d, train.plan()), new Checkpoint.Position(0, 0, 0, 0), cfg.seed(), cfg.toJson(), 1);
        AugmentConfig a = cfg.augment();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", "hopmixer-replay/1");
        meta.put("model", model.name());
        meta.put("model_config", model);
        meta.put("init", "checkpoints/step-00000000/" + Checkpoint.MODEL_FILE);
        meta.put("dataset", cfg.dataset());
        meta.put("data_dir", cfg.dataDir() == null ? null : cfg.dataDir().toAbsolutePath().toString());
        meta.put("train_limit", cfg.trainLimit());
        meta.put("train_count", trainSet.count());
        meta.put("image_shape", List.of(trainSet.channels(), trainSet.height(), trainSet.width()));
        meta.put("class_names", trainSet.classNames());
        meta.put("seed", cfg.seed());
        meta.put("epochs", cfg.epochs());
        meta.put("batch_size", cfg.batchSize());
        meta.put("steps_per_epoch", trainSet.count() / cfg.batchSize());
        meta.put("lr", cfg.lr());
        meta.put("warmup_epochs", cfg.warmupEpochs());
        meta.put("warmup_lr", cfg.warmupLr());
        meta.put("min_lr", cfg.minLr());
        meta.put("schedule", "timm CosineLRScheduler stepped per epoch (t_in_epochs=True)");
        meta.put("weight_decay", cfg.weightDecay());
        Map<String, Object> adamw = new LinkedHashMap<>();
        adamw.put("beta1", 0.9);
        adamw.put("beta2", 0.999);
        adamw.put("eps", 1e-8);
        adamw.put("decayed", "tensors with 2+ dimensions");
        meta.put("adamw", adamw);
        meta.put("smoothing", a.labelSmoothing());
        meta.put("drop_path", cfg.dropPath());
        meta.put("drop_path_masks", maskBuffers.stream().map(Buffer::name).toList());
        meta.put("lcoeff", lambda);
        Map<String, Object> aug = new LinkedHashMap<>();
        aug.put("crop_padding", a.cropPadding());
        aug.put("hflip", a.flipProb());
        aug.put("reprob", a.eraseProb());
        aug.put("mixup", a.mixupAlpha());
        aug.put("cutmix", a.cutmixAlpha());
        aug.put("mixup_switch_prob", a.mixSwitchProb());
        aug.put("mixup_prob", a.mixProb());
        aug.put("mean", a.mean());
        aug.put("std", a.std());
        aug.put("output_size", a.outputSize());
        aug.put("order", "crop, flip, resize, normalise, erase; then mixup/cutmix with the reversed batch");
        meta.put("augment", aug);
        try {
            Files.writeString(dir.resolve("meta.json"), new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(meta));
            Files.writeString(steps, "");
        } catch (IOException e) {
            throw FileErrors.failure("cannot write the replay record in " + dir, e);
        }
    }

    /** Appends step {@code step} (1-based): the batch it trained on, its learning rate and loss. */
    public void record(long step, double lr, Batch b, double loss) {
        Choices c = b.choices();
        if (c == null) throw new IllegalStateException("batch " + b.index() + " of epoch " + b.epoch() + " carries no choices");
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.put("epoch", b.epoch());
        line.put("batch", b.index());
        line.put("lr", lr);
        line.put("loss", loss);
        line.put("sources", c.sources());
        line.put("labels", b.labels());
        if (cfg.augment().cropPadding() > 0) {
            List<int[]> crops = new ArrayList<>();
            for (int i = 0; i < c.sources().length; i++) crops.add(new int[] {c.cropTop()[i], c.cropLeft()[i]});
            line.put("crop", crops);
        }
        line.put("flip", bits(c.flipped()));
        if (cfg.augment().eraseProb() > 0) {
            List<Object> erase = new ArrayList<>();
            for (int i = 0; i < c.sources().length; i++) {
                if (c.eraseBoxes()[i] == null) {
                    erase.add(null);
                    continue;
                }
                Map<String, Object> box = new LinkedHashMap<>(); // fixed key order: the record is compared byte for byte
                box.put("box", c.eraseBoxes()[i]);
                box.put("noise", c.eraseNoise()[i]);
                erase.add(box);
            }
            line.put("erase", erase);
        }
        line.put("mix", c.mix());
        line.put("lambda", c.lambda());
        line.put("cutmix_box", c.cutmixBox());
        if (cfg.dropPath() > 0) {
            List<String> masks = new ArrayList<>();
            for (float[] m : DropPath.masks(maskBuffers, cfg.dropPath(), cfg.seed(), step - 1)) {
                boolean[] keep = new boolean[m.length];
                for (int i = 0; i < m.length; i++) keep[i] = m[i] != 0;
                masks.add(bits(keep));
            }
            line.put("drop_path", masks);
        }
        try {
            Files.writeString(steps, GSON.toJson(line) + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw FileErrors.failure("cannot append to " + steps, e);
        }
    }

    private static String bits(boolean[] v) {
        StringBuilder s = new StringBuilder(v.length);
        for (boolean b : v) s.append(b ? '1' : '0');
        return s.toString();
    }
}
