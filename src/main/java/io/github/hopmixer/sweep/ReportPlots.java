package io.github.hopmixer.sweep;

import io.github.hopmixer.io.Png;
import io.github.hopmixer.model.Family;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** The report's PNGs: final top-1 versus λ (asymmixer, with the other families as bands) and learning curves. */
public final class ReportPlots {
    private static final Color[] BANDS = {new Color(214, 39, 40), new Color(44, 160, 44), new Color(148, 103, 189), new Color(255, 127, 14), new Color(140, 86, 75)};

    private ReportPlots() {}

    /** Writes the PNGs of one data set into {@code dir}; returns their file names. */
    public static List<String> write(SweepReport r, String dataset, Path dir) {
        System.setProperty("java.awt.headless", "true");
        List<String> files = new ArrayList<>();
        List<SweepReport.Config> cs = r.configs(dataset).stream().filter(c -> !c.done().isEmpty()).toList();
        if (cs.isEmpty()) return files;
        if (cs.stream().anyMatch(c -> c.family() == Family.ASYMMIXER)) files.add(save(lambdaChart(dataset, cs), dir, "top1-vs-lambda-" + dataset));
        files.add(save(curves(dataset, cs, r.sweep().epochs()), dir, "curves-" + dataset));
        files.removeIf(f -> f == null); // not drawn: Png said why
        return files;
    }

    /**
     * x is log10(λ) on a linear axis so that λ = 0 gets a place: two decades left of the smallest λ > 0, labelled
     * "λ=0". Families without λ are horizontal bands (mean ± std) across the whole axis.
     */
    static XYChart lambdaChart(String dataset, List<SweepReport.Config> cs) {
        XYChart ch = new XYChartBuilder().width(1000).height(500).title("Final top-1 versus λ, " + dataset)
                .xAxisTitle("asymmixer λ (log scale)").yAxisTitle("eval top-1 (%)").build();
        List<SweepReport.Config> asym = cs.stream().filter(c -> c.family() == Family.ASYMMIXER).toList();
        double lo = asym.stream().filter(c -> c.lambda() > 0).mapToDouble(c -> Math.floor(Math.log10(c.lambda()))).min().orElse(0);
        double hi = asym.stream().filter(c -> c.lambda() > 0).mapToDouble(c -> Math.ceil(Math.log10(c.lambda()))).max().orElse(lo);
        double zero = lo - 2, x0 = zero - 0.5, x1 = hi + 0.5;
        var st = ch.getStyler();
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendLayout(Styler.LegendLayout.Vertical);
        st.setXAxisMin(x0);
        st.setXAxisMax(x1);
        // XChart drops every label when two are equal, so unlabelled ticks get distinct runs of hair spaces.
        var blank = new java.util.HashMap<Double, String>();
        st.setxAxisTickLabelsFormattingFunction(x -> {
            long k = Math.round(x);
            if (Math.abs(x - k) < 1e-6 && k == (long) zero) return "λ=0";
            if (Math.abs(x - k) < 1e-6 && k >= lo) return k == 0 ? "1" : "1e" + k;
            return blank.computeIfAbsent(x, v -> "\u200a".repeat(blank.size() + 1));
        });
        st.setXAxisTickMarkSpacingHint(30);
        int b = 0;
        for (SweepReport.Config c : cs) {
            if (c.family() == Family.ASYMMIXER) continue;
            var t = c.top1();
            double sd = Double.isNaN(t.std()) ? 0 : t.std();
            Color col = BANDS[b++ % BANDS.length];
            XYSeries band = ch.addSeries(c.key() + " ± std", new double[] {x0, x1, x1, x0}, new double[] {t.mean() - sd, t.mean() - sd, t.mean() + sd, t.mean() + sd});
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            band.setMarker(SeriesMarkers.NONE);
            band.setFillColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 50));
            band.setLineColor(new Color(0, 0, 0, 0));
            band.setShowInLegend(false);
            XYSeries mean = ch.addSeries(c.key() + " (" + c.done().size() + " seeds)", new double[] {x0, x1}, new double[] {t.mean(), t.mean()});
            mean.setMarker(SeriesMarkers.NONE);
            mean.setLineColor(col);
        }
        var byModel = new java.util.LinkedHashMap<String, List<SweepReport.Config>>();
        for (SweepReport.Config c : asym) byModel.computeIfAbsent(c.model(), k -> new ArrayList<>()).add(c);
        for (var e : byModel.entrySet()) {
            List<SweepReport.Config> all = e.getValue().stream().sorted(java.util.Comparator.comparingDouble(SweepReport.Config::lambda)).toList();
            // λ > 0 joined by a line; λ = 0 a separate point at the side, not joined across the axis break.
            for (boolean positive : new boolean[] {true, false}) {
                List<SweepReport.Config> pts = all.stream().filter(c -> c.lambda() > 0 == positive).toList();
                if (pts.isEmpty()) continue;
                double[] x = pts.stream().mapToDouble(c -> c.lambda() > 0 ? Math.log10(c.lambda()) : zero).toArray();
                double[] y = pts.stream().mapToDouble(c -> c.top1().mean()).toArray();
                double[] err = pts.stream().mapToDouble(c -> Double.isNaN(c.top1().std()) ? 0 : c.top1().std()).toArray();
                XYSeries s = ch.addSeries(e.getKey() + (positive ? " (mean ± std over seeds)" : ", λ=0"), x, y, err);
                s.setMarker(positive ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
                s.setLineColor(new Color(31, 119, 180));
                s.setMarkerColor(new Color(31, 119, 180));
                if (!positive) s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            }
        }
        return ch;
    }

    /** Eval top-1 per epoch, mean over the finished seeds, one line per configuration. */
    static XYChart curves(String dataset, List<SweepReport.Config> cs, int epochs) {
        XYChart ch = new XYChartBuilder().width(800).height(500).title("Learning curves, " + dataset + " (mean over seeds)")
                .xAxisTitle("epoch").yAxisTitle("eval top-1 (%)").build();
        ch.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        ch.getStyler().setXAxisDecimalPattern("#");
        double[] x = IntStream.rangeClosed(1, epochs).asDoubleStream().toArray();
        for (SweepReport.Config c : cs) {
            ch.addSeries(c.key() + " (" + c.done().size() + ")", x, c.curve(epochs)).setMarker(epochs > 30 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        }
        return ch;
    }

    private static String save(XYChart ch, Path dir, String name) {
        boolean drawn = Png.write(dir.resolve(name + ".png"),
                () -> BitmapEncoder.saveBitmap(ch, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG));
        return drawn ? name + ".png" : null;
    }
}
