package io.github.hopmixer.cli;

import io.github.hopmixer.bench.FmaPeak;
import io.github.hopmixer.bench.Machine;
import io.github.hopmixer.bench.MemoryCost;
import io.github.hopmixer.bench.StepBench;
import io.github.hopmixer.bench.StepsPlot;
import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.DeviceProvider;
import io.github.hopmixer.device.Devices;
import io.github.hopmixer.io.AtomicFile;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.plan.Memory;
import io.github.hopmixer.plan.Role;
import io.github.hopmixer.train.StepPlans;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the training step (and the first model's six channel-MLP matrix products) on every device present.",
                "Writes bench-steps.csv, bench-kernels.csv and bench-steps.png into a new folder runs/bench-<time>/;",
                "--save appends to the tracked results/ instead (its plot keeps every device its CSV holds)."})
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

    @Option(names = "--img-size", defaultValue = "32", description = "Input side in pixels; rows of other sizes than 32 name it after the model, "
            + "e.g. paramixer_nano@8px (default: ${DEFAULT-VALUE}).")
    int imgSize;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first; each matrix product also runs at least 1 s untimed unless 0 "
            + "(default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", defaultValue = "10", description = "Timed steps; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--save", description = "Append to the tracked results/ folder (bench-steps.csv, bench-kernels.csv, memory.csv) and redraw its plot.")
    boolean save;

    @Option(names = "--results", description = "Append to this folder instead (default: a new runs/bench-<time>/).")
    Path results;

    @Option(names = "--no-step", description = "Skip the training-step timings: the matrix products only.")
    boolean noStep;

    @Option(names = "--no-kernels", description = "Skip the matrix-product timings (the first model's channel MLP at this batch and image size).")
    boolean noKernels;

    @Option(names = "--profile", description = "Also print where a JVM step's time goes, per op and per GEMM shape.")
    boolean profile;

    @Option(names = "--memory", split = ",", description = "Instead of timing: device memory of the training plan at these batch sizes "
            + "(the model's own image size; plain, with liveness, with liveness and recomputation, and that with the fused ops "
            + "the JVM runs), written to memory.csv, "
            + "e.g. --memory 32,64,128,256.")
    List<Integer> memoryBatches;

    @Option(names = "--memory-cost", description = "Instead of timing devices: the plain, share and lean plans (see --memory) on the JVM, "
            + "steps interleaved in one process, with their GELU and LayerNorm time: what recomputation costs; to memory-cost.csv.")
    boolean memoryCost;

    @Option(names = "--peak", description = "Instead of timing devices: the JVM's float vector FMA rate with --threads threads, "
            + "the ceiling of any matrix product here (a step's GFLOP/s is printed beside its images/s); to fma-peak.csv.")
    boolean peak;

    @Option(names = "--turns", description = "Instead of timing: warm up one model's step on one device, print 'ready <batch> <matmul flops>', "
            + "then run N steps for each line N read on standard input and print their ms (scripts/bench-compare.py --turns); "
            + "with --no-step its matrix products instead: 'ready gemms <kernel>:<shape> ...', then lines 'I N'.")
    boolean turns;

    @Option(names = "--audit", paramLabel = "TYPE", description = "Instead of timing: list every TornadoVM kernel launch of the models' "
            + "training step at --batch-size with the grid settings of this device type (cpu, gpu or fpga; tornado-config/TYPE.properties) "
            + "to tornado-audit-TYPE[-model].csv: op, kernel, global and local sizes, the longest serial loop of a work-item, rule breaks. "
            + "Needs a build with -Ptornado.")
    String audit;

    /** Where --save writes: the project's tracked results/ (a field so that tests can point it elsewhere). */
    Path tracked = Path.of("results");

    /** Where a default run's new folder goes. */
    Path runsRoot = Path.of("runs");

    @Override
    public Integer call() throws IOException {
        // Every flag is checked before a device is timed or a file is touched.
        if (save && results != null) throw new IllegalArgumentException("--save and --results " + results + ": give one of them");
        if (results != null && Files.exists(results) && !Files.isDirectory(results)) {
            throw new IllegalArgumentException("--results " + results + ": is a file, not a folder");
        }
        for (String name : models) {
            try {
                Models.get(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--models " + name + ": " + e.getMessage(), e);
            }
        }
        List<String> modes = new ArrayList<>();
        if (audit != null) modes.add("--audit");
        if (memoryBatches != null) modes.add("--memory");
        if (memoryCost) modes.add("--memory-cost");
        if (peak) modes.add("--peak");
        if (turns) modes.add("--turns");
        if (modes.size() > 1) throw new IllegalArgumentException(String.join(" and ", modes) + " each replace the timing: give one of them");
        if (audit != null) {
            if (batch < 1) throw new IllegalArgumentException("--batch-size " + batch + ": must be at least 1");
            if (!List.of("cpu", "gpu", "fpga").contains(audit.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("--audit " + audit + ": give a device type, cpu, gpu or fpga");
            }
            return audit(output());
        }
        if (memoryBatches != null) {
            for (int b : memoryBatches) if (b < 1) throw new IllegalArgumentException("--memory " + b + ": batch sizes must be at least 1");
            return memory(output());
        }
        if (peak) return peak(output(), DeviceOptions.threads("--threads", threads));
        if (batch < 1) throw new IllegalArgumentException("--batch-size " + batch + ": must be at least 1");
        if (memoryCost) {
            if (runs < 1) throw new IllegalArgumentException("--runs " + runs + ": must be at least 1");
            if (warmup < 0) throw new IllegalArgumentException("--warmup " + warmup + ": must be 0 or more");
            return memoryCost(output(), DeviceOptions.threads("--threads", threads));
        }
        if (warmup < 0) throw new IllegalArgumentException("--warmup " + warmup + ": must be 0 or more");
        if (runs < 1) throw new IllegalArgumentException("--runs " + runs + ": must be at least 1");
        for (String name : models) {
            int patch = Models.get(name).patch();
            if (imgSize < patch || imgSize % patch != 0) {
                throw new IllegalArgumentException("--img-size " + imgSize + ": must be a positive multiple of " + name + "'s patch " + patch);
            }
        }
        if (turns) return turns(DeviceOptions.threads("--threads", threads));
        if (noStep && noKernels) throw new IllegalArgumentException("--no-step with --no-kernels leaves nothing to time; drop one of them");
        int nThreads = DeviceOptions.threads("--threads", threads);
        List<String> ids = devices != null ? devices : defaultDevices();
        for (String id : ids) DeviceOptions.check("--devices", id);

        Path dir = output();
        String machine = Machine.describe(), date = LocalDate.now().toString();
        Path steps = dir.resolve("bench-steps.csv"), kernels = dir.resolve("bench-kernels.csv"), png = dir.resolve("bench-steps.png");
        if (!noStep) header(steps, STEPS_HEADER);
        if (!noKernels) header(kernels, "machine,device,date,kernel,shape,ms,gflops");
        Map<String, Double> jvmIps = new LinkedHashMap<>();
        for (String id : ids) {
            // A device per model: a device keeps every plan it prepared, and one benchmark process should hold one plan.
            for (String name : noStep ? List.<String>of() : models) {
                stepOnDevice(id, name, nThreads, machine, date, steps, jvmIps);
                // The closed device's plan is garbage in the old generation: collected now (untimed), so the next
                // model's plan reuses its pages and the process's peak RSS is one plan's, not the sum. (The device lived
                // in stepOnDevice's frame: a stale local of this long-running frame would keep it reachable.)
                System.gc();
            }
            if (!noKernels) {
                try (Device d = DeviceOptions.open("--devices", id, nThreads)) {
                    List<Gemm> shapes = gemms(Models.get(models.getFirst()).withData(imgSize, 3, 10), batch);
                    // An untimed pass over every shape first: the first shape timed in a fresh JVM ran at half speed
                    // even after its own 1-s warm-up, the later ones did not.
                    if (warmup > 0) for (Gemm s : shapes) StepBench.gemm(d, s, warmup, 1);
                    for (Gemm s : shapes) {
                        StepBench.KernelResult k = StepBench.gemm(d, s, warmup, runs);
                        append(kernels, String.format(Locale.ROOT, "\"%s\",\"%s\",%s,%s,%s,%.3f,%.1f", machine, d.name(), date,
                                k.kernel(), k.shape(), k.ms(), k.gflops()));
                        System.out.printf(Locale.ROOT, "%-28s %-18s %14s: %8.3f ms  %7.1f GFLOP/s%n", d.name(), k.kernel(), k.shape(),
                                k.ms(), k.gflops());
                    }
                }
            }
        }
        if (noStep) {
            System.out.println("wrote " + kernels + (save || results != null ? "" : "; give --save to add it to the tracked results/"));
            return 0;
        }
        boolean drawn = StepsPlot.draw(steps, png);
        System.out.println("wrote " + steps + (noKernels ? "" : ", " + kernels) + (drawn ? ", " + png : "")
                + (save || results != null ? "" : "; give --save to add them to the tracked results/"));
        return 0;
    }

    /** Times one model's training step on a fresh device (closed at the end) and appends its row. */
    private void stepOnDevice(String id, String name, int nThreads, String machine, String date, Path steps,
                              Map<String, Double> jvmIps) throws IOException {
        try (Device d = DeviceOptions.open("--devices", id, nThreads)) {
            var m = Models.get(name).withData(imgSize, 3, 10);
            String label = name + (imgSize == 32 ? "" : "@" + imgSize + "px");
            StepBench.StepResult r = StepBench.trainingStep(d, m, batch, warmup, runs);
            if (id.equals("jvm")) jvmIps.put(name, r.imagesPerSec());
            Double base = jvmIps.get(name);
            String ratio = base == null ? "" : String.format(Locale.ROOT, "%.3f", r.imagesPerSec() / base);
            append(steps, String.format(Locale.ROOT, "\"%s\",\"%s\",%s,%s,%d,%d,%.1f,%.2f,%s,%.4f", machine, d.name(), date, label,
                    batch, nThreads, r.imagesPerSec(), r.msPerStep(), ratio, r.gflops()));
            System.out.printf(Locale.ROOT, "%-28s %-18s batch %d: %8.1f images/s  %8.2f ms/step  %6.1f GFLOP/s  %s%n", d.name(), label,
                    batch, r.imagesPerSec(), r.msPerStep(), r.gflops(), ratio.isEmpty() ? "" : "×" + ratio + " JVM");
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
    }

    /** The folder this run writes to, created now: --results, results/ with --save, else a new runs/bench-<time>/. */
    private Path output() throws IOException {
        if (results != null) return Files.createDirectories(results);
        if (save) return Files.createDirectories(tracked);
        Files.createDirectories(runsRoot);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        for (int n = 1; ; n++) {
            Path dir = runsRoot.resolve("bench-" + stamp + (n == 1 ? "" : "-" + n));
            try {
                return Files.createDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (n > 100) throw e;
            }
        }
    }

    /**
     * The matrix products of a training step's MLPs, for the first model at this batch and image size: the channel
     * MLP's six (fc1 and fc2 forward, the two input gradients, the two weight gradients; batch folded into M), then
     * the token MLP's six as vanillamixer and paramixer run them (each image's product with the weight on the left, and the weight
     * gradients summed over the images; {@code GemmOps.matmul}'s rules). scripts/bench-compare.py times the same
     * products with the machine's BLAS.
     */
    static List<Gemm> gemms(io.github.hopmixer.model.ModelConfig model, int batch) {
        int m = batch * model.tokens(), c = model.dim(), h = model.channelHidden(), s = model.tokens(), th = model.tokenHidden();
        List<Gemm> out = new ArrayList<>();
        int[][] channel = {{m, h, c, 0, 1}, {m, c, h, 0, 1}, {m, c, h, 0, 0}, {m, h, c, 0, 0}, {h, c, m, 1, 0}, {c, h, m, 1, 0}};
        for (int[] g : channel) out.add(new Gemm(1, g[0], g[1], g[2], g[3] == 1, g[4] == 1, 0, 0, 0, false));
        if (batch > 1) {
            // Layers S → Sh and Sh → S over each image's (S or Sh) × C slab: forward, weight gradient, input gradient.
            for (int[] layer : new int[][] {{th, s}, {s, th}}) {
                int out0 = layer[0], in = layer[1];
                out.add(new Gemm(batch, out0, c, in, false, false, 0, in * c, out0 * c, false));
                out.add(new Gemm(batch, out0, in, c, false, true, out0 * c, in * c, 0, false));
                out.add(new Gemm(batch, in, c, out0, true, false, 0, out0 * c, in * c, false));
            }
        }
        return out.stream().distinct().toList();
    }

    /** gflops: the step's matrix products per second (added after ratio_to_jvm; older files gain it empty). */
    static final String STEPS_HEADER = "machine,device,date,model,batch,threads,images_per_sec,ms_per_step,ratio_to_jvm,gflops";

    static final String MEMORY_HEADER = "date,model,image,batch,plan,params_mb,grads_mb,adam_mb,activations_mb,inputs_outputs_mb,total_mb,"
            + "activations_mb_per_image";

    /**
     * The plan's buffers by role: exact device memory of a training step (the JVM heap adds data and scratch), at the
     * model's own image size, for each way the plan may spend memory: {@code plain} (every buffer its own storage),
     * {@code share} (liveness), {@code lean} (liveness and recomputation, the default) and {@code lean+fused} (the
     * fused plan the JVM device runs).
     */
    private int memory(Path dir) throws IOException {
        Path f = dir.resolve("memory.csv");
        header(f, MEMORY_HEADER);
        for (String name : models) {
            var m0 = Models.get(name);
            var m = m0.withData(m0.imageSize(), 3, 10);
            for (int b : memoryBatches) {
                // plain, share, lean, and lean with the fused ops: the plan the JVM device trains with
                record Kind(Memory mem, boolean fused) {}
                for (Kind kind : List.of(new Kind(Memory.PLAIN, false), new Kind(Memory.SHARE, false), new Kind(Memory.LEAN, false),
                        new Kind(Memory.LEAN, true))) {
                    Memory mem = kind.mem();
                    boolean fused = kind.fused();
                    var plan = StepPlans.training(m, b, true, mem, fused).plan();
                    double p = mb(plan.storedBytes(Role.PARAM)), g = mb(plan.storedBytes(Role.GRAD)),
                            o = mb(plan.storedBytes(Role.OPT_STATE)), act = mb(plan.storedBytes(Role.ACTIVATION)),
                            inOut = mb(plan.storedBytes(Role.INPUT) + plan.storedBytes(Role.OUTPUT) + plan.storedBytes(Role.SCALARS));
                    String line = String.format(Locale.ROOT, "%s,%s,%d,%d,%s,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.3f", LocalDate.now(), name,
                            m.imageSize(), b, mem.label() + (fused ? "+fused" : ""), p, g, o, act, inOut, p + g + o + act + inOut, act / b);
                    append(f, line);
                    System.out.println(line);
                }
            }
        }
        System.out.println("wrote " + f);
        return 0;
    }

    /** One model on one device, steps run in turns as standard input asks (the protocol: {@link io.github.hopmixer.bench.StepTurns}). */
    private int turns(int nThreads) throws IOException {
        if (models.size() != 1 || devices == null || devices.size() != 1) {
            throw new IllegalArgumentException("--turns: give one model (--models) and one device (--devices)");
        }
        DeviceOptions.check("--devices", devices.getFirst());
        var model = Models.get(models.getFirst()).withData(imgSize, 3, 10);
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
        try (Device d = DeviceOptions.open("--devices", devices.getFirst(), nThreads)) {
            if (noStep) { // the products --no-step times, each warm before the first turn
                List<StepBench.GemmRunner> gs = new ArrayList<>();
                for (Gemm g : gemms(model, batch)) gs.add(new StepBench.GemmRunner(d, g));
                for (StepBench.GemmRunner g : gs) g.warm(warmup);
                io.github.hopmixer.bench.StepTurns.serveGemms(gs, in, System.out);
                return 0;
            }
            StepBench.Runner step = new StepBench.Runner(d, model, batch);
            step.steps(warmup);
            io.github.hopmixer.bench.StepTurns.serve(step, batch, in, System.out);
        }
        return 0;
    }

    /** The FMA ceiling of this JVM with these threads: five rounds of ~0.5 s, the best one. */
    private int peak(Path dir, int nThreads) throws IOException {
        Path f = dir.resolve("fma-peak.csv");
        header(f, "machine,date,threads,gflops");
        double g = FmaPeak.gflops(nThreads, 5, 500);
        append(f, String.format(Locale.ROOT, "\"%s\",%s,%d,%.1f", Machine.describe(), LocalDate.now(), nThreads, g));
        System.out.printf(Locale.ROOT, "FMA peak, %d threads: %.1f GFLOP/s%nwrote %s%n", nThreads, g, f);
        return 0;
    }

    private int memoryCost(Path dir, int nThreads) throws IOException {
        Path f = dir.resolve("memory-cost.csv");
        header(f, "machine,date,model,batch,threads,plan,activations_mb_per_image,ms_per_step,kernel_ms,gelu_ms,layernorm_ms");
        String machine = Machine.describe(), date = LocalDate.now().toString();
        for (String name : models) {
            var m = Models.get(name).withData(imgSize, 3, 10);
            for (MemoryCost.Row r : MemoryCost.measure(m, batch, nThreads, warmup, runs)) {
                append(f, String.format(Locale.ROOT, "\"%s\",%s,%s,%d,%d,%s,%.3f,%.2f,%.2f,%.2f,%.2f", machine, date, name, batch, nThreads,
                        r.memory().label(), r.activationMbPerImage(), r.msPerStep(), r.kernelMs(), r.geluMs(), r.layerNormMs()));
                System.out.printf(Locale.ROOT, "%-18s %-6s batch %d: %6.3f MB/image  %8.2f ms/step  GELU %7.2f ms  LayerNorm %7.2f ms%n", name,
                        r.memory().label(), batch, r.activationMbPerImage(), r.msPerStep(), r.geluMs(), r.layerNormMs());
            }
        }
        System.out.println("wrote " + f);
        return 0;
    }

    /** The kernel audit lives with the TornadoVM backend (src/tornado): called by name, absent from a default build. */
    private int audit(Path dir) throws IOException {
        java.lang.reflect.Method write;
        try {
            write = Class.forName("io.github.hopmixer.tornado.KernelAudit").getMethod("write", String.class, int.class, String.class, Path.class);
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            throw new IllegalArgumentException("--audit " + audit + ": needs the tornado profile (build with 'mvn -Ptornado package' and start "
                    + "hopmixer through scripts/hopmixer with TORNADOVM_HOME set; see the README's TornadoVM section)");
        }
        for (String name : models) {
            String suffix = models.size() == 1 ? "" : "-" + name;
            Path csv = dir.resolve("tornado-audit-" + audit.toLowerCase(Locale.ROOT) + suffix + ".csv");
            try {
                System.out.println(write.invoke(null, name, batch, audit, csv));
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof IOException io) throw io;
                throw new IllegalArgumentException("--audit " + audit + ": needs the tornado profile with TornadoVM's classes on the JVM ("
                        + e.getCause() + ")");
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            System.out.println("wrote " + csv);
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

    private static void header(Path f, String h) throws IOException {
        if (!Files.exists(f)) {
            Files.writeString(f, h + "\n");
            return;
        }
        // Appending rows of another layout would corrupt the file: it says so and names it.
        String first;
        try (var lines = Files.lines(f)) {
            first = lines.findFirst().orElse("");
        }
        if (h.startsWith(first + ",") && !first.isEmpty()) {
            // A file from before columns were added: they are appended, empty, to its rows, so old and new rows read alike.
            String pad = ",".repeat(h.split(",").length - first.split(",").length);
            List<String> lines = Files.readAllLines(f);
            List<String> out = new ArrayList<>(List.of(h));
            for (String line : lines.subList(1, lines.size())) if (!line.isEmpty()) out.add(line + pad);
            AtomicFile.write(f, out);
            return;
        }
        if (!first.equals(h)) {
            throw new IllegalArgumentException(f + " has the columns '" + first + "', this version writes '" + h
                    + "': move the file aside (or give --results DIR) and run again");
        }
    }

    private static void append(Path f, String line) throws IOException {
        Files.writeString(f, line + "\n", StandardOpenOption.APPEND);
    }
}
