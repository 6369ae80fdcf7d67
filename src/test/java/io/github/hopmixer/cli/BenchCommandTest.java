package io.github.hopmixer.cli;

import io.github.hopmixer.testing.CliRun;
import io.github.hopmixer.bench.StepsPlot;
import io.github.hopmixer.device.JvmDevice;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.train.StepPlans;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.style.Styler;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code hopmixer bench} never touches the tracked results/ unless asked: by default it writes a new
 * runs/bench-<time>/ folder; --save appends to results/ and redraws its plot from the whole CSV (every device it
 * holds); --results DIR writes there. Each run times one step of paramixer_nano at batch 1.
 */
class BenchCommandTest {

    @TempDir
    Path tmp;
    Path tracked, runs;
    Map<String, String> projectResults;

    static final String[] TINY = {"bench", "--models", "paramixer_nano", "--devices", "jvm", "--batch-size", "1", "--warmup", "0",
            "--runs", "1", "--no-kernels", "--threads", "1", "--img-size", "8"};

    /** A copy of the tracked results/ whose CSV holds a TornadoVM device the JVM-only run will not measure. */
    @BeforeEach
    void trackedCopy() throws IOException {
        projectResults = CliFixture.snapshot(Path.of("results"));
        tracked = Files.createDirectories(tmp.resolve("results"));
        runs = tmp.resolve("runs");
        Files.writeString(tracked.resolve("bench-steps.csv"), """
                machine,device,date,model,batch,threads,images_per_sec,ms_per_step,ratio_to_jvm
                "AMD EPYC, 2 cores, JDK 25","jvm(2 threads)",2026-11-28,paramixer_nano,128,2,279.7,457.64,1.000
                "AMD EPYC, 2 cores, JDK 25","tornado opencl pthread (CPU)",2026-11-28,paramixer_nano,128,2,180.5,709.05,0.645
                "AMD EPYC, 2 cores, JDK 25","tornado opencl pthread (CPU)",2026-11-28,symmixer_nano,128,2,194.7,657.27,0.699
                """);
        Files.writeString(tracked.resolve("bench-steps.png"), "the old plot");
    }

    CliRun.Result bench(String... extra) {
        CommandLine cl = Main.commandLine();
        BenchCommand b = (BenchCommand) cl.getSubcommands().get("bench").getCommand();
        b.tracked = tracked;
        b.runsRoot = runs;
        String[] args = java.util.Arrays.copyOf(TINY, TINY.length + extra.length);
        System.arraycopy(extra, 0, args, TINY.length, extra.length);
        CliRun.Result r = CliRun.run(cl, args);
        assertEquals(0, r.code(), r.err());
        assertEquals(projectResults, CliFixture.snapshot(Path.of("results")), "the project's results/ changed");
        return r;
    }

    @Test
    void byDefaultANewFolderAndTrackedResultsUntouched() throws IOException {
        Map<String, String> before = CliFixture.snapshot(tracked);
        bench();
        bench();
        assertEquals(before, CliFixture.snapshot(tracked));
        List<Path> made;
        try (Stream<Path> s = Files.list(runs)) {
            made = s.sorted().toList();
        }
        assertEquals(2, made.size(), "each run its own folder: " + made);
        for (Path dir : made) {
            assertTrue(dir.getFileName().toString().matches("bench-\\d{8}-\\d{6}(-\\d+)?"), dir.toString());
            List<String> rows = Files.readAllLines(dir.resolve("bench-steps.csv"));
            assertEquals(2, rows.size(), "header and one row: " + rows);
            assertTrue(rows.get(1).contains(",paramixer_nano@8px,1,1,"), rows.get(1));
            assertTrue(Files.size(dir.resolve("bench-steps.png")) > 1000);
            assertFalse(Files.exists(dir.resolve("bench-kernels.csv")), "--no-kernels writes no kernel file");
        }
    }

