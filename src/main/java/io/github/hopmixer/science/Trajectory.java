package io.github.hopmixer.science;

import java.util.ArrayList;
import java.util.List;

/**
 * A solution of the visible dynamics with E along it: the output-grid points, and over every accepted integrator
 * step the largest rise of E beyond what the step's local error can explain, ‖∇E‖·‖error‖ + 1e-12·(1 + |E|).
 * {@code maxExcessRise > 0} means E rose along the trajectory; {@code climb} is the largest total rise, max over t of
 * E(t) − min_{t' ≤ t} E(t').
 */
public record Trajectory(double[] t, double[][] x, double[] energy, double maxRise, double maxExcessRise, double climb,
                         int steps) {

    public boolean rises() { return maxExcessRise > 0; }

    public static Trajectory solve(HopfieldMixer net, double[] x0, double tMax, double every, DormandPrince solver) {
        List<double[]> xs = new ArrayList<>();
        List<Double> ts = new ArrayList<>(), es = new ArrayList<>();
        double[] prev = {Double.NaN, 0};     // E and ‖∇E‖ at the previous accepted step
        double[] rise = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, Double.POSITIVE_INFINITY};
        int[] steps = {0};
        solver.integrate(net::velocity, x0, tMax, every, st -> {
            double e = net.energy(st.x()), grad = Dense.norm(net.energyGradient(st.x()));
            if (!Double.isNaN(prev[0])) {
                double de = e - prev[0];
                double tol = Math.max(grad, prev[1]) * st.error() + 1e-12 * (1 + Math.abs(e));
                rise[0] = Math.max(rise[0], de);
                rise[1] = Math.max(rise[1], de - tol);
                steps[0]++;
            }
            rise[3] = Math.min(rise[3], e);
            rise[2] = Math.max(rise[2], e - rise[3]);
            prev[0] = e;
            prev[1] = grad;
            if (st.onGrid()) {
                ts.add(st.t());
                xs.add(st.x());
                es.add(e);
            }
        });
        return new Trajectory(ts.stream().mapToDouble(Double::doubleValue).toArray(), xs.toArray(double[][]::new),
                es.stream().mapToDouble(Double::doubleValue).toArray(), rise[0], rise[1], rise[2], steps[0]);
    }
}
