package io.github.hopmixer.science;

import java.util.List;
import java.util.Random;

/**
 * One simulation of the official notebook {@code demo/demo_asymmixer.ipynb}: visible (S, C), hidden sizes
 * (N_s, N_c), the Frobenius radii of the couplings (each matrix drawn uniformly on the sphere of that radius, as its
 * {@code _sample_spherical}) and the normal law of the initial states. The notebook's LayerNorm is
 * F.layer_norm without affine, ε = 1e-5.
 */
public record NotebookSetup(String caseName, boolean broken, int s, int c, int ns, int nc,
                            double rs1, double rc1, double rs2, double rc2, double x0Mean, double x0Std) {

    public static final double NOTEBOOK_EPS = 1e-5;

    /** The notebook's four runs: (2, 1, 3, 2) and (4, 8, 20, 160), symmetric (W2 radii 0) and broken. */
    public static List<NotebookSetup> all() {
        return List.of(
                new NotebookSetup("S2-C1-Ns3-Nc2", false, 2, 1, 3, 2, 0.2, 0.5, 0, 0, 0.5, 0.5),
                new NotebookSetup("S2-C1-Ns3-Nc2", true, 2, 1, 3, 2, 1.0, 2.5, 1.5, 4.0, 0.5, 0.5),
                // x0 ~ N(min radius, max radius), as the notebook's larger runs.
                new NotebookSetup("S4-C8-Ns20-Nc160", false, 4, 8, 20, 160, 1.0, 2.5, 0, 0, 0.0, 2.5),
                new NotebookSetup("S4-C8-Ns20-Nc160", true, 4, 8, 20, 160, 1.0, 2.5, 1.5, 4.0, 1.0, 4.0));
    }

    public String coupling() { return broken ? "broken" : "symmetric"; }

    /**
     * The network of this setup in the given form. Directions are drawn from {@code rng} in a fixed order (W1 tokens,
     * W1 channels, W2 tokens, W2 channels) whatever the radii, so a symmetric and a broken setup drawn from equal seeds
     * share W1's direction.
     */
    public HopfieldMixer network(Form form, Random rng) {
        double[] t1 = sphere(rng, ns * s, rs1), c1 = sphere(rng, nc * c, rc1);
        double[] t2 = sphere(rng, s * ns, rs2), c2 = sphere(rng, c * nc, rc2);
        return new HopfieldMixer(form, LayerNormLagrangian.plain(s * c, NOTEBOOK_EPS),
                new AxisCoupling(true, form, s, c, ns, t1, broken ? t2 : null),
                new AxisCoupling(false, form, s, c, nc, c1, broken ? c2 : null));
    }

    /** Initial states x0 ~ N(mean, std²) entrywise. */
    public double[][] initialStates(Random rng, int count) {
        double[][] x = new double[count][s * c];
        for (double[] row : x) for (int k = 0; k < row.length; k++) row[k] = x0Mean + x0Std * rng.nextGaussian();
        return x;
    }

    /** A point uniform on the sphere of radius r in R^n. */
    static double[] sphere(Random rng, int n, double r) {
        double[] v = new double[n];
        double norm = 0;
        for (int i = 0; i < n; i++) norm += (v[i] = rng.nextGaussian()) * v[i];
        norm = Math.sqrt(norm);
        for (int i = 0; i < n; i++) v[i] *= r / norm;
        return v;
    }
}
