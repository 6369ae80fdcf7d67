package io.github.hopmixer.science;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The visible Lagrangian: its gradient is LayerNorm and its analytic Hessian is LayerNorm's Jacobian, both against central differences. */
class LayerNormLagrangianTest {

    @Test
    void activationIsTheGradientAndHessianIsItsJacobian() {
        Random r = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            int n = 2 + r.nextInt(12);
            double[] beta = RandomNetworks.state(r, n, 0, 0.5);
            LayerNormLagrangian ln = new LayerNormLagrangian(n, 0.5 + r.nextDouble(), beta, trial % 2 == 0 ? 1e-5 : 0.2);
            double[] x = RandomNetworks.state(r, n, 0.3, 1 + r.nextDouble());
            double[] g = ln.activation(x), hess = ln.hessian(x);
            double h = 1e-5;
            for (int k = 0; k < n; k++) {
                double[] xp = x.clone(), xm = x.clone();
                xp[k] += h;
                xm[k] -= h;
                double fd = (ln.lagrangian(xp) - ln.lagrangian(xm)) / (2 * h);
                assertEquals(fd, g[k], 1e-8 * (1 + Math.abs(fd)), "∂L/∂x" + k);
                double[] gp = ln.activation(xp), gm = ln.activation(xm);
                for (int j = 0; j < n; j++) {
                    double fdJ = (gp[j] - gm[j]) / (2 * h);
                    assertEquals(fdJ, hess[j * n + k], 1e-7 * (1 + Math.abs(fdJ)), "∂g" + j + "/∂x" + k);
                }
            }
            // Symmetric and positive semi-definite: vᵀHv ≥ 0 for random v.
            for (int j = 0; j < n; j++) for (int k = 0; k < n; k++) assertEquals(hess[j * n + k], hess[k * n + j], 1e-12);
            double[] v = RandomNetworks.state(r, n, 0, 1);
            assertTrue(Dense.dot(v, ln.hessianTimes(x, v)) >= -1e-12);
        }
    }

    @Test
    void ownEnergyIsMinusNGammaEpsOverS() {
        double[] x = {0.3, -1.2, 2.0, 0.1};
        LayerNormLagrangian ln = new LayerNormLagrangian(4, 1.7, new double[] {0.1, 0.2, -0.3, 0.4}, 1e-2);
        assertEquals(-4 * 1.7 * 1e-2 / ln.scale(x), ln.energy(x), 1e-14);
        assertEquals(0, ln.withEps(0).energy(x), 1e-14);
    }
}
