package io.github.hopmixer.model;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.JvmDevice;
import io.github.hopmixer.device.ReferenceDevice;
import io.github.hopmixer.io.SafeTensors;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Scalars;
import io.github.hopmixer.train.DropPath;
import io.github.hopmixer.train.StepPlans;
import io.github.hopmixer.train.StepPlans.Step;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Parity with the official PyTorch code: fixtures written by {@code scripts/parity_fixture.py} (float64, and
 * cross-checked there against the official modules) hold weights under their state_dict names, an input, the
 * logits, the loss and every gradient. The Java model loads the weights by name and must reproduce them — on
 * the double reference to 1e-10, on the float JVM device to float accuracy.
 */
class ParityTest {
    static final Path DIR = Path.of("src/test/resources/parity");

    @ParameterizedTest
    @ValueSource(strings = {"vanillamixer_tiny", "paramixer_tiny", "symmixer_tiny", "asymmixer_tiny_l01",
            "paramixer_tiny_ni2", "symmixer_tiny_ni3", "vanillamixer_tiny_ni2", "mixer_tiny"})
    void matchesOfficialPyTorch(String name) throws IOException {
        SafeTensors f = SafeTensors.read(DIR.resolve(name + ".safetensors"));
        Map<String, String> meta = f.metadata();
        Family family = Family.valueOf(name.substring(0, name.indexOf('_')).toUpperCase());
        int k = Integer.parseInt(meta.get("num_classes")), dim = Integer.parseInt(meta.get("embed_dim"));
        ModelConfig m = new ModelConfig(name, family, Integer.parseInt(meta.get("img_size")), Integer.parseInt(meta.get("in_chans")),
                Integer.parseInt(meta.get("patch_size")), dim, Integer.parseInt(meta.get("num_blocks")), dim / 2, dim * 4, k,
                Integer.parseInt(meta.get("n_iter")), Double.parseDouble(meta.get("lcoeff")));
        int batch = Integer.parseInt(meta.get("batch"));
        double smoothing = Double.parseDouble(meta.get("smoothing"));

        double[] expLogits = f.tensor("logits").toDoubles();
        double expLoss = f.tensor("loss").toDoubles()[0];
        for (boolean reference : new boolean[] {true, false}) {
            Device d = reference ? new ReferenceDevice() : new JvmDevice(2);
            Step st = StepPlans.training(m, batch, false);
            d.prepare(st.plan());
            assertEquals(f.tensors().keySet().stream().filter(t -> !t.startsWith("grad.") && !t.equals("input")
                    && !t.equals("target") && !t.equals("logits") && !t.equals("loss")).sorted().toList(),
                    st.params().stream().map(Buffer::name).sorted().toList(), "the state_dict names");
            for (Buffer p : st.params()) {
                if (reference) System.arraycopy(f.tensor(p.name()).toDoubles(), 0, ((ReferenceDevice) d).array(p), 0, p.size());
                else d.write(p, f.tensor(p.name()).toFloats());
            }
            if (reference) System.arraycopy(f.tensor("input").toDoubles(), 0, ((ReferenceDevice) d).array(st.images()), 0, st.images().size());
            else d.write(st.images(), f.tensor("input").toFloats());
            long[] labels = f.tensor("target").toLongs();
            float[] t = new float[batch * k];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < k; j++) t[b * k + j] = (float) (smoothing / k);
                t[b * k + (int) labels[b]] += (float) (1 - smoothing);
            }
            d.write(st.targets(), t);
            DropPath.off(d, st.dropPathMasks());
            float[] s = new float[Scalars.SIZE];
            s[Scalars.LAMBDA] = (float) m.lambda();
            d.write(st.scalars(), s);
            d.execute(st.plan());

            // Reference: 1e-10 (float targets carry ~1e-8 of the smoothing constant into the loss: compare loosely there).
            double tolerance = reference ? 1e-10 : 2e-5;
            float[] logits = new float[batch * k];
            d.read(st.logits(), logits);
            double[] got = reference ? ((ReferenceDevice) d).array(st.logits()) : toDoubles(logits);
            for (int i = 0; i < got.length; i++) assertEquals(expLogits[i], got[i], tolerance * (1 + Math.abs(expLogits[i])), "logit " + i);
            float[] losses = new float[batch];
            d.read(st.losses(), losses);
            double loss = 0;
            double[] lossArr = reference ? ((ReferenceDevice) d).array(st.losses()) : toDoubles(losses);
            for (double v : lossArr) loss += v / batch;
            if (st.penalty() != null) {
                float[] pen = new float[st.penalty().size()];
                d.read(st.penalty(), pen);
                double[] penArr = reference ? ((ReferenceDevice) d).array(st.penalty()) : toDoubles(pen);
                for (double v : penArr) loss += m.lambda() * v;
            }
            assertEquals(expLoss, loss, (reference ? 1e-7 : 2e-5) * (1 + expLoss), "loss (" + d.name() + ")");
            for (Buffer p : st.params()) {
                double[] exp = f.tensor("grad." + p.name()).toDoubles();
                Buffer g = st.plan().buffer("grad/" + p.name());
                float[] gf = new float[g.size()];
                d.read(g, gf);
                double[] gd = reference ? ((ReferenceDevice) d).array(g) : toDoubles(gf);
                double scale = 0;
                for (double v : exp) scale = Math.max(scale, Math.abs(v));
                for (int i = 0; i < exp.length; i++) {
                    assertEquals(exp[i], gd[i], (reference ? 1e-7 : 1e-4) * (1e-3 + scale), d.name() + " grad " + p.name() + "[" + i + "]");
                }
            }
            d.close();
        }
    }

    static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
