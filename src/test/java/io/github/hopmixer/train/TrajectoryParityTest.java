package io.github.hopmixer.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.hopmixer.cli.Main;
import io.github.hopmixer.io.SafeTensors;
import io.github.hopmixer.io.TensorData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Training-trajectory parity with the official code: {@code hopmixer train} runs 20 steps of each family's pico
 * model on 64 Fashion-MNIST images (crop, flip, erasing, mixup/cutmix, DropPath, warm-up and cosine) and must
 * reproduce, step by step, the losses that the official PyTorch code (paramixer {@code models/}, timm 0.9.2)
 * computed in float64 when it replayed the same run, within 3× the float32 noise of the official code itself
 * (its float32 replay against its float64 one), and end with weights as close. Fixtures:
 * {@code scripts/trajectory_fixture.py}; see scripts/README-parity.md.
 */
class TrajectoryParityTest {
    private static final Path FIXTURES = Path.of("src/test/resources/parity/trajectory");

    @TempDir
    static Path tmp;

    /** The fixture's 64 training and 16 test images, written as the IDX files the run reads. */
    @BeforeAll
    static void writeData() throws IOException {
        Map<String, TensorData> d = SafeTensors.read(FIXTURES.resolve("trajectory-data.safetensors")).tensors();
        for (String split : List.of("train", "test")) {
            String prefix = split.equals("train") ? "train" : "t10k";
            byte[] images = d.get(split + "_images").data(), labels = d.get(split + "_labels").data();
            int n = labels.length;
            Files.write(tmp.resolve(prefix + "-images-idx3-ubyte"),
                    ByteBuffer.allocate(16 + images.length).putInt(2051).putInt(n).putInt(28).putInt(28).put(images).array());
            Files.write(tmp.resolve(prefix + "-labels-idx1-ubyte"),
                    ByteBuffer.allocate(8 + n).putInt(2049).putInt(n).put(labels).array());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vanillamixer_pico", "paramixer_pico", "symmixer_pico", "asymmixer_pico_l01", "mixer_pico"})
    void stepsMatchTheOfficialCode(String model) throws IOException {
        SafeTensors fx = SafeTensors.read(FIXTURES.resolve(model + ".safetensors"));
        Map<String, String> meta = fx.metadata();
        Path out = tmp.resolve("run-" + model);
        List<String> args = new ArrayList<>(List.of("train", "--model", model, "--data-dir", tmp.toString(), "--output", out.toString()));
        args.addAll(List.of(new Gson().fromJson(meta.get("train_args"), String[].class)));
        assertEquals(0, Main.commandLine().execute(args.toArray(String[]::new)));

        String record = Files.readString(out.resolve("replay/steps.jsonl"));
        assertEquals(meta.get("choices_sha256"), digest(record), "the run's batches and random choices differ from those the "
                + "fixture replayed (data order or augmentation streams changed): regenerate with scripts/trajectory_fixture.py");

        double[] reference = fx.tensors().get("loss_f64").toDoubles();
        double tolerance = Double.parseDouble(meta.get("loss_tolerance"));
        List<String> lines = record.lines().toList();
        assertEquals(reference.length, lines.size(), "steps");
        double worst = 0;
        for (int s = 0; s < reference.length; s++) {
            double loss = new Gson().fromJson(lines.get(s), JsonObject.class).get("loss").getAsDouble();
            worst = Math.max(worst, Math.abs(loss - reference[s]));
            assertEquals(reference[s], loss, tolerance, model + " step " + (s + 1) + ": loss vs the official code in float64");
        }

        Map<String, float[]> weights = Checkpoint.loadModel(out).params();
        double num = 0, den = 0;
        for (var e : fx.tensors().entrySet()) {
            if (!e.getKey().startsWith("final.")) continue;
            double[] ref = e.getValue().toDoubles();
            float[] w = weights.get(e.getKey().substring("final.".length()));
            assertNotNull(w, "no " + e.getKey() + " in hopmixer's checkpoint");
            for (int i = 0; i < ref.length; i++) {
                num += (w[i] - ref[i]) * (w[i] - ref[i]);
                den += ref[i] * ref[i];
            }
        }
        double rel = Math.sqrt(num / den), weightTolerance = Double.parseDouble(meta.get("weight_tolerance"));
        System.out.printf("%s: %d steps, max |loss − official f64| %.2e (tolerance %.2e), final weights relative L2 %.2e (tolerance %.2e)%n",
                model, reference.length, worst, tolerance, rel, weightTolerance);
        assertTrue(rel <= weightTolerance, model + ": final weights differ from the official code's by " + rel + " (relative L2), over "
                + weightTolerance);
    }

    /** What a replay cannot reproduce is refused in one line, before anything is written: RandAugment, a resumed run. */
    @Test
    void unreplayableRunsAreRefused() {
        var err = new java.io.StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new java.io.PrintWriter(err));
        Path out = tmp.resolve("refused");
        List<String> base = List.of("train", "--model", "paramixer_pico", "--dataset", "fashion-mnist", "--data-dir", tmp.toString(),
                "--img-size", "28", "--epochs", "1", "--batch-size", "16", "--threads", "1", "--no-progress", "--record-replay",
                "--output", out.toString());
        List<String> aa = new ArrayList<>(base);
        aa.addAll(List.of("--aa", "rand-m9-mstd0.5-inc1"));
        assertEquals(2, cl.execute(aa.toArray(String[]::new)));
        assertTrue(err.toString().contains("--record-replay does not record RandAugment's choices; use --aa none"), err.toString());
        // A recorded run extended by a resume would record from the middle: refused before anything is touched.
        Path recorded = tmp.resolve("recorded-once");
        List<String> once = new ArrayList<>(base.subList(0, base.size() - 1));
        once.add(recorded.toString());
        assertEquals(0, cl.execute(once.toArray(String[]::new)), err.toString());
        assertEquals(2, cl.execute("train", "--resume", recorded.toString(), "--epochs", "2"));
        assertTrue(err.toString().contains("--record-replay cannot be combined with --resume"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack traces: " + err);
        assertFalse(Files.exists(out.resolve("replay")), "nothing recorded");
    }

    /** sha256 of the record with each step's loss removed, as scripts/trajectory_fixture.py computes it. */
    static String digest(String record) {
        try {
            byte[] text = record.replaceAll("\"loss\":[^,]*,", "").getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
