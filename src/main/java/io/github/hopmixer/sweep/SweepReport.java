package io.github.hopmixer.sweep;

import io.github.hopmixer.model.Family;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep's results: per configuration (data set, model, λ) the finished seeds' final metrics, mean ± std, and
 * the mean learning curve; the cells not done, with their state.
 */
public record SweepReport(Sweep sweep, List<Config> configs, List<Missing> missing) {

    /** Mean and sample standard deviation (n − 1; NaN for fewer than two values) of a list. */
    public record Stats(double mean, double std, int n) {
        public static Stats of(List<Double> xs) {
            List<Double> v = xs.stream().filter(x -> !Double.isNaN(x)).toList();
            if (v.isEmpty()) return new Stats(Double.NaN, Double.NaN, 0);
            double m = v.stream().mapToDouble(Double::doubleValue).sum() / v.size();
            if (v.size() < 2) return new Stats(m, Double.NaN, 1);
            double ss = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
            return new Stats(m, Math.sqrt(ss / (v.size() - 1)), v.size());
        }
    }

    /** A finished seed: its summary.csv rows. */
    public record SeedResult(Cell cell, List<SummaryCsv.Row> rows) {
        SummaryCsv.Row last() { return rows.getLast(); }
        /** Mean training throughput over the epochs after the first, whose time includes the JIT's warm-up (NaN when not recorded). */
        double imagesPerSec() {
            return rows.stream().skip(rows.size() > 1 ? 1 : 0).mapToDouble(SummaryCsv.Row::imagesPerSec).average().orElse(Double.NaN);
        }
    }

    /** One configuration: every seed's cell, and the finished ones' results. */
    public record Config(String dataset, String model, Family family, Double lambda, int seedsInGrid, List<SeedResult> done) {
        public String key() {
            return model + (lambda != null ? "-l" + Cell.lambdaName(lambda) : "");
        }
        public Stats top1() { return Stats.of(done.stream().map(s -> s.last().top1()).toList()); }
        public Stats top5() { return Stats.of(done.stream().map(s -> s.last().top5()).toList()); }
        public Stats loss() { return Stats.of(done.stream().map(s -> s.last().evalLoss()).toList()); }
        public Stats imagesPerSec() { return Stats.of(done.stream().map(SeedResult::imagesPerSec).toList()); }

        /** Eval top-1 per epoch, mean over the finished seeds. */
        public double[] curve(int epochs) {
            double[] c = new double[epochs];
            for (int e = 0; e < epochs; e++) {
                final int i = e;
                c[e] = done.stream().mapToDouble(s -> s.rows().get(i).top1()).average().orElse(Double.NaN);
            }
            return c;
        }
    }

    /** A cell without all its epochs. */
    public record Missing(Cell cell, Sweep.Status status) {}

    public static SweepReport of(Sweep sweep) {
        Map<String, List<Cell>> byConfig = new LinkedHashMap<>();
        // Configurations in grid order (data set, model, λ), whatever the seed order of the cells.
        List<Cell> ordered = new ArrayList<>(sweep.cells());
        ordered.sort(java.util.Comparator.comparingInt((Cell c) -> sweep.grid().datasets().indexOf(c.data())).thenComparingInt(c -> c.index() % perSeed(sweep)));
        for (Cell c : ordered) byConfig.computeIfAbsent(c.data().label() + "/" + c.configDir(), k -> new ArrayList<>()).add(c);
        List<Config> configs = new ArrayList<>();
        List<Missing> missing = new ArrayList<>();
        for (List<Cell> cells : byConfig.values()) {
            List<SeedResult> done = new ArrayList<>();
            for (Cell c : cells) {
                Sweep.Status st = sweep.status(c);
                if (st.state() == Sweep.State.DONE) {
                    done.add(new SeedResult(c, SummaryCsv.read(sweep.cellDir(c).resolve("summary.csv")).subList(0, sweep.epochs())));
                } else {
                    missing.add(new Missing(c, st));
                }
            }
            Cell c0 = cells.getFirst();
            configs.add(new Config(c0.data().label(), c0.config(), c0.family(), c0.lambda(), cells.size(), done));
        }
        missing.sort(java.util.Comparator.comparingInt(m -> m.cell().index()));
        return new SweepReport(sweep, configs, missing);
    }

    /** Cells per seed: the index modulo this is a configuration's place in the grid. */
    private static int perSeed(Sweep s) {
        return s.cells().size() / s.grid().seeds().size();
    }

    public int cellsDone() {
        return configs.stream().mapToInt(c -> c.done().size()).sum();
    }

    public List<Config> configs(String dataset) {
        return configs.stream().filter(c -> c.dataset().equals(dataset)).toList();
    }
}
