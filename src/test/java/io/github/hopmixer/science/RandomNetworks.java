package io.github.hopmixer.science;

import java.util.Random;

/** Random small networks of either form, with an affine LayerNorm, for the energy tests. */
final class RandomNetworks {
    private RandomNetworks() {}

    static HopfieldMixer draw(Random r, Form form, boolean broken) {
        int s = 2 + r.nextInt(3), c = 1 + r.nextInt(4), ht = 1 + r.nextInt(5), hc = 1 + r.nextInt(6);
        double[] beta = new double[s * c];
        for (int k = 0; k < beta.length; k++) beta[k] = 0.3 * r.nextGaussian();
        double[] epsChoices = {1e-5, 1e-3, 0.1};
        LayerNormLagrangian ln = new LayerNormLagrangian(s * c, 0.5 + 1.5 * r.nextDouble(), beta, epsChoices[r.nextInt(3)]);
        return new HopfieldMixer(form, ln,
                new AxisCoupling(true, form, s, c, ht, NotebookSetup.sphere(r, ht * s, 0.3 + 2.7 * r.nextDouble()),
                        broken ? NotebookSetup.sphere(r, s * ht, 0.3 + 3.7 * r.nextDouble()) : null),
                new AxisCoupling(false, form, s, c, hc, NotebookSetup.sphere(r, hc * c, 0.3 + 2.7 * r.nextDouble()),
                        broken ? NotebookSetup.sphere(r, c * hc, 0.3 + 3.7 * r.nextDouble()) : null));
    }

    static double[] state(Random r, int n, double mean, double std) {
        double[] x = new double[n];
        for (int k = 0; k < n; k++) x[k] = mean + std * r.nextGaussian();
        return x;
    }
}