    /** --no-step times the first model's six channel-MLP products only (here M = 1 image × 4 tokens, C 128, hidden 512). */
    @Test
    void noStepTimesTheChannelProductsOnly() throws IOException {
        Path out = tmp.resolve("k");
        List<String> shapes = noStepKernels(out, 1);
        assertFalse(Files.exists(out.resolve("bench-steps.csv")), "no step file");
        assertEquals(6, shapes.size(), shapes.toString());
        assertEquals(List.of("gemm_nt 4x512x128", "gemm_nt 4x128x512", "gemm_nn 4x128x512", "gemm_nn 4x512x128", "gemm_tn 512x128x4",
                "gemm_tn 128x512x4"), shapes);
        CliRun.Result both = CliRun.run(Main.commandLine(), "bench", "--no-step", "--no-kernels", "--results", out.toString());
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().contains("leaves nothing to time"), both.err());
    }

    /**
     * With a batch, the token MLP's products follow as the step runs them: each image's product with the weight on the
     * left (fc1 64 × 4 tokens, fc2 4 × 64, over C = 128), and the weight gradients summed over the images.
     */
    @Test
    void noStepWithABatchAlsoTimesTheTokenProducts() throws IOException {
        List<String> shapes = noStepKernels(tmp.resolve("t"), 2);
        assertEquals(List.of("gemm_nt 8x512x128", "gemm_nt 8x128x512", "gemm_nn 8x128x512", "gemm_nn 8x512x128", "gemm_tn 512x128x8",
                "gemm_tn 128x512x8"), shapes.subList(0, 6));
        assertEquals(List.of("gemm_nn_shared_a 2x64x128x4", "gemm_nt_sum 2x64x4x128", "gemm_tn_shared_a 2x4x128x64",
                "gemm_nn_shared_a 2x4x128x64", "gemm_nt_sum 2x4x64x128", "gemm_tn_shared_a 2x64x128x4"), shapes.subList(6, shapes.size()));
    }

    /** `bench --no-step` of paramixer_nano at 8 px and this batch into out: each kernel row's name and shape. */
    private static List<String> noStepKernels(Path out, int batch) throws IOException {
        CliRun.Result r = CliRun.run(Main.commandLine(), "bench", "--models", "paramixer_nano", "--devices", "jvm",
                "--batch-size", String.valueOf(batch), "--warmup", "0", "--runs", "1", "--threads", "1", "--img-size", "8", "--no-step",
                "--results", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(out.resolve("bench-kernels.csv"));
        return rows.subList(1, rows.size()).stream().map(x -> x.split(",")[5] + " " + x.split(",")[6]).toList();
    }

    @Test
    void saveAppendsToTrackedAndThePlotKeepsEveryDevice() throws IOException {
        List<String> old = Files.readAllLines(tracked.resolve("bench-steps.csv"));
        bench("--save");
        List<String> now = Files.readAllLines(tracked.resolve("bench-steps.csv"));
        // The file predates the gflops column: it gains it, empty on its rows, which are otherwise kept as they were.
        assertEquals(BenchCommand.STEPS_HEADER, now.getFirst());
        assertEquals(old.subList(1, old.size()).stream().map(r -> r + ",").toList(), now.subList(1, old.size()), "earlier rows kept");
        assertEquals(old.size() + 1, now.size());
        // Its GFLOP/s is the plan's matrix-product FLOPs over its ms per step.
        String[] mine = now.getLast().split(",");
        long flops;
        try (JvmDevice d = new JvmDevice(1)) {
            flops = StepPlans.training(Models.get("paramixer_nano").withData(8, 3, 10), 1, d).plan().matmulFlops();
        }
        double ms = Double.parseDouble(mine[mine.length - 3]), gflops = Double.parseDouble(mine[mine.length - 1]);
        assertEquals(flops / (ms * 1e6), gflops, 1e-4 + 0.01 * gflops, now.getLast());
        assertTrue(Files.size(tracked.resolve("bench-steps.png")) > 1000, "plot redrawn");
        assertFalse(Files.exists(runs), "no runs/ folder with --save");

        CategoryChart c = StepsPlot.chart(StepsPlot.read(tracked.resolve("bench-steps.csv")));
        Set<String> series = c.getSeriesMap().keySet();
        assertTrue(series.contains("tornado opencl pthread (CPU), batch 128"), series.toString());
        assertTrue(series.contains("jvm(2 threads), batch 128"), series.toString());
        assertTrue(series.stream().anyMatch(s -> s.startsWith("jvm(1 threads)") && s.endsWith("batch 1")), series.toString());
        assertEquals(3, series.size(), series.toString());
        assertTrue(c.getStyler().isLabelsVisible(), "values on the bars");
        assertEquals(Styler.LegendPosition.OutsideS, c.getStyler().getLegendPosition(), "legend outside the plot, over no bar");
    }

    /** --peak measures the JVM's FMA rate instead of a device, into fma-peak.csv. */
    @Test
    void peakWritesTheFmaRate() throws IOException {
        Path out = tmp.resolve("peak");
        CliRun.Result r = CliRun.run(Main.commandLine(), "bench", "--peak", "--threads", "1", "--results", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(out.resolve("fma-peak.csv"));
        assertEquals("machine,date,threads,gflops", rows.getFirst());
        String[] row = rows.get(1).split(",");
        assertEquals("1", row[row.length - 2]);
        double gflops = Double.parseDouble(row[row.length - 1]);
        assertTrue(gflops > 0 && Double.isFinite(gflops), rows.get(1)); // a rate was measured; how high is the benchmark's business

        CliRun.Result two = CliRun.run(Main.commandLine(), "bench", "--peak", "--memory", "8", "--results", out.toString());
        assertEquals(2, two.code(), two.err());
        assertEquals(List.of("hopmixer: --memory and --peak each replace the timing: give one of them"), two.errLines());
    }

    /** --turns serves one model on one device (the protocol's own test: bench/StepTurnsTest); anything else is one line. */
    @Test
    void turnsTakesOneModelOnOneDevice() {
        CliRun.Result two = CliRun.run(Main.commandLine(), "bench", "--turns", "--models", "paramixer_pico,symmixer_pico", "--devices", "jvm");
        assertEquals(2, two.code(), two.err());
        assertEquals(List.of("hopmixer: --turns: give one model (--models) and one device (--devices)"), two.errLines());
        CliRun.Result any = CliRun.run(Main.commandLine(), "bench", "--turns", "--models", "paramixer_pico");
        assertEquals(List.of("hopmixer: --turns: give one model (--models) and one device (--devices)"), any.errLines());
        CliRun.Result both = CliRun.run(Main.commandLine(), "bench", "--turns", "--peak");
        assertEquals(List.of("hopmixer: --peak and --turns each replace the timing: give one of them"), both.errLines());
    }

    @Test
    void explicitResultsFolderIsUsed() throws IOException {
        Map<String, String> before = CliFixture.snapshot(tracked);
        Path mine = tmp.resolve("mine/bench");
        bench("--results", mine.toString());
        assertEquals(2, Files.readAllLines(mine.resolve("bench-steps.csv")).size());
        assertEquals(before, CliFixture.snapshot(tracked));
        assertFalse(Files.exists(runs));
    }

    @Test
    void plotOfOneMachineAndBatchNamesDevicesPlainly() throws IOException {
        Path csv = tmp.resolve("one.csv");
        Files.writeString(csv, """
                machine,device,date,model,batch,threads,images_per_sec,ms_per_step,ratio_to_jvm
                "m","jvm",2026-11-28,paramixer_nano,128,2,279.7,457.64,1.000
                "m","gpu",2026-11-28,symmixer_nano,128,2,900.0,100.0,
                "m","jvm",2026-11-29,paramixer_nano,128,2,300.0,420.0,1.000
                """);
        CategoryChart c = StepsPlot.chart(StepsPlot.read(csv));
        assertEquals(Set.of("jvm", "gpu"), c.getSeriesMap().keySet());
        assertEquals(java.util.Arrays.asList(300.0, null), c.getSeriesMap().get("jvm").getYData().stream().map(n -> n == null ? null : n.doubleValue()).toList(),
                "the newest row per device and model; no bar where a device did not run a model");
    }
    /**
     * --audit lists the TornadoVM kernel launches, which only a -Ptornado build holds: without it, one line saying so
     * and no file; with it, the CSV of the step's launches. A bad device type is refused before anything is written.
     */
    @Test
    void auditNeedsTheTornadoProfileOrWritesItsTable() throws IOException {
        Path out = tmp.resolve("audit");
        CliRun.Result bad = CliRun.run(Main.commandLine(), "bench", "--audit", "tpu", "--results", out.toString());
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("--audit tpu: give a device type, cpu, gpu or fpga"), bad.err());
        assertFalse(Files.exists(out));
        CliRun.Result r = CliRun.run(Main.commandLine(), "bench", "--audit", "gpu", "--models", "paramixer_nano", "-b", "4",
                "--results", out.toString());
        boolean tornado;
        try {
            Class.forName("io.github.hopmixer.tornado.KernelAudit");
            tornado = true;
        } catch (ClassNotFoundException e) {
            tornado = false;
        }
        if (tornado) {
            assertEquals(0, r.code(), r.err());
            List<String> rows = Files.readAllLines(out.resolve("tornado-audit-gpu.csv"));
            assertTrue(rows.getFirst().startsWith("graph,op,shape,kernel,global,local,work_items,loop"), rows.getFirst());
            assertTrue(rows.stream().anyMatch(l -> l.contains("TiledGemmKernels.tiled4x4")), "a GEMM launch of the GPU config");
        } else {
            assertNotEquals(0, r.code());
            assertTrue(r.err().contains("--audit gpu: needs the tornado profile"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out.resolve("tornado-audit-gpu.csv")));
        }
    }

    /**
     * --memory writes one row per batch and plan mode (plain, share, lean, lean+fused) at the model's image size, the
     * lean plan the smallest, the fused one between lean and plain (it keeps what GELU's backward needs instead of recomputing it); a memory.csv of another layout is refused with one line naming it, and left as it was.
     */
    @Test
    void memoryRowsPerPlanModeAndAForeignLayoutRefused() throws IOException {
        Path out = tmp.resolve("mem");
        CliRun.Result r = CliRun.run(Main.commandLine(), "bench", "--memory", "2,4", "--models", "paramixer_pico", "--results", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(out.resolve("memory.csv"));
        assertEquals(BenchCommand.MEMORY_HEADER, rows.getFirst());
        assertEquals(9, rows.size(), rows.toString());
        for (int i = 1; i < rows.size(); i += 4) {
            String[] plain = rows.get(i).split(","), share = rows.get(i + 1).split(","), lean = rows.get(i + 2).split(",");
            String[] fused = rows.get(i + 3).split(",");
            assertEquals(List.of("plain", "share", "lean", "lean+fused"), List.of(plain[4], share[4], lean[4], fused[4]));
            assertTrue(Double.parseDouble(lean[11]) <= Double.parseDouble(fused[11]) && Double.parseDouble(fused[11]) < Double.parseDouble(plain[11]),
                    "the fused plan: " + rows.subList(i, i + 4));
            assertEquals("32", plain[2], "the model's image size");
            assertTrue(Double.parseDouble(lean[11]) < Double.parseDouble(share[11]) && Double.parseDouble(share[11]) < Double.parseDouble(plain[11]),
                    "activations shrink: " + rows.subList(i, i + 4));
        }
        Path old = Files.createDirectories(tmp.resolve("old"));
        Files.writeString(old.resolve("memory.csv"), "date,model,image,batch,params_mb\n");
        CliRun.Result bad = CliRun.run(Main.commandLine(), "bench", "--memory", "2", "--models", "paramixer_pico", "--results", old.toString());
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("memory.csv has the columns"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertEquals("date,model,image,batch,params_mb\n", Files.readString(old.resolve("memory.csv")));
    }

    /** --memory-cost times the three plan modes interleaved and writes one row each. */
    @Test
    void memoryCostRowsForEachPlanMode() throws IOException {
        Path out = tmp.resolve("cost");
        CliRun.Result r = CliRun.run(Main.commandLine(), "bench", "--memory-cost", "--models", "paramixer_pico", "-b", "2",
                "--warmup", "0", "--runs", "1", "--threads", "1", "--results", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(out.resolve("memory-cost.csv"));
        assertEquals(4, rows.size(), rows.toString());
        assertTrue(rows.get(3).contains(",paramixer_pico,2,1,lean,"), rows.get(3));
    }
}
