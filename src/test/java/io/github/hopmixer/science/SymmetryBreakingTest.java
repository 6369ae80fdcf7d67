package io.github.hopmixer.science;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * (c) With the breaking couplings W2 the (pseudo-)energy can rise: a fixed case where it rises far beyond the
 * integrator's error bound, and how often it happens over random draws of the notebook's broken setups.
 */
class SymmetryBreakingTest {

    @Test
    void energyRisesInAFixedBrokenCase() {
        NotebookSetup setup = NotebookSetup.all().get(1);           // (2, 1, 3, 2), broken radii
        Random r = new Random(RiseFrequency.FIXED_RISE_SEED);
        HopfieldMixer net = setup.network(Form.SHARED, r);
        Trajectory tr = Trajectory.solve(net, setup.initialStates(r, 1)[0], 10, 0.1, RiseFrequency.SOLVER);
        System.out.printf("fixed broken case: E climbs by %.4g in all, %.4g in one step (%.4g beyond the error bound)%n",
                tr.climb(), tr.maxRise(), tr.maxExcessRise());
        assertTrue(tr.maxExcessRise() > 1e-3 && tr.climb() > 0.1, "E should rise: climb " + tr.climb());
        // The same weights with W2 removed: E descends.
        assertFalse(Trajectory.solve(net.symmetricPart(), tr.x()[0], 10, 0.1, RiseFrequency.SOLVER).rises());
    }

    @Test
    void riseFrequencyOverRandomDraws() {
        for (NotebookSetup setup : NotebookSetup.all().subList(0, 2)) {
            for (Form form : Form.values()) {
                RiseFrequency.Result res = RiseFrequency.measure(setup, form, 40, 99, 10);
                System.out.println(res);
                if (setup.broken()) assertTrue(res.rising() > 0, res.toString());
                else assertEquals(0, res.rising(), res.toString());
            }
        }
    }
}
