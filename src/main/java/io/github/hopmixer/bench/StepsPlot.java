package io.github.hopmixer.bench;

import io.github.hopmixer.data.DataFormatException;
import io.github.hopmixer.io.Png;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The training-step chart drawn from a whole {@code bench-steps.csv}, not from one run: grouped bars per model,
 * one series per device measured (the newest row of each), images/s written on the bars, and the legend below
 * the plot so that it covers no bar and names every series.
 */
public final class StepsPlot {
    private StepsPlot() {}

    /** One row of bench-steps.csv. */
    public record Row(String machine, String device, String date, String model, int batch, double imagesPerSec) {}

    public static List<Row> read(Path csv) {
        try (Reader in = Files.newBufferedReader(csv);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
            List<Row> rows = new ArrayList<>();
            for (CSVRecord r : p) {
                try {
                    rows.add(new Row(r.get("machine"), r.get("device"), r.get("date"), r.get("model"),
                            Integer.parseInt(r.get("batch")), Double.parseDouble(r.get("images_per_sec"))));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new DataFormatException(csv, "line " + (r.getRecordNumber() + 1) + " is not a bench-steps row ("
                            + e.getMessage() + ")");
                }
            }
            return rows;
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DataFormatException(csv, "cannot read", e);
        }
    }

    /** The chart of every device in rows: a series per device (and machine or batch where the rows hold several). */
    public static CategoryChart chart(List<Row> rows) {
        boolean machines = rows.stream().map(Row::machine).distinct().count() > 1;
        boolean batches = rows.stream().map(Row::batch).distinct().count() > 1;
        Set<String> models = new LinkedHashSet<>();
        Map<String, Map<String, Double>> series = new LinkedHashMap<>(); // series → model → newest images/s
        for (Row r : rows) {
            models.add(r.model());
            String name = r.device() + (machines ? " on " + r.machine() : "") + (batches ? ", batch " + r.batch() : "");
            series.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(r.model(), r.imagesPerSec());
        }
        String dates = rows.stream().map(Row::date).distinct().sorted().reduce((a, b) -> a.equals(b) ? a : a + " – " + b).orElse("");
        String where = machines ? "" : rows.isEmpty() ? "" : rows.getFirst().machine() + ", ";
        CategoryChart c = new CategoryChartBuilder().width(1000).height(520 + 24 * series.size())
                .title("hopmixer training step (" + where + dates + ")").xAxisTitle("model").yAxisTitle("images/s (higher is better)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Vertical);
        c.getStyler().setLabelsVisible(true).setLabelsRotation(0).setLabelsPosition(0.92);
        c.getStyler().setYAxisDecimalPattern("#,##0.#").setYAxisMin(0.0);
        List<String> x = new ArrayList<>(models);
        for (var s : series.entrySet()) {
            List<Double> ys = new ArrayList<>();
            for (String m : x) ys.add(s.getValue().get(m)); // null: this device did not run this model, no bar
            c.addSeries(s.getKey(), x, ys);
        }
        return c;
    }

    /** Draws the chart of the whole CSV as a PNG; false where this JVM cannot draw ({@link Png}). */
    public static boolean draw(Path csv, Path png) {
        CategoryChart chart = chart(read(csv));
        return Png.write(png, () -> BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG));
    }
}
