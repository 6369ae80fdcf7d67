package io.github.hopmixer.cli;

import com.google.gson.GsonBuilder;
import io.github.hopmixer.data.AugmentConfig;
import io.github.hopmixer.data.Batch;
import io.github.hopmixer.data.BatchLoader;
import io.github.hopmixer.data.ImageFolderReader;
import io.github.hopmixer.data.ImageSet;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.train.Checkpoint;
import io.github.hopmixer.train.ModelState;
import io.github.hopmixer.train.StepPlans;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Classify image files (JPEG, PNG) or every image in folders with a checkpoint; logits and classes as CSV or JSON.")
final class PredictCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "A model.safetensors, a checkpoint directory, or a run directory.")
    Path checkpoint;

    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR", description = "Image files or folders (searched recursively).")
    List<Path> inputs;

    @Option(names = "--format", defaultValue = "csv", description = "csv or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--out"}, description = "Write here instead of standard output.")
    Path out;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    DeviceOptions devices;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("csv") && !format.equals("json")) throw new IllegalArgumentException("--format must be csv or json");
        Checkpoint.ModelFile mf = Checkpoint.loadModel(checkpoint);
        ModelConfig m = mf.model();
        List<Path> files = expand(inputs);
        ImageSet images = ImageFolderReader.readFiles(files, m.inChans() == 1, m.imageSize());
        if (images.channels() != m.inChans()) {
            throw new IllegalArgumentException(m.name() + " takes " + m.inChans() + "-channel images; the files give " + images.channels());
        }
        List<String> classes = mf.classNames().size() == m.numClasses() ? mf.classNames() : numbered(m.numClasses());
        int k = m.numClasses();
        float[][] logits = new float[files.size()][];
        try (Device d = devices.open()) {
            StepPlans.Step eval = StepPlans.evaluation(m, batchSize);
            d.prepare(eval.plan());
            ModelState.write(d, eval, mf.params(), null, mf.file().toString());
            io.github.hopmixer.train.DropPath.off(d, eval.dropPathMasks());
            d.write(eval.targets(), new float[eval.targets().size()]);
            AugmentConfig aug = AugmentConfig.none().withNormalization(new double[] {0.5}, new double[] {0.5});
            float[] out = new float[eval.logits().size()];
            int row = 0;
            try (BatchLoader batches = BatchLoader.eval(images, aug, batchSize)) {
                while (batches.hasNext()) {
                    Batch b = batches.next();
                    d.write(eval.images(), b.images());
                    d.execute(eval.plan());
                    d.read(eval.logits(), out);
                    for (int i = 0; i < b.valid(); i++, row++) {
                        logits[row] = java.util.Arrays.copyOfRange(out, i * k, i * k + k);
                    }
                }
            }
        }
        try (PrintStream ps = out == null ? new PrintStream(System.out, true) : new PrintStream(Files.newOutputStream(out))) {
            if (format.equals("csv")) writeCsv(ps, files, classes, logits);
            else writeJson(ps, files, classes, logits);
        }
        return 0;
    }

    private static void writeCsv(PrintStream ps, List<Path> files, List<String> classes, float[][] logits) {
        StringBuilder h = new StringBuilder("file,class,probability");
        for (String c : classes) h.append(",logit_").append(c.replace(',', '_'));
        ps.println(h);
        for (int i = 0; i < files.size(); i++) {
            float[] z = logits[i];
            int best = argmax(z);
            StringBuilder line = new StringBuilder(csv(files.get(i).toString())).append(',').append(csv(classes.get(best)))
                    .append(String.format(Locale.ROOT, ",%.6f", softmax(z)[best]));
            for (float v : z) line.append(String.format(Locale.ROOT, ",%.6f", v));
            ps.println(line);
        }
    }

    private static void writeJson(PrintStream ps, List<Path> files, List<String> classes, float[][] logits) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            float[] z = logits[i], p = softmax(z);
            int best = argmax(z);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("file", files.get(i).toString());
            r.put("class", classes.get(best));
            r.put("probability", p[best]);
            Map<String, Float> byClass = new LinkedHashMap<>();
            for (int j = 0; j < z.length; j++) byClass.put(classes.get(j), z[j]);
            r.put("logits", byClass);
            rows.add(r);
        }
        ps.println(new GsonBuilder().setPrettyPrinting().create().toJson(rows));
    }

    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Files::isRegularFile).filter(f -> f.toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)$"))
                            .sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IllegalArgumentException("no such image file or folder: " + p);
            }
        }
        if (files.isEmpty()) throw new IllegalArgumentException("no .jpg, .jpeg or .png images in " + inputs);
        return files;
    }

    private static List<String> numbered(int k) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < k; i++) out.add(Integer.toString(i));
        return out;
    }

    private static int argmax(float[] z) {
        int best = 0;
        for (int j = 1; j < z.length; j++) if (z[j] > z[best]) best = j;
        return best;
    }

    private static float[] softmax(float[] z) {
        float max = z[argmax(z)], sum = 0;
        float[] p = new float[z.length];
        for (int j = 0; j < z.length; j++) sum += p[j] = (float) Math.exp(z[j] - max);
        for (int j = 0; j < z.length; j++) p[j] /= sum;
        return p;
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
