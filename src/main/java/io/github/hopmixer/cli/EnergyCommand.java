package io.github.hopmixer.cli;

import io.github.hopmixer.io.FileErrors;
import io.github.hopmixer.science.EnergyCsv;
import io.github.hopmixer.science.EnergyExperiment;
import io.github.hopmixer.science.EnergyExperiment.Run;
import io.github.hopmixer.science.EnergyPlots;
import io.github.hopmixer.science.Form;
import io.github.hopmixer.science.LandscapeImage;
import io.github.hopmixer.science.NotebookEnergy;
import io.github.hopmixer.science.NotebookSetup;
import io.github.hopmixer.science.RiseFrequency;
import io.github.hopmixer.science.Trajectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "energy", mixinStandardHelpOptions = true,
        description = "Integrate the three-layer Hopfield network behind the parallel Mixer block in the official notebook's "
                + "cases (S, C, N_s, N_c) = (2, 1, 3, 2) and (4, 8, 20, 160), symmetric and broken couplings, per-axis and "
                + "shared forms, and record its energy: energy.csv, E(t) plots, the (2, 1) energy landscape with the "
                + "trajectories, and how often E rises over random draws (rise-frequency.csv).")
final class EnergyCommand implements Callable<Integer> {

    @Option(names = "--output", defaultValue = "results/reproduction/energy", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the couplings and initial states (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--t-max", defaultValue = "10", description = "Integrate to this time (default: ${DEFAULT-VALUE}, the notebook's).")
    double tMax;

    @Option(names = "--dt", defaultValue = "0.05",
            description = "Sampling interval of E(t) in the CSV and plots; the integrator (Dormand–Prince 5(4), rtol 1e-9) adapts its own steps below it (default: ${DEFAULT-VALUE}).")
    double dt;

    @Option(names = "--states", defaultValue = "10", description = "Initial states per run (default: ${DEFAULT-VALUE}, the notebook's batch).")
    int states;

    @Option(names = "--draws", defaultValue = "100", description = "Random weight draws per setup for the rise frequency; 0 skips it (default: ${DEFAULT-VALUE}).")
    int draws;

    @Override
    public Integer call() {
        if (!(tMax > 0) || !Double.isFinite(tMax)) throw new IllegalArgumentException("--t-max must be a positive number, got " + tMax);
        if (!(dt > 0) || dt > tMax) throw new IllegalArgumentException("--dt must be in (0, --t-max], got " + dt);
        if (tMax / dt > 100_000) throw new IllegalArgumentException("--dt " + dt + " gives over 100000 samples per trajectory; use a larger --dt");
        if (states < 1 || states > 1000) throw new IllegalArgumentException("--states must be in 1…1000, got " + states);
        if (draws < 0) throw new IllegalArgumentException("--draws must be ≥ 0, got " + draws);
        FileErrors.createDirectories(output, "cannot create --output " + output);
        List<Run> runs = EnergyExperiment.run(seed, tMax, dt, states);
        EnergyCsv.writeEnergy(output.resolve("energy.csv"), runs);
        for (int i = 0; i < runs.size(); i += 2) {
            Run sym = runs.get(i), broken = runs.get(i + 1);
            EnergyPlots.energyOverTime(output.resolve("energy-" + sym.caseLabel() + ".png"), sym, broken);
            if (sym.network().visible().n() == 2) LandscapeImage.write(output.resolve("landscape-" + sym.caseLabel() + ".png"), sym, broken);
            for (Run r : List.of(sym, broken)) {
                long rising = r.trajectories().stream().filter(t -> t.rises()).count();
                double e0 = r.trajectories().stream().mapToDouble(t -> t.energy()[0]).average().orElse(0);
                double e1 = r.trajectories().stream().mapToDouble(t -> t.energy()[t.energy().length - 1]).average().orElse(0);
                String nb = "";
                if (r.form() == Form.SHARED) {
                    double[] climbs = r.trajectories().stream().mapToDouble(t -> notebookClimb(r, t)).toArray();
                    double nb0 = r.trajectories().stream().mapToDouble(t -> NotebookEnergy.of(r.network(), t.x()[0])).average().orElse(0);
                    double nb1 = r.trajectories().stream().mapToDouble(t -> NotebookEnergy.of(r.network(), t.x()[t.x().length - 1])).average().orElse(0);
                    nb = String.format(java.util.Locale.ROOT, "; the notebook's literal E: mean %.4f -> %.4f, rose in %d (largest climb %.3g)", nb0, nb1,
                            java.util.Arrays.stream(climbs).filter(c -> c > 0).count(), java.util.Arrays.stream(climbs).max().orElse(0));
                }
                System.out.printf("%-26s %-9s mean E %9.4f -> %9.4f; E rose in %d of %d states%s%n", r.caseLabel(), r.setup().coupling(),
                        e0, e1, rising, r.trajectories().size(), nb);
            }
        }
        if (draws > 0) {
            List<RiseFrequency.Result> rises = new ArrayList<>();
            for (Form form : Form.values()) {
                for (NotebookSetup s : NotebookSetup.all()) {
                    RiseFrequency.Result r = RiseFrequency.measure(s, form, draws, seed, tMax);
                    System.out.println(r);
                    rises.add(r);
                }
            }
            EnergyCsv.writeRises(output.resolve("rise-frequency.csv"), rises);
        }
        System.out.println("wrote " + output.resolve("energy.csv") + " and the plots in " + output);
        return 0;
    }

    /** The notebook's Easym: its largest rise over the samples, max E(t) − min_{t' ≤ t} E(t'), beyond 1e-9·(1 + |E|). */
    private static double notebookClimb(Run r, Trajectory t) {
        double min = Double.POSITIVE_INFINITY, climb = 0;
        for (double[] x : t.x()) {
            double e = NotebookEnergy.of(r.network(), x);
            min = Math.min(min, e);
            if (e - min > 1e-9 * (1 + Math.abs(min))) climb = Math.max(climb, e - min);
        }
        return climb;
    }
}
