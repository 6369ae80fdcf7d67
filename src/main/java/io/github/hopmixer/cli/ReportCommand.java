package io.github.hopmixer.cli;

import io.github.hopmixer.io.FileErrors;
import io.github.hopmixer.sweep.DatasetSpec;
import io.github.hopmixer.sweep.ReportPlots;
import io.github.hopmixer.sweep.ReportWriter;
import io.github.hopmixer.sweep.Sweep;
import io.github.hopmixer.sweep.SweepReport;
import io.github.hopmixer.sweep.SymmetrySummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hopmixer report}: a sweep's tables and plots, from its cells' summary.csv files. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Summarise a sweep: summary.csv (one row per configuration), report.md (a table per data set: mean ± std over "
                + "seeds of the final top-1, top-5 and eval loss; epochs; images/s; seeds done) and PNGs (top-1 versus λ, learning "
                + "curves); with cells trained with --track-symmetry also symmetry.csv and a table per data set of how symmetric the "
                + "trained MLPs ended (cos(W2, W1ᵀ), ‖W2‖/‖W1‖ per axis). A half-finished sweep reports the finished cells and lists the others.", ""})
final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SWEEP_DIR", description = "A folder made by 'hopmixer sweep'.")
    Path dir;

    @Option(names = "--output", paramLabel = "DIR", description = "Where to write the report (default: SWEEP_DIR/report).")
    Path output;

    @Override
    public Integer call() {
        Sweep sweep = Sweep.open(dir);
        Path out = output != null ? output : dir.resolve("report");
        FileErrors.createDirectories(out, "--output " + out + ": cannot create it");
        SweepReport r = SweepReport.of(sweep);
        for (var m : r.missing()) {
            // not counted, and said so: numbers from another run or a broken file must not pass for the cell's
            if (m.status().state() == Sweep.State.FOREIGN || m.status().state() == Sweep.State.DAMAGED) {
                System.err.println("hopmixer: warning: " + sweep.cellDir(m.cell()) + " " + m.status().text(sweep.epochs()) + "; left out of the report");
            }
        }
        Map<String, List<String>> plots = new LinkedHashMap<>();
        for (DatasetSpec d : sweep.grid().datasets()) plots.put(d.label(), ReportPlots.write(r, d.label(), out));
        ReportWriter.csv(r, out.resolve("summary.csv"));
        List<SymmetrySummary> symmetry = SymmetrySummary.of(r);
        if (!symmetry.isEmpty()) SymmetrySummary.csv(symmetry, out.resolve("symmetry.csv"));
        ReportWriter.markdown(r, out.resolve("report.md"), plots, symmetry);
        int pngs = plots.values().stream().mapToInt(List::size).sum();
        System.out.printf("report of %s: %d of %d cells done; wrote %s, %s%s and %d PNGs%n", dir, r.cellsDone(), sweep.cells().size(),
                out.resolve("summary.csv"), out.resolve("report.md"), symmetry.isEmpty() ? "" : ", " + out.resolve("symmetry.csv"), pngs);
        if (!r.missing().isEmpty()) {
            System.out.println("missing (" + r.missing().size() + " cells):");
            for (var m : r.missing()) System.out.println("  " + m.cell().name() + ": " + m.status().text(sweep.epochs()));
        }
        return 0;
    }
}
