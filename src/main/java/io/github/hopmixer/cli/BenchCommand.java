package io.github.hopmixer.cli;

import io.github.hopmixer.bench.Machine;
import io.github.hopmixer.bench.StepBench;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.DeviceProvider;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.train.StepPlans;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the training step (and the channel-mixing matrix product) on every device present;",
                "append rows to results/bench-steps.csv and results/bench-kernels.csv and draw results/bench-steps.png."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--models", split = ",", defaultValue = "paramixer_nano,symmixer_nano",
            description = "Models, 32-px 3-channel input, 10 classes (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--devices", split = ",", description = "Device ids (default: jvm and every TornadoVM device).")
    List<String> devices;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "128", description = "Batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", description = "JVM device threads (default: all cores).")
    Integer threads;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", defaultValue = "10", description = "Timed steps; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--results", defaultValue = "results", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(names = "--no-kernels", description = "Skip the matrix-product timings.")
    boolean noKernels;

    @Option(names = "--profile", description = "Also print where a JVM step's time goes, per op and per GEMM shape.")
    boolean profile;

    @Option(names = "--memory", split = ",", description = "Instead of timing: device memory of the training plan at these batch sizes, "
            + "appended to results/memory.csv, e.g. --memory 32,64,128,256.")
    List<Integer> memoryBatches;

    @Override
    public Integer call() throws IOException {
        if (memoryBatches != null) return memory();
        List<String> ids = devices != null ? devices : defaultDevices();
        int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        String machine = Machine.describe(), date = LocalDate.now().toString();
        Files.createDirectories(results);
        Path steps = results.resolve("bench-steps.csv"), kernels = results.resolve("bench-kernels.csv");
        header(steps, "machine,device,date,model,batch,threads,images_per_sec,ms_per_step,ratio_to_jvm");
        header(kernels, "machine,device,date,kernel,shape,ms,gflops");
        Map<String, Map<String, Double>> chart = new LinkedHashMap<>();
        Map<String, Double> jvmIps = new LinkedHashMap<>();
        for (String id : ids) {
            try (Device d = Devices.open(id, nThreads)) {
                for (String name : models) {
                    var m = Models.get(name).withData(32, 3, 10);
                    StepBench.StepResult r = StepBench.trainingStep(d, m, batch, warmup, runs);
                    if (id.equals("jvm")) jvmIps.put(name, r.imagesPerSec());
                    Double base = jvmIps.get(name);
                    String ratio = base == null ? "" : String.format(Locale.ROOT, "%.3f", r.imagesPerSec() / base);
                    append(steps, String.format(Locale.ROOT, "\"%s\",\"%s\",%s,%s,%d,%d,%.1f,%.2f,%s", machine, d.name(), date, name,
                            batch, nThreads, r.imagesPerSec(), r.msPerStep(), ratio));
                    System.out.printf(Locale.ROOT, "%-28s %-18s batch %d: %8.1f images/s  %8.2f ms/step  %s%n", d.name(), name, batch,
                            r.imagesPerSec(), r.msPerStep(), ratio.isEmpty() ? "" : "×" + ratio + " JVM");
                    chart.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(d.name(), r.imagesPerSec());
                    if (profile && d instanceof io.github.hopmixer.device.JvmDevice jvm) {
                        Map<String, Long> prof = jvm.startProfile();
                        StepBench.trainingStep(d, m, batch, 0, runs);
                        long total = prof.values().stream().mapToLong(Long::longValue).sum();
                        System.out.printf(Locale.ROOT, "  profile of %s, %d steps (ms per step, share):%n", name, runs);
                        prof.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e ->
                                System.out.printf(Locale.ROOT, "    %-36s %8.2f  %5.1f%%%n", e.getKey(), e.getValue() / 1e6 / runs, 100.0 * e.getValue() / total));
                        jvm.stopProfile();
                    }
                }
                if (!noKernels) {
                    for (int[] s : gemmShapes(batch)) {
                        StepBench.KernelResult k = StepBench.gemm(d, s[0], s[1], s[2], s[3], s[4], warmup, runs);
                        append(kernels, String.format(Locale.ROOT, "\"%s\",\"%s\",%s,%s,%s,%.3f,%.1f", machine, d.name(), date,
                                k.kernel(), k.shape(), k.ms(), k.gflops()));
                        System.out.printf(Locale.ROOT, "%-28s %-18s %14s: %8.3f ms  %7.1f GFLOP/s%n", d.name(), k.kernel(), k.shape(),
                                k.ms(), k.gflops());
                    }
                }
            }
        }
        drawChart(chart, results.resolve("bench-steps.png"), machine, date);
        System.out.println("wrote " + steps + ", " + kernels + ", " + results.resolve("bench-steps.png"));
        return 0;
    }

    /**
     * The nano step's channel-mixing products (M = B·S = B·64 rows), M, N, K, transA, transB: the forward x·W1ᵀ
     * and a·W2ᵀ, an input gradient dy·W, and a weight gradient dyᵀ·x. scripts/bench-compare.py times the same
     * shapes with the machine's BLAS.
     */
    static int[][] gemmShapes(int batch) {
        int m = batch * 64;
        return new int[][] {{m, 512, 128, 0, 1}, {m, 128, 512, 0, 1}, {m, 128, 512, 0, 0}, {512, 128, m, 1, 0}};
    }

    /** The plan's buffers by role: exact device memory of a training step (the JVM heap adds data and scratch). */
    private int memory() throws IOException {
        Files.createDirectories(results);
        Path f = results.resolve("memory.csv");
        header(f, "date,model,image,batch,params_mb,grads_mb,adam_mb,activations_mb,inputs_outputs_mb,total_mb");
        for (String name : models) {
            var m = Models.get(name).withData(32, 3, 10);
            for (int b : memoryBatches) {
                var plan = StepPlans.training(m, b).plan();
                double p = mb(plan.bytes(Role.PARAM)), g = mb(plan.bytes(Role.GRAD)),
                        o = mb(plan.bytes(Role.OPT_STATE)), act = mb(plan.bytes(Role.ACTIVATION)),
                        inOut = mb(plan.bytes(Role.INPUT) + plan.bytes(Role.OUTPUT)
                                + plan.bytes(Role.SCALARS));
                String line = String.format(Locale.ROOT, "%s,%s,32,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f", LocalDate.now(), name, b, p, g, o, act, inOut,
                        p + g + o + act + inOut);
                append(f, line);
                System.out.println(line);
            }
        }
        return 0;
    }

    private static double mb(long bytes) {
        return bytes / 1048576.0;
    }

    private static List<String> defaultDevices() {
        List<String> ids = new ArrayList<>(List.of("jvm"));
        for (DeviceProvider p : Devices.providers()) for (DeviceProvider.Info i : p.list()) ids.add(i.id());
        return ids;
    }

    private static void drawChart(Map<String, Map<String, Double>> data, Path file, String machine, String date) throws IOException {
        CategoryChart c = new CategoryChartBuilder().width(900).height(500).title("hopmixer training step, nano models, 32 px")
                .xAxisTitle("model").yAxisTitle("images/s").build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        List<String> deviceNames = new ArrayList<>();
        for (Map<String, Double> byDevice : data.values()) for (String d : byDevice.keySet()) if (!deviceNames.contains(d)) deviceNames.add(d);
        List<String> modelNames = new ArrayList<>(data.keySet());
        for (String d : deviceNames) {
            List<Double> ys = new ArrayList<>();
            for (String m : modelNames) ys.add(data.get(m).getOrDefault(d, 0.0));
            c.addSeries(d, modelNames, ys);
        }
        c.setTitle("hopmixer training step (" + machine + ", " + date + ")");
        BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void header(Path f, String h) throws IOException {
        if (!Files.exists(f)) Files.writeString(f, h + "\n");
    }

    private static void append(Path f, String line) throws IOException {
        Files.writeString(f, line + "\n", StandardOpenOption.APPEND);
    }
}
