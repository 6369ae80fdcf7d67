package io.github.hopmixer.sweep;

import io.github.hopmixer.testing.CliRun;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** {@code hopmixer report} on a hand-written, half-finished sweep folder: the numbers, the missing cells, the files. */
class ReportTest {
    @TempDir
    Path tmp;

    static final String HEADER = SweepStateTest.HEADER;

    /** A finished cell: two epochs; the last one's top-1, top-5 and loss given; images/s 100 then {@code ips}. */
    static void cell(Sweep s, int index, double top1, double top5, double loss, double ips) throws IOException {
        Path d = Files.createDirectories(s.cellDir(s.cells().get(index)));
        Files.writeString(d.resolve("summary.csv"), HEADER + "\n0,2.0,1.9,10.0,50.0,1e-3,100.0,5.0\n"
                + String.format(java.util.Locale.ROOT, "1,1.0,%s,%s,%s,0,%s,4.0%n", loss, top1, top5, ips));
    }

    /** A cell's symmetry.csv: epochs 0 and 1, two blocks; the last epoch's cos and ‖W2‖/‖W1‖ per axis given (block 1 adds 0.02). */
    static void symmetry(Sweep s, int index, String coupling, double cosTokens, double cosChannels, double ratio) throws IOException {
        StringBuilder b = new StringBuilder(io.github.hopmixer.science.SymmetryCsv.EPOCH_HEADER + "\n");
        for (int e = 0; e < 2; e++)
            for (int blk = 0; blk < 2; blk++)
                for (String axis : List.of("tokens", "channels")) {
                    double cos = e == 0 ? 0.9 : (axis.equals("tokens") ? cosTokens : cosChannels) + 0.02 * blk;
                    double w2 = e == 0 ? 1.0 : ratio * 2 + 0.04 * blk;
                    b.append(String.format(java.util.Locale.ROOT, "%d,%d,%s,%s,%s,0.5,0.5,2.0,%s,%s,0.0%n", e, blk, axis, coupling, cos, w2, w2 / 2));
                }
        Files.writeString(s.cellDir(s.cells().get(index)).resolve("symmetry.csv"), b.toString());
    }

