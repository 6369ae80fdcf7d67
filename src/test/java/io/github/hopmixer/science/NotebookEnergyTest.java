package io.github.hopmixer.science;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Where the notebook's expressions differ from the exact ones: its Easym is our shared-form E (pseudo-energy
 * included) plus n·√(σ₀² + ε) − √n·σ₀, and that extra term makes it rise along a symmetric trajectory whose scale
 * grows, while the exact E falls.
 */
class NotebookEnergyTest {

    @Test
    void notebookEnergyIsOursPlusAScaleTerm() {
        Random r = new Random(5);
        for (NotebookSetup setup : NotebookSetup.all()) {
            HopfieldMixer net = setup.network(Form.SHARED, r);
            for (double[] x : setup.initialStates(r, 5)) {
                double m = LayerNormLagrangian.mean(x), ss = 0;
                for (double v : x) ss += (v - m) * (v - m);
                int n = x.length;
                double extra = n * Math.sqrt(ss / n + net.visible().eps()) - Math.sqrt(ss);
                assertEquals(net.energy(x) + extra, NotebookEnergy.of(net, x), 1e-10 * (1 + Math.abs(extra)), setup.toString());
            }
        }
    }

    @Test
    void notebookEnergyRisesWhereTheExactEnergyFalls() {
        NotebookSetup setup = NotebookSetup.all().get(2);           // (4, 8, 20, 160), symmetric
        HopfieldMixer net = setup.network(Form.SHARED, new Random(1));
        double[] x0 = new double[32];
        Random r = new Random(2);
        for (int k = 0; k < x0.length; k++) x0[k] = 0.01 * r.nextGaussian();   // a small state: its scale grows
        Trajectory tr = Trajectory.solve(net, x0, 10, 0.1, RiseFrequency.SOLVER);
        assertFalse(tr.rises());
        double nb0 = NotebookEnergy.of(net, tr.x()[0]), nb1 = NotebookEnergy.of(net, tr.x()[tr.x().length - 1]);
        System.out.printf("symmetric, small x0: exact E %.4f -> %.4f, notebook E %.4f -> %.4f%n",
                tr.energy()[0], tr.energy()[tr.energy().length - 1], nb0, nb1);
        assertTrue(nb1 > nb0 + 1, "the notebook's E should rise here");
    }
}
