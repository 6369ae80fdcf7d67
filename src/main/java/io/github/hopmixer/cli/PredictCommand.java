package io.github.hopmixer.cli;

import com.google.gson.GsonBuilder;
import io.github.hopmixer.data.AugmentConfig;
import io.github.hopmixer.data.Batch;
import io.github.hopmixer.data.BatchLoader;
import io.github.hopmixer.data.ImageFolderReader;
import io.github.hopmixer.data.ImageSet;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.io.FileErrors;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.train.Checkpoint;
import io.github.hopmixer.train.ModelState;
import io.github.hopmixer.train.StepPlans;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
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

    @Option(names = {"-o", "--out"}, description = "Write here instead of standard output (a missing folder is created).")
    Path out;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--top-k", defaultValue = "1", description = "Classes listed per image, most probable first (default: ${DEFAULT-VALUE}).")
    int topK;

    @Mixin
    DeviceOptions devices;

    @Spec
    CommandSpec spec;

    /** Exit code when some files could not be read: the others were classified and written. */
    static final int SOME_FILES_SKIPPED = 3;

    @Override
    public Integer call() throws IOException {
        // Every flag is checked before anything is loaded or written.
        if (!format.equals("csv") && !format.equals("json")) throw new IllegalArgumentException("--format " + format + ": must be csv or json");
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size " + batchSize + ": must be at least 1");
        if (topK < 1) throw new IllegalArgumentException("--top-k " + topK + ": must be at least 1");
        devices.check();
        if (out != null && Files.isDirectory(out)) throw new IllegalArgumentException("-o " + out + ": is a folder; give a file name");
        Checkpoint.ModelFile mf = Checkpoint.loadModel(checkpoint);
        ModelConfig m = mf.model();
        if (topK > m.numClasses()) throw new IllegalArgumentException("--top-k " + topK + ": " + m.name() + " has only " + m.numClasses() + " classes");
        if (m.inChans() != 1 && m.inChans() != 3) {
            throw new IllegalArgumentException(mf.file() + ": " + m.name() + " takes " + m.inChans() + "-channel images; predict reads grey or RGB files");
        }
        List<Path> files = expand(inputs);
        prepareOutput();

        // Images are resized to the checkpoint's input size; a file that cannot be read is reported and skipped.
        ImageFolderReader.Each read = ImageFolderReader.readEach(files, m.inChans() == 1, m.imageSize());
        PrintWriter err = spec.commandLine().getErr();
        for (String problem : read.failures()) err.println("hopmixer: " + ErrorHandler.oneLine(problem) + "; skipped");
        err.flush();
        if (read.files().isEmpty()) throw new IllegalArgumentException("none of the " + files.size() + " image files could be read; nothing written");
        float[][] logits = classify(mf, read.images());
        List<String> classes = mf.classNames().size() == m.numClasses() ? mf.classNames() : numbered(m.numClasses());
        write(read.files(), classes, logits);
        if (read.failures().isEmpty()) return 0;
        err.println("hopmixer: " + read.failures().size() + " of " + files.size() + " image files could not be read and are not in the output");
        err.flush();
        return SOME_FILES_SKIPPED;
    }

    /**
     * The checkpoint's normalisation, {@code (x/255 − mean)/std} per channel: the values the model was trained
     * with. hopmixer trains with mean = std = 0.5 on every channel (the Mixer models' timm setting), so that is
     * what a checkpoint stands for.
     */
    static AugmentConfig normalization(Checkpoint.ModelFile checkpoint) {
        return AugmentConfig.none().withNormalization(checkpoint.normalization().mean(), checkpoint.normalization().std());
    }

    /** Creates a missing output folder, or refuses one that cannot be written, before any image is decoded. */
    private void prepareOutput() {
        if (out == null) return;
        Path folder = out.toAbsolutePath().getParent();
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new IllegalArgumentException("-o " + out + ": cannot create its folder " + folder + " ("
                    + (e instanceof java.nio.file.FileAlreadyExistsException ? "a file is in the way" : FileErrors.reason(e)) + ")");
        }
        if (!Files.isWritable(folder)) throw new IllegalArgumentException("-o " + out + ": folder " + folder + " is not writable");
    }

    private float[][] classify(Checkpoint.ModelFile mf, ImageSet images) {
        ModelConfig m = mf.model();
        int k = m.numClasses();
        float[][] logits = new float[images.count()][];
        try (Device d = devices.open()) {
            StepPlans.Step eval = StepPlans.evaluation(m, batchSize, d);
            d.prepare(eval.plan());
            ModelState.write(d, eval, mf.params(), null, mf.file().toString());
            io.github.hopmixer.train.DropPath.off(d, eval.dropPathMasks());
            d.write(eval.targets(), new float[eval.targets().size()]);
            float[] batchLogits = new float[eval.logits().size()];
            int row = 0;
            try (BatchLoader batches = BatchLoader.eval(images, normalization(mf), batchSize)) {
                while (batches.hasNext()) {
                    Batch b = batches.next();
                    d.write(eval.images(), b.images());
                    d.execute(eval.plan());
                    d.read(eval.logits(), batchLogits);
                    for (int i = 0; i < b.valid(); i++, row++) {
                        logits[row] = java.util.Arrays.copyOfRange(batchLogits, i * k, i * k + k);
                    }
                }
            }
        }
        return logits;
    }

    /** To standard output, or to -o through a temporary file renamed over it, so a failed run never leaves half a file. */
    private void write(List<Path> files, List<String> classes, float[][] logits) throws IOException {
        if (out == null || Files.exists(out) && !Files.isRegularFile(out)) { // standard output, or a device such as /dev/stdout
            try (PrintWriter pw = out == null ? null : new PrintWriter(Files.newBufferedWriter(out))) {
                PrintWriter to = pw != null ? pw : spec.commandLine().getOut();
                print(to, files, classes, logits);
                to.flush();
            }
            return;
        }
        Path tmp = out.resolveSibling("." + out.getFileName() + ".tmp");
        try {
            try (PrintWriter pw = new PrintWriter(Files.newBufferedWriter(tmp))) {
                print(pw, files, classes, logits);
                if (pw.checkError()) throw new IOException(out + ": cannot write (disk full?)");
            }
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void print(PrintWriter ps, List<Path> files, List<String> classes, float[][] logits) {
        if (format.equals("csv")) writeCsv(ps, files, classes, logits, topK);
        else writeJson(ps, files, classes, logits, topK);
    }

    private static void writeCsv(PrintWriter ps, List<Path> files, List<String> classes, float[][] logits, int topK) {
        StringBuilder h = new StringBuilder("file,class,probability");
        for (int r = 2; r <= topK; r++) h.append(",class_").append(r).append(",probability_").append(r);
        for (String c : classes) h.append(",logit_").append(c.replace(',', '_'));
        ps.println(h);
        for (int i = 0; i < files.size(); i++) {
            float[] z = logits[i], p = softmax(z);
            StringBuilder line = new StringBuilder(csv(files.get(i).toString()));
            for (int j : ranked(z, topK)) line.append(',').append(csv(classes.get(j))).append(String.format(Locale.ROOT, ",%.6f", p[j]));
            for (float v : z) line.append(String.format(Locale.ROOT, ",%.6f", v));
            ps.println(line);
        }
    }

    private static void writeJson(PrintWriter ps, List<Path> files, List<String> classes, float[][] logits, int topK) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            float[] z = logits[i], p = softmax(z);
            int[] top = ranked(z, topK);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("file", files.get(i).toString());
            r.put("class", classes.get(top[0]));
            r.put("probability", p[top[0]]);
            if (topK > 1) {
                List<Map<String, Object>> list = new ArrayList<>();
                for (int j : top) list.add(Map.of("class", classes.get(j), "probability", p[j]));
                r.put("top", list);
            }
            Map<String, Float> byClass = new LinkedHashMap<>();
            for (int j = 0; j < z.length; j++) byClass.put(classes.get(j), z[j]);
            r.put("logits", byClass);
            rows.add(r);
        }
        ps.println(new GsonBuilder().setPrettyPrinting().create().toJson(rows));
    }

    /** The k largest logits' class indices, largest first (ties: lower index first). */
    static int[] ranked(float[] z, int k) {
        return java.util.stream.IntStream.range(0, z.length).boxed()
                .sorted((a, b) -> Float.compare(z[b], z[a])).limit(k).mapToInt(Integer::intValue).toArray();
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
                throw new IllegalArgumentException(p + (Files.exists(p) ? ": not an image file or folder (a device, pipe or socket?)"
                        : ": no such image file or folder"));
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no .jpg, .jpeg or .png files in " + String.join(", ", inputs.stream().map(Path::toString).toList()));
        }
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