    @Test
    void halfFinishedSweep() throws IOException {
        Grid g = new Grid(List.of("paramixer_nano", "symmixer_nano", "asymmixer_nano"), List.of(1e-2, 0.0), List.of(1L, 2L, 3L),
                List.of(DatasetSpec.parse("fashion-mnist")), List.of("--epochs", "2"));
        Sweep s = Sweep.create(tmp.resolve("sw"), g, 2);
        // per seed: 0 paramixer, 1 symmixer, 2 asym 1e-2, 3 asym 0; seed k adds 4k
        cell(s, 0, 80, 98, 0.60, 300);
        cell(s, 4, 82, 99, 0.50, 310);
        cell(s, 8, 84, 97, 0.40, 320);   // paramixer: 3 seeds
        cell(s, 1, 70, 95, 0.9, 400);    // symmixer: 1 seed, seeds 2, 3 missing
        cell(s, 2, 75, 96, 0.7, 350);
        cell(s, 6, 77, 96, 0.8, 350);    // asym 1e-2: seeds 1, 2
        cell(s, 3, 79, 97, 0.6, 350);
        cell(s, 7, 81, 97, 0.5, 350);
        cell(s, 11, 80, 98, 0.55, 350);  // asym 0: 3 seeds
        symmetry(s, 0, "untied", 0.01, -0.03, 1.0);  // paramixer seeds 1 and 2 tracked symmetry; seed 3 did not
        symmetry(s, 4, "untied", 0.03, -0.01, 1.1);
        symmetry(s, 3, "broken", 0.70, 0.72, 0.99);
        // seed 2 of symmixer in progress (a checkpoint, one epoch)
        Path prog = Files.createDirectories(s.cellDir(s.cells().get(5)).resolve("checkpoints/step-00000010"));
        Files.writeString(prog.getParent().getParent().resolve("summary.csv"), HEADER + "\n0,2.0,1.9,10.0,50.0,1e-3,100.0,5.0\n");

        Path out = tmp.resolve("results");
        CliRun.Result r = CliRun.run("report", s.dir().toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("9 of 12 cells done"), r.out());
        assertTrue(r.out().contains("missing (3 cells)"), r.out());
        assertTrue(r.out().contains("fashion-mnist/symmixer_nano/seed2: in progress, 1/2 epochs"), r.out());
        assertTrue(r.out().contains("fashion-mnist/symmixer_nano/seed3: not started"), r.out());
        assertTrue(r.out().contains("fashion-mnist/asymmixer_nano-l1e-2/seed3: not started"), r.out());

        List<CSVRecord> rows;
        try (var p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(Files.newBufferedReader(out.resolve("summary.csv")))) {
            assertEquals(ReportWriter.COLUMNS, p.getHeaderNames());
            rows = p.getRecords();
        }
        Map<String, CSVRecord> by = rows.stream().collect(Collectors.toMap(x -> x.get("model") + "|" + x.get("lambda"), x -> x));
        assertEquals(4, rows.size());
        CSVRecord para = by.get("paramixer_nano|");
        assertEquals("paramixer", para.get("family"));
        assertEquals("3", para.get("seeds"));
        assertEquals("2", para.get("epochs"));
        assertEquals(82.0, d(para, "top1_mean"), 1e-9);
        assertEquals(2.0, d(para, "top1_std"), 1e-9);             // sample std of 80, 82, 84
        assertEquals(98.0, d(para, "top5_mean"), 1e-9);
        assertEquals(1.0, d(para, "top5_std"), 1e-9);             // 98, 99, 97
        assertEquals(0.5, d(para, "loss_mean"), 1e-9);
        assertEquals(0.1, d(para, "loss_std"), 1e-6);
        assertEquals(310.0, d(para, "images_per_sec"), 1e-9);     // the warm-up epoch left out
        CSVRecord sym = by.get("symmixer_nano|");
        assertEquals("1", sym.get("seeds"));
        assertEquals(70.0, d(sym, "top1_mean"), 1e-9);
        assertEquals("", sym.get("top1_std"), "no spread from one seed");
        CSVRecord a2 = by.get("asymmixer_nano|0.01");
        assertEquals("asymmixer", a2.get("family"));
        assertEquals(76.0, d(a2, "top1_mean"), 1e-9);
        assertEquals(Math.sqrt(2), d(a2, "top1_std"), 1e-4);
        CSVRecord a0 = by.get("asymmixer_nano|0.0");
        assertEquals(80.0, d(a0, "top1_mean"), 1e-9);
        assertEquals(1.0, d(a0, "top1_std"), 1e-9);

        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| paramixer_nano | – | 82.00 ± 2.00 | 98.00 ± 1.00 | 0.5000 ± 0.1000 | 2 | 310 | 3/3 |"), md);
        assertTrue(md.contains("| symmixer_nano | – | 70.00 | 95.00 | 0.9000 | 2 | 400 | 1/3 |"), md);
        assertTrue(md.contains("| asymmixer_nano | 1e-2 | 76.00 ± 1.41 |"), md);
        assertTrue(md.contains("9 of 12 cells done"), md);
        assertTrue(md.contains("## Missing") && md.contains("- `fashion-mnist/symmixer_nano/seed2`: in progress, 1/2 epochs"), md);
        for (String png : List.of("top1-vs-lambda-fashion-mnist.png", "curves-fashion-mnist.png")) {
            assertTrue(Files.size(out.resolve(png)) > 5000, png);
            assertTrue(md.contains("](" + png + ")"), png);
            assertNotNull(javax.imageio.ImageIO.read(out.resolve(png).toFile()), png + " is a readable image");
        }
        // weight symmetry: the last epoch, mean over blocks (block 1 adds 0.02 to cos, 0.02 to the ratio), then over seeds
        assertTrue(md.contains("### Weight symmetry after training"), md);
        assertTrue(md.contains("| paramixer_nano | – | untied | 0.030 ± 0.014 | -0.010 ± 0.014 | 1.060 ± 0.071 | 1.060 ± 0.071 | 2 |"), md);
        assertTrue(md.contains("| asymmixer_nano | 0 | broken | 0.710 | 0.730 | 1.000 | 1.000 | 1 |"), md);
        assertFalse(md.contains("| symmixer_nano | – | tied"), "no symmetry.csv, no row: " + md);
        List<CSVRecord> symRows;
        try (var p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(Files.newBufferedReader(out.resolve("symmetry.csv")))) {
            assertEquals(SymmetrySummary.COLUMNS, p.getHeaderNames());
            symRows = p.getRecords();
        }
        assertEquals(2, symRows.size());
        assertEquals("2", symRows.getFirst().get("seeds"));
        assertEquals(0.03, d(symRows.getFirst(), "cos_tokens_mean"), 1e-9);
        assertEquals(1.06, d(symRows.getFirst(), "w2_over_w1_channels_mean"), 1e-9);
        assertTrue(r.out().contains("symmetry.csv"), r.out());
        // the learning curve is the mean over the finished seeds, epoch by epoch
        SweepReport rep = SweepReport.of(s);
        assertArrayEquals(new double[] {10, 82}, rep.configs().getFirst().curve(2), 1e-9);
    }

    @Test
    void emptySweepReportsEverythingMissing() throws IOException {
        Sweep s = Sweep.create(tmp.resolve("empty"), SweepStateTest.grid(1, 2), 2);
        CliRun.Result r = CliRun.run("report", s.dir().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("0 of 2 cells done") && r.out().contains("missing (2 cells)"), r.out());
        assertTrue(Files.readString(s.dir().resolve("report/report.md")).contains("| paramixer_nano | – | – | – | – | – | – | 0/2 |"));
    }

    static double d(CSVRecord r, String col) {
        return Double.parseDouble(r.get(col));
    }
}
