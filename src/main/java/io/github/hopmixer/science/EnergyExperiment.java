package io.github.hopmixer.science;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The notebook's runs in both forms: for every setup (case × coupling) and form, one network and {@code states}
 * initial states integrated to t-max, E sampled every dt. The couplings and states depend on (seed, case) only, so
 * both forms see the same weights and states, and a case's symmetric and broken runs share W1's direction.
 */
public final class EnergyExperiment {

    /** One setup in one form, and its trajectories. */
    public record Run(NotebookSetup setup, Form form, HopfieldMixer network, List<Trajectory> trajectories) {
        public String caseLabel() { return setup.caseName() + "-" + form.label; }
    }

    private EnergyExperiment() {}

    public static List<Run> run(long seed, double tMax, double dt, int states) {
        List<Run> runs = new ArrayList<>();
        for (Form form : Form.values()) {
            for (NotebookSetup setup : NotebookSetup.all()) {
                Random rng = new Random(seed * 1_000_003L + setup.caseName().hashCode());
                HopfieldMixer net = setup.network(form, rng);
                List<Trajectory> trs = new ArrayList<>();
                for (double[] x0 : setup.initialStates(rng, states)) trs.add(Trajectory.solve(net, x0, tMax, dt, RiseFrequency.SOLVER));
                runs.add(new Run(setup, form, net, trs));
            }
        }
        return runs;
    }
}
