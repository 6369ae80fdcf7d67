package io.github.hopmixer.cli;

import com.google.gson.JsonParser;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.Mixer;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.ParamSpec;
import io.github.hopmixer.science.SymmetryCsv;
import io.github.hopmixer.science.SymmetryCsv.EpochRow;
import io.github.hopmixer.testing.Tiny;
import io.github.hopmixer.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code hopmixer train --track-symmetry} and {@code hopmixer symmetry} on tiny runs (nano models at 8 px, two epochs)
 * over an ImageFolder the test writes: symmetry.csv has one row set per epoch, the command reads the checkpoints back
 * with the same numbers, symmixer is exactly symmetric, a sweep folder is plotted, and bad inputs are one-line errors.
 */
class SymmetryCommandTest {
    @TempDir
    static Path tmp;
    static Path data, sweep;
    static final int BLOCKS = 8, ROWS = BLOCKS * 2;

    @BeforeAll
    static void trainRuns() throws IOException {
        data = tmp.resolve("bars");
        Random r = new Random(5);
        for (String split : List.of("train", "test")) {
            for (int cls = 0; cls < 2; cls++) {
                Path dir = Files.createDirectories(data.resolve(split).resolve(cls == 0 ? "top" : "bottom"));
                for (int i = 0; i < (split.equals("train") ? 16 : 4); i++) {
                    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 8; y++)
                        for (int x = 0; x < 8; x++) {
                            int v = Math.min(255, Math.max(0, ((cls == 0 ? y < 3 : y > 4) ? 190 : 60) + (int) (r.nextGaussian() * 40)));
                            img.setRGB(x, y, v << 16 | v << 8 | v);
                        }
                    ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
                }
            }
        }
        sweep = tmp.resolve("sweep");
        assertEquals(0, train("paramixer_nano", sweep.resolve("para"), 2));
        assertEquals(0, train("symmixer_nano", sweep.resolve("sym"), 2));
        assertEquals(0, train("asymmixer_nano_l03", sweep.resolve("asym"), 2, "--lcoeff", "0.01"));
    }

    static int train(String model, Path out, int epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--model", model, "--dataset", "folder", "--data-dir", data.toString(),
                "--img-size", "8", "--epochs", Integer.toString(epochs), "--batch-size", "16", "--lr", "3e-3", "--hflip", "0",
                "--threads", "2", "--no-progress", "--track-symmetry", "--output", out.toString()));
        a.addAll(List.of(extra));
        return Main.commandLine().execute(a.toArray(String[]::new));
    }

    /** Runs hopmixer with stdout and stderr captured: {exit code, stdout, stderr}. */
    static String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    static void assertOneLineError(String[] r, String expected) {
        assertEquals("2", r[0], r[2]);
        String err = r[2].strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("hopmixer: ") && err.contains(expected), err);
    }

    static Map<Integer, List<EpochRow>> byEpoch(Path run) {
        return SymmetryCsv.read(run.resolve("symmetry.csv")).stream()
                .collect(Collectors.groupingBy(EpochRow::epoch, java.util.TreeMap::new, Collectors.toList()));
    }

    static void assertPng(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " is not an image");
        assertTrue(img.getWidth() > 100 && img.getHeight() > 100);
    }

    @Test
    void trackedRunHasOneRowSetPerEpochMatchingItsCheckpoint() throws IOException {
        Path run = sweep.resolve("para");
        Map<Integer, List<EpochRow>> epochs = byEpoch(run);
        assertEquals(List.of(0, 1), List.copyOf(epochs.keySet()));
        for (List<EpochRow> rows : epochs.values()) {
            assertEquals(ROWS, rows.size());
            assertEquals(ROWS, rows.stream().map(e -> e.row().block() + e.row().axis()).distinct().count(), "every block × axis once");
            for (EpochRow e : rows) {
                assertEquals("untied", e.row().coupling());
                assertTrue(Math.abs(e.row().cos()) < 1 && e.row().w1Norm() > 0, e.toString());
            }
        }
        assertNotEquals(epochs.get(0).getFirst().row(), epochs.get(1).getFirst().row(), "training moved the weights");
        assertPng(run.resolve("symmetry.png"));

        // The command on the run's newest checkpoint gives exactly the last epoch's rows.
        Path csv = tmp.resolve("para.csv");
        String[] r = run("symmetry", run.toString(), "--csv", csv.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("paramixer_nano") && r[1].contains("mean channels"), r[1]);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("run,checkpoint,model,lambda," + SymmetryCsv.COLUMNS, lines.getFirst());
        assertEquals(ROWS + 1, lines.size());
        List<String> fromCommand = lines.stream().skip(1).map(l -> l.split(",", 5)[4]).toList();
        assertEquals(epochs.get(1).stream().map(e -> SymmetryCsv.format(e.row())).toList(), fromCommand);

        // Resumed for a third epoch: epochs 0 and 1 are kept as they were, epoch 2 is added.
        List<String> before = Files.readAllLines(run.resolve("symmetry.csv"));
        assertEquals(0, train("paramixer_nano", run, 3, "--resume", run.toString()));
        List<String> after = Files.readAllLines(run.resolve("symmetry.csv"));
        assertEquals(before, after.subList(0, before.size()));
        assertEquals(List.of(0, 1, 2), List.copyOf(byEpoch(run).keySet()));
        assertEquals(3 * ROWS + 1, after.size());

        // --plot on the run, or on one of its checkpoints: cos per epoch from symmetry.csv.
        Path png = tmp.resolve("plots/para.png");
        assertEquals("0", run("symmetry", run.toString(), "--plot", png.toString())[0]);
        assertPng(png);
        Path ck = Checkpoint.latest(run);
        assertEquals("0", run("symmetry", ck.toString(), "--plot", tmp.resolve("ck.png").toString())[0]);
        String[] viaFolder = run("symmetry", run.resolve("checkpoints").toString());
        assertEquals("0", viaFolder[0], viaFolder[2]);
        assertTrue(viaFolder[1].contains(ck.toString()), "the checkpoints/ folder means its newest checkpoint: " + viaFolder[1]);
    }

    @Test
    void symmixerIsExactlySymmetricInTrainingAndInTheCommand() throws IOException {
        Path run = sweep.resolve("sym");
        for (EpochRow e : SymmetryCsv.read(run.resolve("symmetry.csv"))) {
            assertEquals("tied", e.row().coupling());
            assertEquals(1.0, e.row().cos(), 0.0);
            assertEquals(1.0, e.row().w2OverW1(), 0.0);
        }
        Path csv = tmp.resolve("sym.csv");
        assertEquals("0", run("symmetry", run.toString(), "--csv", csv.toString())[0]);
        for (String l : Files.readAllLines(csv).subList(1, ROWS + 1)) assertEquals("1.0", l.split(",")[8], l);
    }

    @Test
    void asymmixerReportsTheLambdaItTrainedWithAndTheBreakingSize() {
        String[] r = run("symmetry", sweep.resolve("asym").toString(), "--format", "json");
        assertEquals("0", r[0], r[2]);
        var o = JsonParser.parseString(r[1]).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("asymmixer_nano_l03", o.get("model").getAsString());
        assertEquals(0.01, o.get("lambda").getAsDouble(), 0.0, "--lcoeff overrides the name's λ");
        var blocks = o.getAsJsonArray("blocks");
        assertEquals(ROWS, blocks.size());
        for (var b : blocks) {
            var x = b.getAsJsonObject();
            assertEquals("broken", x.get("coupling").getAsString());
            double size = x.get("w2_over_w1").getAsDouble(), cos = x.get("cos").getAsDouble();
            assertTrue(size > 0 && size < 10, "breaking size " + size);
            // W2eff = W1ᵀ + W2 leans toward W1ᵀ unless W2 points against it
            assertTrue(cos > -1 && cos < 1, "cos " + cos);
        }
    }

    @Test
    void sweepFolderGivesARowPerRunAndAFinalCosPlot() throws IOException {
        Path csv = tmp.resolve("all.csv"), png = tmp.resolve("finals.png");
        String[] r = run("symmetry", sweep.toString(), "--csv", csv.toString(), "--plot", png.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("paramixer_nano") && r[1].contains("symmixer_nano") && r[1].contains("asymmixer_nano λ=0.01"), r[1]);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(3 * ROWS + 1, lines.size());
        assertEquals(3, lines.stream().skip(1).map(l -> l.split(",")[0]).distinct().count());
        assertPng(png);
    }

    @Test
    void badInputsAreOneLineErrors() throws IOException {
        assertOneLineError(run("symmetry", tmp.resolve("no-such-run").toString()), "no-such-run");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertOneLineError(run("symmetry", empty.toString()), "holds no run");
        assertOneLineError(run("symmetry", sweep.resolve("para").toString(), "--format", "xml"), "--format");

        // A checkpoint whose weights lack the MLP tensors the measures need.
        ModelConfig m = Tiny.model(Family.PARAMIXER, 1, 0);
        List<ParamSpec> specs = Mixer.parameters(m);
        Map<String, float[]> params = new LinkedHashMap<>();
        Random r = new Random(1);
        for (ParamSpec s : specs) params.put(s.name(), Tiny.randn(r, (int) s.size(), 0.3));
        List<ParamSpec> partial = specs.stream().filter(s -> !s.name().equals("blocks.0.mlp_tokens.fc1.weight")).toList();
        Path broken = tmp.resolve("broken-run");
        Checkpoint.save(broken, m, partial, List.of("a", "b"), Checkpoint.Normalization.LEGACY, params, Map.of(), new Checkpoint.Position(1, 1, 0, 0), 1, "{}", 1);
        assertOneLineError(run("symmetry", broken.toString()), "has no tensor blocks.0.mlp_tokens.fc1.weight");

        // A complete checkpoint of an untracked run: measures fine, but nothing to plot over epochs.
        Path untracked = tmp.resolve("untracked-run");
        Checkpoint.save(untracked, m, specs, List.of("a", "b"), Checkpoint.Normalization.LEGACY, params, Map.of(), new Checkpoint.Position(1, 1, 0, 0), 1, "{}", 1);
        assertEquals("0", run("symmetry", untracked.toString())[0]);
        assertOneLineError(run("symmetry", untracked.toString(), "--plot", tmp.resolve("x.png").toString()), "has no symmetry.csv");

        // A symmetry.csv that is not one.
        Files.writeString(untracked.resolve("symmetry.csv"), "epoch,loss\n0,1.0\n");
        assertOneLineError(run("symmetry", untracked.toString(), "--plot", tmp.resolve("x.png").toString()), "is not a symmetry.csv");
        assertFalse(Files.exists(tmp.resolve("x.png")));
    }
}
