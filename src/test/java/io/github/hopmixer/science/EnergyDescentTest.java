package io.github.hopmixer.science;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * (b) With symmetric couplings E is a Lyapunov function: over 120 random networks (both forms, affine LayerNorm,
 * ε from 1e-5 to 0.1) and initial states it never rises at any accepted integrator step beyond the step's error
 * bound; and the integrated trajectory's dE/dt (central differences in time) is the analytic −ẋᵀ·∂²L_v·ẋ.
 */
class EnergyDescentTest {
    static final DormandPrince SOLVER = new DormandPrince(1e-9, 1e-11);

    @Test
    void energyNeverRisesWithSymmetricCouplings() {
        Random r = new Random(2024);
        int steps = 0;
        double worst = Double.NEGATIVE_INFINITY;
        for (int draw = 0; draw < 120; draw++) {
            Form form = draw % 2 == 0 ? Form.PER_AXIS : Form.SHARED;
            HopfieldMixer net = RandomNetworks.draw(r, form, false);
            double[] x0 = RandomNetworks.state(r, net.visible().n(), 0.3, 0.2 + 2 * r.nextDouble());
            Trajectory tr = Trajectory.solve(net, x0, 6, 0.5, SOLVER);
            assertFalse(tr.rises(), "draw " + draw + " (" + form + "): E rose by " + tr.maxRise() + ", beyond the error bound by " + tr.maxExcessRise());
            assertTrue(tr.energy()[tr.energy().length - 1] <= tr.energy()[0], "draw " + draw);
            steps += tr.steps();
            worst = Math.max(worst, tr.maxRise());
        }
        System.out.printf("symmetric: 120 trajectories, %d accepted steps, largest single-step change of E %.3g%n", steps, worst);
    }

    @Test
    void integratedDissipationIsAnalytic() {
        Random r = new Random(7);
        double h = 1e-3;
        for (int draw = 0; draw < 10; draw++) {
            HopfieldMixer net = RandomNetworks.draw(r, draw % 2 == 0 ? Form.PER_AXIS : Form.SHARED, false);
            double[] x0 = RandomNetworks.state(r, net.visible().n(), 0.3, 1.0);
            Trajectory tr = Trajectory.solve(net, x0, 0.5, h, SOLVER);
            for (int k = 1; k + 1 < tr.t().length; k += 25) {
                double fd = (tr.energy()[k + 1] - tr.energy()[k - 1]) / (2 * h);
                double analytic = net.dissipation(tr.x()[k]);
                assertTrue(analytic <= 0);
                assertEquals(analytic, fd, 1e-4 * (1 + Math.abs(analytic)), "draw " + draw + " t = " + tr.t()[k]);
            }
        }
    }
}
