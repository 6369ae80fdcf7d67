package io.github.hopmixer.sweep;

import io.github.hopmixer.io.FileErrors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A sweep report's {@code summary.csv} and {@code report.md}. */
public final class ReportWriter {
    public static final List<String> COLUMNS = List.of("dataset", "model", "family", "lambda", "seeds", "epochs", "top1_mean", "top1_std",
            "top5_mean", "top5_std", "loss_mean", "loss_std", "images_per_sec");

    private ReportWriter() {}

    public static void csv(SweepReport r, Path file) {
        try (Writer w = Files.newBufferedWriter(file);
             CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(COLUMNS.toArray(String[]::new)).setRecordSeparator("\n").get())) {
            for (SweepReport.Config c : r.configs()) {
                boolean any = !c.done().isEmpty();
                p.printRecord(c.dataset(), c.model(), c.family().prefix, c.lambda() == null ? "" : Double.toString(c.lambda()), c.done().size(),
                        any ? r.sweep().epochs() : "", num(c.top1().mean(), 4), num(c.top1().std(), 4), num(c.top5().mean(), 4), num(c.top5().std(), 4),
                        num(c.loss().mean(), 6), num(c.loss().std(), 6), num(c.imagesPerSec().mean(), 1));
            }
        } catch (IOException e) {
            throw FileErrors.failure("cannot write " + file, e);
        }
    }

    private static String num(double v, int digits) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String pm(SweepReport.Stats s, int digits) {
        if (s.n() == 0) return "–";
        return s.n() < 2 ? num(s.mean(), digits) : num(s.mean(), digits) + " ± " + num(s.std(), digits);
    }

    /**
     * The Markdown report; {@code plots} maps a data set to its PNG file names (relative to the report), and
     * {@code symmetry} gives each data set's weight-symmetry table.
     */
    public static void markdown(SweepReport r, Path file, java.util.Map<String, List<String>> plots, List<SymmetrySummary> symmetry) {
        Sweep s = r.sweep();
        List<String> l = new ArrayList<>();
        l.add("# Sweep report: " + s.dir().getFileName());
        l.add("");
        l.add(String.format(Locale.ROOT, "%d of %d cells done (%d epochs each). Train flags: `%s`. Mean ± sample standard deviation over "
                + "the finished seeds of the last epoch's evaluation.", r.cellsDone(), s.cells().size(), s.epochs(), String.join(" ", s.grid().trainArgs())));
        for (DatasetSpec d : s.grid().datasets()) {
            l.add("");
            l.add("## " + d.label() + (d.dir() != null ? " (`" + d.name() + ":" + d.dir() + "`)" : ""));
            l.add("");
            l.add("| model | λ | top-1 (%) | top-5 (%) | eval loss | epochs | images/s | seeds done |");
            l.add("|---|---|---|---|---|---|---|---|");
            for (SweepReport.Config c : r.configs(d.label())) {
                l.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %d/%d |", c.model(),
                        c.lambda() == null ? "–" : Cell.lambdaName(c.lambda()), pm(c.top1(), 2), pm(c.top5(), 2), pm(c.loss(), 4),
                        c.done().isEmpty() ? "–" : Integer.toString(s.epochs()),
                        Double.isNaN(c.imagesPerSec().mean()) ? "–" : num(c.imagesPerSec().mean(), 0), c.done().size(), c.seedsInGrid()));
            }
            for (String png : plots.getOrDefault(d.label(), List.of())) {
                l.add("");
                l.add("![" + png + "](" + png + ")");
            }
            l.addAll(SymmetrySummary.markdown(symmetry, d.label()));
        }
        l.add("");
        l.add("## Missing");
        l.add("");
        if (r.missing().isEmpty()) l.add("Nothing: every cell is done.");
        for (SweepReport.Missing m : r.missing()) l.add("- `" + m.cell().name() + "`: " + m.status().text(s.epochs()));
        try {
            Files.writeString(file, String.join("\n", l) + "\n");
        } catch (IOException e) {
            throw FileErrors.failure("cannot write " + file, e);
        }
    }
}
