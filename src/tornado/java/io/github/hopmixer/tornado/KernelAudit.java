package io.github.hopmixer.tornado;

import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.train.StepPlans;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The kernel audit ({@code hopmixer bench --audit <type>}): every kernel launch of a training step as {@link PlanRunner}
 * would run it with a device type's grid settings — from the same {@link GraphLayout} and {@link KernelTasks}, on
 * one-float stand-ins for the plan's buffers, so no device is needed — with its grid, the longest serial loop one
 * work-item runs, and which of the GPU rules it breaks: no work-item loop over {@value #MAX_LOOP} elements except a
 * GEMM's reduction, and at least {@value #MIN_ITEMS} work-items for a launch of more than {@value #BIG_WORK} elements.
 */
public final class KernelAudit {
    private KernelAudit() {}

    static final long MAX_LOOP = 1024, BIG_WORK = 65536, MIN_ITEMS = 16384;

    /** One launch: its graph, op, kernel, sizes, and the rule it breaks ("" when none). */
    record Row(int graph, String op, String shape, String kernel, String global, String local, long items, long loop, long work,
               boolean gemmReduction, String violation) {}

    static List<Row> rows(ModelConfig model, int batch, TornadoConfig cfg) {
        Plan plan = StepPlans.training(model, batch, true, TornadoDevice.memory(), false).plan();
        FloatArray[] arrays = new FloatArray[plan.buffers().size()];
        for (int i = 0; i < arrays.length; i++) arrays[i] = new FloatArray(1);
        GraphLayout layout = GraphLayout.of(plan, arrays, cfg, n -> new FloatArray(1));
        List<Row> out = new ArrayList<>();
        for (int c = 0; c < layout.chunks().size(); c++) {
            for (KernelTask t : layout.chunks().get(c)) {
                int dims = t.grid().dimension();
                out.add(new Row(c, t.op(), t.shape(), t.kernel(), LocalSizes.sizes(t.grid().getGlobalWork(), dims),
                        LocalSizes.sizes(t.grid().getLocalWork(), dims), t.items(), t.loop(), t.work(), t.gemmReduction(), violation(t)));
            }
        }
        return out;
    }

    /** Task graphs (blocking execute() calls) one execution of a plan takes, with one-float stand-ins for its buffers. */
    static int graphs(Plan plan, TornadoConfig cfg) {
        FloatArray[] arrays = new FloatArray[plan.buffers().size()];
        for (int i = 0; i < arrays.length; i++) arrays[i] = new FloatArray(1);
        return GraphLayout.of(plan, arrays, cfg, n -> new FloatArray(1)).chunks().size();
    }

    static String violation(KernelTask t) {
        List<String> v = new ArrayList<>();
        if (t.loop() > MAX_LOOP && !t.gemmReduction()) v.add("loop " + t.loop() + " > " + MAX_LOOP);
        if (t.work() > BIG_WORK && t.items() < MIN_ITEMS) v.add(t.work() + " elements on " + t.items() + " < " + MIN_ITEMS + " work-items");
        return String.join("; ", v);
    }

    /**
     * Writes the audit of a model's training step at a batch with a device type's settings (cpu, gpu, fpga) to csv;
     * returns a summary: launches, graphs, execute() calls per step, violations.
     */
    public static String write(String modelName, int batch, String type, Path csv) throws IOException {
        String t = type.toLowerCase(Locale.ROOT);
        if (!List.of("cpu", "gpu", "fpga").contains(t)) throw new IllegalArgumentException("--audit " + type + ": give cpu, gpu or fpga");
        TornadoConfig cfg = TornadoConfig.forType(t);
        List<Row> rows = rows(Models.get(modelName).withData(32, 3, 10), batch, cfg);
        StringBuilder sb = new StringBuilder("graph,op,shape,kernel,global,local,work_items,loop,work,gemm_reduction,violation\n");
        int graphs = 0, loops = 0, thin = 0, bad = 0;
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%d,%s,\"%s\",%s,%s,%s,%d,%d,%d,%b,\"%s\"%n", r.graph(), r.op(), r.shape(), r.kernel(), r.global(),
                    r.local(), r.items(), r.loop(), r.work(), r.gemmReduction(), r.violation()));
            graphs = Math.max(graphs, r.graph() + 1);
            if (r.violation().contains("loop")) loops++;
            if (r.violation().contains("work-items")) thin++;
            if (!r.violation().isEmpty()) bad++;
        }
        int evalGraphs = graphs(StepPlans.evaluation(Models.get(modelName).withData(32, 3, 10), batch, TornadoDevice.memory(), false).plan(), cfg);
        Files.createDirectories(csv.toAbsolutePath().getParent());
        Files.writeString(csv, sb);
        return String.format(Locale.ROOT, "%s batch %d, %s (%s): %d launches in %d task graphs: %d blocking execute() calls a training "
                        + "step, no other host round trip (the first graph sends the batch, the last brings the canary back; the "
                        + "weights go up in an upload graph only after the host wrote them); an evaluation batch of %d: %d execute() "
                        + "call(s), weights taken from the training plan on the device; %d launches break a rule: %d loop "
                        + "over %d, %d with more than %d elements on fewer than %d work-items",
                modelName, batch, t, cfg.source(), rows.size(), graphs, graphs, batch, evalGraphs, bad, loops, MAX_LOOP, thin, BIG_WORK, MIN_ITEMS);
    }
}
