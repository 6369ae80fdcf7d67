package io.github.hopmixer.train;

import io.github.hopmixer.model.Mixer;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.ParamSpec;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.ops.AdamWOps;
import io.github.hopmixer.ops.FusedOps;
import io.github.hopmixer.ops.PenaltyOps;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Memory;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Tape;

import java.util.List;

import static io.github.hopmixer.ops.CrossEntropyOps.crossEntropy;

/**
 * Builds the two programs a run needs, once per (model, batch size): the training step — forward, loss,
 * backward, λ penalty, AdamW — and the evaluation step (forward and per-sample loss, DropPath off).
 */
public final class StepPlans {
    private StepPlans() {}

    /** A built step and the buffers the host reads and writes. {@code penalty} is null unless the model is asymmixer. */
    public record Step(Plan plan, ModelConfig model, int batch, Buffer images, Buffer targets, Buffer losses,
                       Buffer logits, Buffer penalty, List<Buffer> dropPathMasks, Buffer scalars,
                       List<Buffer> params, List<ParamSpec> specs) {}

    /** The unfused step, which every device runs. */
    public static Step training(ModelConfig m, int batch) {
        return training(m, batch, true);
    }

    /** The step for {@code device}: with the fused ops when it runs them ({@link Device#fusedOps()}). */
    public static Step training(ModelConfig m, int batch, Device device) {
        return training(m, batch, true, device.planMemory(), device.fusedOps());
    }

    /** @param optimizer false for forward + backward only (gradient checks) */
    public static Step training(ModelConfig m, int batch, boolean optimizer) {
        return training(m, batch, optimizer, Memory.defaults(), false);
    }

    /** @param memory how the plan shares storage and recomputes activations (results are the same bits for each) */
    public static Step training(ModelConfig m, int batch, boolean optimizer, Memory memory) {
        return training(m, batch, optimizer, memory, false);
    }

    /** @param fused with the fused ops ({@link FusedOps#fuse}); the plan's name then ends in {@code /fused} */
    public static Step training(ModelConfig m, int batch, boolean optimizer, boolean fused) {
        return training(m, batch, optimizer, Memory.defaults(), fused);
    }

    public static Step training(ModelConfig m, int batch, boolean optimizer, Memory memory, boolean fused) {
        Tape g = new Tape("train", true);
        Buffer images = g.input("images", batch, m.inChans(), m.imageSize(), m.imageSize());
        Buffer targets = g.input("targets", batch, m.numClasses());
        Buffer scalars = g.scalars();
        Mixer.Forward f = Mixer.build(g, m, images, batch);
        Buffer losses = crossEntropy(g, "losses", f.logits(), targets, batch, m.numClasses());
        g.backward();
        Buffer penalty = null;
        if (!f.penalised().isEmpty()) {
            // λ·Σ‖W2‖²: its value for the loss report, its gradient 2λ·W2 added after backprop.
            penalty = g.output("penalty", f.penalised().size());
            PenaltyOps.penalise(g, penalty, f.penalised());
        }
        for (Buffer p : f.params()) {
            if (!g.hasParamGrad(p)) throw new IllegalStateException("no gradient reaches " + p.name());
        }
        if (optimizer) {
            for (int i = 0; i < f.params().size(); i++) AdamWOps.step(g, f.params().get(i), f.specs().get(i).decay());
        }
        g.keep(f.logits());
        Plan plan = g.build(m.name() + "/train/b" + batch + (optimizer ? "" : "/no-opt") + (fused ? "/fused" : ""), memory, fused);
        return new Step(plan, m, batch, images, targets, losses, f.logits(), penalty, f.dropPathMasks(), scalars,
                f.params(), f.specs());
    }

    public static Step evaluation(ModelConfig m, int batch) {
        return evaluation(m, batch, Memory.defaults(), false);
    }

    public static Step evaluation(ModelConfig m, int batch, Memory memory) {
        return evaluation(m, batch, memory, false);
    }

    public static Step evaluation(ModelConfig m, int batch, Device device) {
        return evaluation(m, batch, device.planMemory(), device.fusedOps());
    }

    public static Step evaluation(ModelConfig m, int batch, boolean fused) {
        return evaluation(m, batch, Memory.defaults(), fused);
    }

    public static Step evaluation(ModelConfig m, int batch, Memory memory, boolean fused) {
        Tape g = new Tape("eval", false);
        Buffer images = g.input("images", batch, m.inChans(), m.imageSize(), m.imageSize());
        Buffer targets = g.input("targets", batch, m.numClasses());
        Mixer.Forward f = Mixer.build(g, m, images, batch);
        Buffer losses = crossEntropy(g, "losses", f.logits(), targets, batch, m.numClasses());
        g.keep(f.logits());
        Plan plan = g.build(m.name() + "/eval/b" + batch + (fused ? "/fused" : ""), memory, fused);
        return new Step(plan, m, batch, images, targets, losses, f.logits(), null, f.dropPathMasks(), null,
                f.params(), f.specs());
    }
}
