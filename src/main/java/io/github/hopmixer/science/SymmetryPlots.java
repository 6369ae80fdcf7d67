package io.github.hopmixer.science;

import io.github.hopmixer.io.Png;
import io.github.hopmixer.science.SymmetryCsv.EpochRow;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** PNG plots of the weight-symmetry measures (XChart). */
public final class SymmetryPlots {
    /** One configuration's final cos per axis, mean over blocks, then mean and spread over its runs (seeds). */
    public record Final(String label, double tokens, double tokensStd, double channels, double channelsStd, int runs) {}

    private SymmetryPlots() {}

    /** cos(W2eff, W1ᵀ) per epoch, one line per block, one panel per mixing axis, side by side. */
    public static void curves(List<EpochRow> rows, Path png, String title) {
        List<XYChart> charts = new ArrayList<>();
        for (String axis : BlockSymmetry.AXES) {
            XYChart c = new XYChartBuilder().width(640).height(460).title(title + ": " + axis + " mixing")
                    .xAxisTitle("epoch").yAxisTitle("cos(W2, W1ᵀ)").build();
            c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            Map<Integer, List<double[]>> byBlock = new TreeMap<>();
            double lo = 0, hi = 0;
            for (EpochRow e : rows) {
                if (!e.row().axis().equals(axis)) continue;
                byBlock.computeIfAbsent(e.row().block(), k -> new ArrayList<>()).add(new double[] {e.epoch(), e.row().cos()});
                if (Double.isFinite(e.row().cos())) {
                    lo = Math.min(lo, e.row().cos());
                    hi = Math.max(hi, e.row().cos());
                }
            }
            for (var b : byBlock.entrySet()) {
                double[] x = b.getValue().stream().mapToDouble(p -> p[0]).toArray();
                double[] y = b.getValue().stream().mapToDouble(p -> p[1]).toArray();
                c.addSeries("block " + b.getKey(), x, y);
            }
            // A fixed margin keeps a constant curve (symmixer's cos = 1) drawable.
            c.getStyler().setYAxisMin(lo - 0.05);
            c.getStyler().setYAxisMax(hi + 0.05);
            charts.add(c);
        }
        save(png, () -> BitmapEncoder.saveBitmap(charts, 1, charts.size(), png.toString(), BitmapEncoder.BitmapFormat.PNG));
    }

    /** Final cos per configuration (model, λ): a bar per mixing axis, error bars the spread over runs. */
    public static void finals(List<Final> finals, Path png, String title) {
        CategoryChart c = new CategoryChartBuilder().width(Math.max(700, 110 * finals.size())).height(520).title(title)
                .xAxisTitle("configuration").yAxisTitle("final cos(W2, W1ᵀ), mean over blocks").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setXAxisLabelRotation(30);
        List<String> labels = finals.stream().map(f -> f.label() + (f.runs() > 1 ? " (" + f.runs() + ")" : "")).toList();
        c.addSeries("tokens", labels, finals.stream().map(Final::tokens).toList(), finals.stream().map(Final::tokensStd).toList());
        c.addSeries("channels", labels, finals.stream().map(Final::channels).toList(), finals.stream().map(Final::channelsStd).toList());
        save(png, () -> BitmapEncoder.saveBitmap(c, png.toString(), BitmapEncoder.BitmapFormat.PNG));
    }

    private static void save(Path png, Png.Draw draw) {
        Png.write(png, draw);
    }
}
