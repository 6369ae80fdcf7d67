package io.github.hopmixer.science;

import io.github.hopmixer.io.AtomicFile;
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

/**
 * The measures as CSV: {@code symmetry.csv} of a tracked run (one row set per epoch, columns {@link #EPOCH_HEADER})
 * and the rows of {@code hopmixer symmetry --csv}. Values are written at full double precision.
 */
public final class SymmetryCsv {
    public static final String COLUMNS = "block,axis,coupling,cos,share,sym_share,w1_norm,w2_norm,w2_over_w1,w2_cos";
    public static final String EPOCH_HEADER = "epoch," + COLUMNS;

    /** One row of a tracked run's symmetry.csv. */
    public record EpochRow(int epoch, BlockSymmetry row) {}

    private SymmetryCsv() {}

    public static String format(BlockSymmetry r) {
        return r.block() + "," + r.axis() + "," + r.coupling() + "," + r.cos() + "," + r.share() + "," + r.symShare() + ","
                + r.w1Norm() + "," + r.w2Norm() + "," + r.w2OverW1() + "," + r.w2Cos();
    }

    /** Replaces the rows of {@code epoch} and later (a resumed run redoes them) with {@code rows}, keeping earlier epochs. */
    public static void writeEpoch(Path file, int epoch, List<BlockSymmetry> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(EPOCH_HEADER);
        if (Files.exists(file)) {
            for (EpochRow e : read(file)) if (e.epoch() < epoch) lines.add(e.epoch() + "," + format(e.row()));
        }
        for (BlockSymmetry r : rows) lines.add(epoch + "," + format(r));
        try {
            AtomicFile.write(file, lines);
        } catch (IOException e) {
            throw FileErrors.failure("cannot write " + file, e);
        }
    }

    /** Reads a symmetry.csv back; a file that is not one is a one-line error naming it. */
    public static List<EpochRow> read(Path file) {
        CSVFormat fmt = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        try (Reader in = Files.newBufferedReader(file); CSVParser p = CSVParser.parse(in, fmt)) {
            if (!p.getHeaderNames().equals(List.of(EPOCH_HEADER.split(",")))) {
                throw new IllegalArgumentException(file + " is not a symmetry.csv: header " + p.getHeaderNames()
                        + ", expected " + EPOCH_HEADER);
            }
            List<EpochRow> out = new ArrayList<>();
            for (CSVRecord r : p) {
                try {
                    out.add(new EpochRow(Integer.parseInt(r.get("epoch")), new BlockSymmetry(Integer.parseInt(r.get("block")),
                            r.get("axis"), r.get("coupling"), num(r, "cos"), num(r, "share"), num(r, "sym_share"),
                            num(r, "w1_norm"), num(r, "w2_norm"), num(r, "w2_cos"))));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(file + " line " + p.getCurrentLineNumber() + ": " + e.getMessage()
                            + " (delete the file and re-run to rebuild it)");
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException && e.getMessage().startsWith(file.toString())) throw (IllegalArgumentException) e;
            throw new IllegalArgumentException("cannot read " + file + ": "
                    + (e instanceof IOException x ? FileErrors.reason(x) : e.getMessage()));
        }
    }

    private static double num(CSVRecord r, String column) {
        return Double.parseDouble(r.get(column));
    }
}
