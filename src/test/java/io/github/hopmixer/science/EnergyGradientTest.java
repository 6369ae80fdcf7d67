package io.github.hopmixer.science;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** (a) ∇E against central finite differences, for both forms, symmetric and broken couplings, random weights. */
class EnergyGradientTest {

    @ParameterizedTest
    @CsvSource({"PER_AXIS,false", "PER_AXIS,true", "SHARED,false", "SHARED,true"})
    void gradientMatchesFiniteDifferences(Form form, boolean broken) {
        Random r = new Random(11 + form.ordinal() * 2L + (broken ? 1 : 0));
        for (int trial = 0; trial < 25; trial++) {
            HopfieldMixer net = RandomNetworks.draw(r, form, broken);
            double[] x = RandomNetworks.state(r, net.visible().n(), 0.2, 1.5);
            double[] grad = net.energyGradient(x);
            double h = 1e-5, scale = 0;
            double[] fd = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                double[] xp = x.clone(), xm = x.clone();
                xp[k] += h;
                xm[k] -= h;
                fd[k] = (net.energy(xp) - net.energy(xm)) / (2 * h);
                scale = Math.max(scale, Math.abs(fd[k]));
            }
            for (int k = 0; k < x.length; k++) {
                assertEquals(fd[k], grad[k], 1e-6 * (1 + scale), form + " broken=" + broken + " trial " + trial + " ∂E/∂x" + k);
            }
            if (!broken) {
                // Symmetric: ∇E = −∂²L_v·ẋ exactly.
                double[] v = net.velocity(x), hv = net.visible().hessianTimes(x, v);
                for (int k = 0; k < x.length; k++) assertEquals(-hv[k], grad[k], 1e-10 * (1 + scale));
            }
        }
    }
}
