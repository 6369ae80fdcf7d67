package io.github.hopmixer.sweep;

import io.github.hopmixer.io.FileErrors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads back a run's {@code summary.csv} by column name; a line cut by a kill mid-write is left out. */
public final class SummaryCsv {
    /** One epoch's evaluation; {@code imagesPerSec} is NaN when the file has no throughput column. */
    public record Row(int epoch, double evalLoss, double top1, double top5, double imagesPerSec) {}

    private SummaryCsv() {}

    /** The rows of {@code file}, empty when it does not exist. */
    public static List<Row> read(Path file) {
        if (!Files.isRegularFile(file)) return List.of();
        try {
            // train writes the header when it creates the file: an empty one was cut or overwritten
            if (Files.size(file) == 0) throw new IllegalArgumentException(file + " is empty (no header); is it a hopmixer run's summary.csv?");
        } catch (IOException e) {
            throw FileErrors.failure("cannot read " + file, e);
        }
        CSVFormat fmt = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setIgnoreSurroundingSpaces(true).get();
        try (Reader r = Files.newBufferedReader(file); CSVParser p = CSVParser.parse(r, fmt)) {
            List<String> names = p.getHeaderNames();
            for (String need : List.of("epoch", "eval_loss", "eval_top1", "eval_top5")) {
                if (!names.contains(need)) throw new IllegalArgumentException(file + ": no column '" + need + "' (header " + names + "); is it a hopmixer run's summary.csv?");
            }
            String ips = names.contains("train_images_per_sec") ? "train_images_per_sec" : names.contains("images_per_sec") ? "images_per_sec" : null;
            List<Row> rows = new ArrayList<>();
            for (CSVRecord rec : p) {
                if (!rec.isConsistent()) continue;
                try {
                    rows.add(new Row(Integer.parseInt(rec.get("epoch")), Double.parseDouble(rec.get("eval_loss")), Double.parseDouble(rec.get("eval_top1")),
                            Double.parseDouble(rec.get("eval_top5")), ips == null || rec.get(ips).isEmpty() ? Double.NaN : Double.parseDouble(rec.get(ips))));
                } catch (NumberFormatException e) {
                    // a half-written last line
                }
            }
            return rows;
        } catch (IOException e) {
            throw FileErrors.failure("cannot read " + file, e);
        }
    }
}
