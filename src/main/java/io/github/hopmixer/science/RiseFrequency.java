package io.github.hopmixer.science;

import java.util.Random;

/**
 * How often E rises along a trajectory: fresh couplings and one initial state per draw, from one of the
 * notebook's setups, integrated to t-max. A trajectory "rises" when some accepted step raises E beyond the
 * step's error bound (see {@link Trajectory}).
 */
public final class RiseFrequency {
    /** The tolerances of every energy run: tight enough that the error bound sits orders below real rises. */
    public static final DormandPrince SOLVER = new DormandPrince(1e-9, 1e-11);
    /** A seed whose (2, 1) broken draw (shared form) rises visibly, kept as a test. */
    public static final long FIXED_RISE_SEED = 5;

    private RiseFrequency() {}

    /** {@code rising}: E rose beyond the error bound somewhere; {@code climbing}: by more than 1e-3 in total. */
    public record Result(String caseName, String coupling, Form form, int draws, int rising, int climbing) {
        public double share() { return (double) rising / draws; }

        @Override
        public String toString() {
            return String.format("%s %s %s: E rose in %d of %d trajectories (%.0f %%), by more than 1e-3 in %d",
                    caseName, form.label, coupling, rising, draws, 100 * share(), climbing);
        }
    }

    public static Result measure(NotebookSetup setup, Form form, int draws, long seed, double tMax) {
        int rising = 0, climbing = 0;
        for (int d = 0; d < draws; d++) {
            Random r = new Random(seed * 1_000_003L + d);
            HopfieldMixer net = setup.network(form, r);
            Trajectory tr = Trajectory.solve(net, setup.initialStates(r, 1)[0], tMax, tMax, SOLVER);
            if (tr.rises()) rising++;
            if (tr.climb() > 1e-3) climbing++;
        }
        return new Result(setup.caseName(), setup.coupling(), form, draws, rising, climbing);
    }
}
