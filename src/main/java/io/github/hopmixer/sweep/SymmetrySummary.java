package io.github.hopmixer.sweep;

import io.github.hopmixer.io.FileErrors;
import io.github.hopmixer.science.SymmetryCsv;
import io.github.hopmixer.sweep.SweepReport.Config;
import io.github.hopmixer.sweep.SweepReport.Stats;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How symmetric a configuration's trained weights ended, from its finished cells' {@code symmetry.csv} (train
 * {@code --track-symmetry}): per mixing axis the last epoch's cos(W2, W1ᵀ) and ‖W2‖/‖W1‖, averaged over the blocks,
 * then mean ± std over the seeds. For asymmixer cos is that of the effective second layer W1ᵀ + W2 and ‖W2‖/‖W1‖ the
 * breaking term's size; symmixer's tied layer has cos 1 by construction.
 */
public record SymmetrySummary(Config config, String coupling, Stats cosTokens, Stats cosChannels, Stats ratioTokens,
                              Stats ratioChannels) {

    public static final List<String> COLUMNS = List.of("dataset", "model", "lambda", "coupling", "seeds", "cos_tokens_mean",
            "cos_tokens_std", "cos_channels_mean", "cos_channels_std", "w2_over_w1_tokens_mean", "w2_over_w1_tokens_std",
            "w2_over_w1_channels_mean", "w2_over_w1_channels_std");

    /** One row per configuration with at least one finished cell that tracked symmetry. */
    public static List<SymmetrySummary> of(SweepReport r) {
        List<SymmetrySummary> out = new ArrayList<>();
        for (Config c : r.configs()) {
            List<Double> cosT = new ArrayList<>(), cosC = new ArrayList<>(), ratioT = new ArrayList<>(), ratioC = new ArrayList<>();
            String coupling = null;
            for (SweepReport.SeedResult s : c.done()) {
                Path f = r.sweep().cellDir(s.cell()).resolve("symmetry.csv");
                if (!Files.exists(f)) continue;
                List<SymmetryCsv.EpochRow> rows = SymmetryCsv.read(f);
                if (rows.isEmpty()) continue;
                int last = rows.stream().mapToInt(SymmetryCsv.EpochRow::epoch).max().orElseThrow();
                List<SymmetryCsv.EpochRow> end = rows.stream().filter(e -> e.epoch() == last).toList();
                coupling = end.getFirst().row().coupling();
                cosT.add(mean(end, "tokens", true));
                cosC.add(mean(end, "channels", true));
                ratioT.add(mean(end, "tokens", false));
                ratioC.add(mean(end, "channels", false));
            }
            if (coupling != null) {
                out.add(new SymmetrySummary(c, coupling, Stats.of(cosT), Stats.of(cosC), Stats.of(ratioT), Stats.of(ratioC)));
            }
        }
        return out;
    }

    private static double mean(List<SymmetryCsv.EpochRow> rows, String axis, boolean cos) {
        return rows.stream().filter(e -> e.row().axis().equals(axis))
                .mapToDouble(e -> cos ? e.row().cos() : e.row().w2OverW1()).average().orElse(Double.NaN);
    }

    public static void csv(List<SymmetrySummary> rows, Path file) {
        try (Writer w = Files.newBufferedWriter(file);
             CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(COLUMNS.toArray(String[]::new)).setRecordSeparator("\n").get())) {
            for (SymmetrySummary s : rows) {
                Config c = s.config();
                p.printRecord(c.dataset(), c.model(), c.lambda() == null ? "" : Double.toString(c.lambda()), s.coupling(), s.cosTokens().n(),
                        num(s.cosTokens().mean()), num(s.cosTokens().std()), num(s.cosChannels().mean()), num(s.cosChannels().std()),
                        num(s.ratioTokens().mean()), num(s.ratioTokens().std()), num(s.ratioChannels().mean()), num(s.ratioChannels().std()));
            }
        } catch (IOException e) {
            throw FileErrors.failure("cannot write " + file, e);
        }
    }

    /** The Markdown table of one data set's rows (none when no cell tracked symmetry). */
    public static List<String> markdown(List<SymmetrySummary> rows, String dataset) {
        List<SymmetrySummary> mine = rows.stream().filter(s -> s.config().dataset().equals(dataset)).toList();
        if (mine.isEmpty()) return List.of();
        List<String> l = new ArrayList<>(List.of("", "### Weight symmetry after training", "",
                "cos(W2, W1ᵀ) and ‖W2‖/‖W1‖ of each MLP at the last epoch, mean over the blocks, then mean ± std over the seeds "
                        + "(`symmetry.csv` of each cell). asymmixer: cos of the effective second layer W1ᵀ + W2, and ‖W2‖/‖W1‖ the "
                        + "breaking term's size; symmixer is tied (cos 1 by construction).", "",
                "| model | λ | coupling | cos, tokens | cos, channels | ‖W2‖/‖W1‖, tokens | ‖W2‖/‖W1‖, channels | seeds |",
                "|---|---|---|---|---|---|---|---|"));
        for (SymmetrySummary s : mine) {
            Config c = s.config();
            l.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %d |", c.model(),
                    c.lambda() == null ? "–" : Cell.lambdaName(c.lambda()), s.coupling(), pm(s.cosTokens()), pm(s.cosChannels()),
                    pm(s.ratioTokens()), pm(s.ratioChannels()), s.cosTokens().n()));
        }
        return l;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String pm(Stats s) {
        String m = String.format(Locale.ROOT, "%.3f", s.mean());
        return s.n() < 2 ? m : m + " ± " + String.format(Locale.ROOT, "%.3f", s.std());
    }
}
