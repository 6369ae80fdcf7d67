package io.github.hopmixer.cli;

import com.google.gson.GsonBuilder;
import io.github.hopmixer.io.FileErrors;
import io.github.hopmixer.science.BlockSymmetry;
import io.github.hopmixer.science.CheckpointSymmetry;
import io.github.hopmixer.science.SymmetryCsv;
import io.github.hopmixer.science.SymmetryPlots;
import io.github.hopmixer.science.SymmetryTracker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code hopmixer symmetry}: how close each MLP's second layer is to the transpose of its first. */
@Command(name = "symmetry", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"How symmetric trained weights are: for every block and both mixing axes",
                "(tokens, channels), how close an MLP's second layer W2 is to W1ᵀ, the",
                "transpose of its first (the symmetric Hopfield coupling).",
                "These are OUR measures: the paper's exact measure could not be read here.",
                "  cos         <W2, W1ᵀ>/(‖W2‖·‖W1‖), Frobenius: 1 symmetric, -1 antisymmetric,",
                "              ~0 unrelated",
                "  share       ‖projection of W2 on W1ᵀ‖²/‖W2‖² = cos²",
                "  sym_share   symmetric part's share of the joint coupling [[0,W2],[W1,0]]:",
                "              ‖W2 + W1ᵀ‖²/(2(‖W1‖² + ‖W2‖²)): 1 symmetric, 0 antisymmetric",
                "  w2_over_w1  ‖fc2.weight‖/‖fc1.weight‖ (asymmixer: the breaking term's size)",
                "  w2_cos      cos(fc2.weight, W1ᵀ) (asymmixer: the breaking term's direction)",
                "W2 = fc2.weight for untied models (vanillamixer, paramixer, mixer);",
                "W2 = W1ᵀ + fc2.weight for asymmixer, whose MLP is (W1ᵀ + W2)·GELU(W1·z);",
                "symmixer has one matrix used both ways: cos = 1 by construction.",
                "One run: a row per block and axis. Several runs, or a folder of runs",
                "(e.g. a sweep): a row per run, means over blocks.",
                "--plot: one run's cos per epoch from its symmetry.csv (train with",
                "--track-symmetry); several runs' final cos per configuration (model, λ)."})
final class SymmetryCommand implements java.util.concurrent.Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "RUN", description = "A run directory (its newest checkpoint), a checkpoint "
            + "directory, a model.safetensors, or a folder of runs (every run directory beneath it).")
    List<Path> paths;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write every block's measures as CSV "
            + "(run, checkpoint, model, lambda, " + SymmetryCsv.COLUMNS + ").")
    Path csv;

    @Option(names = "--format", defaultValue = "table", description = "stdout as table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw a PNG: one run's cos per epoch (one line per "
            + "block, a panel per axis), or several runs' final cos per configuration.")
    Path plot;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!format.equals("table") && !format.equals("json")) throw new IllegalArgumentException("--format must be table or json, not " + format);
        List<CheckpointSymmetry> runs = new ArrayList<>();
        for (Path p : paths) for (Path r : CheckpointSymmetry.runs(p)) runs.add(CheckpointSymmetry.load(r));
        // The files first: one that cannot be written is then the command's one line, not a line after the whole table.
        if (csv != null) writeCsv(runs, csv);
        if (plot != null) {
            if (runs.size() == 1) curves(runs.getFirst(), plot);
            else SymmetryPlots.finals(finals(runs), plot, "final weight symmetry per configuration (" + runs.size() + " runs)");
        }
        if (format.equals("json")) out.println(json(runs));
        else if (runs.size() == 1) out.print(table(runs.getFirst()));
        else out.print(summary(runs));
        out.flush();
        if (plot != null) spec.commandLine().getErr().println("wrote " + plot);
        return 0;
    }

    static String table(CheckpointSymmetry r) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s (λ %s), %s%n", r.model().name(), num(r.lambda()), r.checkpoint()));
        sb.append(String.format(Locale.ROOT, "%5s %-8s %-8s %9s %8s %9s %10s %10s %10s %9s%n",
                "block", "axis", "coupling", "cos", "share", "sym_share", "‖W1‖", "‖fc2‖", "w2_over_w1", "w2_cos"));
        for (BlockSymmetry b : r.rows()) {
            sb.append(String.format(Locale.ROOT, "%5d %-8s %-8s %9.5f %8.5f %9.5f %10.4f %10.4f %10.5f %9.5f%n", b.block(), b.axis(),
                    b.coupling(), b.cos(), b.share(), b.symShare(), b.w1Norm(), b.w2Norm(), b.w2OverW1(), b.w2Cos()));
        }
        for (String axis : BlockSymmetry.AXES) {
            sb.append(String.format(Locale.ROOT, " mean %-8s %-8s %9.5f%n", axis, "", r.meanCos(axis)));
        }
        sb.append("(our measures, see 'hopmixer symmetry --help')\n");
        return sb.toString();
    }

    static String summary(List<CheckpointSymmetry> runs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %-10s %10s %10s %12s %12s  %s%n",
                "configuration", "lambda", "cos_tok", "cos_ch", "w2/w1_tok", "w2/w1_ch", "run"));
        for (CheckpointSymmetry r : runs) {
            sb.append(String.format(Locale.ROOT, "%-28s %-10s %10.5f %10.5f %12.5f %12.5f  %s%n", r.label(), num(r.lambda()),
                    r.meanCos("tokens"), r.meanCos("channels"), r.meanW2OverW1("tokens"), r.meanW2OverW1("channels"), r.run()));
        }
        sb.append("(means over blocks; our measures, see 'hopmixer symmetry --help')\n");
        return sb.toString();
    }

    static String json(List<CheckpointSymmetry> runs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CheckpointSymmetry r : runs) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("run", r.run().toString());
            o.put("checkpoint", r.checkpoint().toString());
            o.put("model", r.model().name());
            o.put("family", r.model().family().prefix);
            o.put("lambda", r.lambda());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (BlockSymmetry b : r.rows()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("block", b.block());
                m.put("axis", b.axis());
                m.put("coupling", b.coupling());
                m.put("cos", b.cos());
                m.put("share", b.share());
                m.put("sym_share", b.symShare());
                m.put("w1_norm", b.w1Norm());
                m.put("w2_norm", b.w2Norm());
                m.put("w2_over_w1", b.w2OverW1());
                m.put("w2_cos", b.w2Cos());
                rows.add(m);
            }
            o.put("blocks", rows);
            out.add(o);
        }
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(out);
    }

    private static void writeCsv(List<CheckpointSymmetry> runs, Path file) {
        List<String> lines = new ArrayList<>();
        lines.add("run,checkpoint,model,lambda," + SymmetryCsv.COLUMNS);
        for (CheckpointSymmetry r : runs) {
            for (BlockSymmetry b : r.rows()) {
                lines.add(quote(r.run().toString()) + "," + quote(r.checkpoint().toString()) + "," + r.model().name() + ","
                        + r.lambda() + "," + SymmetryCsv.format(b));
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) FileErrors.createDirectories(dir, "cannot write --csv " + file + " (folder " + dir + ")");
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw FileErrors.failure("cannot write --csv " + file, e);
        }
    }

    private static void curves(CheckpointSymmetry r, Path png) {
        Path file = r.run().resolve(SymmetryTracker.CSV);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(r.run() + " has no " + SymmetryTracker.CSV + " to plot: train it with "
                    + "'hopmixer train --track-symmetry', or give several runs to plot their final cos");
        }
        SymmetryPlots.curves(SymmetryCsv.read(file), png, r.model().name());
    }

    /** Runs grouped by configuration in first-seen order: mean over runs of the block-mean cos, and its spread. */
    static List<SymmetryPlots.Final> finals(List<CheckpointSymmetry> runs) {
        Map<String, List<CheckpointSymmetry>> groups = new LinkedHashMap<>();
        for (CheckpointSymmetry r : runs) groups.computeIfAbsent(r.label(), k -> new ArrayList<>()).add(r);
        List<SymmetryPlots.Final> out = new ArrayList<>();
        for (var g : groups.entrySet()) {
            double[] t = g.getValue().stream().mapToDouble(r -> r.meanCos("tokens")).toArray();
            double[] c = g.getValue().stream().mapToDouble(r -> r.meanCos("channels")).toArray();
            out.add(new SymmetryPlots.Final(g.getKey(), mean(t), std(t), mean(c), std(c), t.length));
        }
        return out;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /** Sample standard deviation; 0 for one run. */
    private static double std(double[] v) {
        if (v.length < 2) return 0;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }

    private static String num(double x) {
        return CheckpointSymmetry.lambdaText(x);
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
