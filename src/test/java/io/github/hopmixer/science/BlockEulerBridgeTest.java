package io.github.hopmixer.science;

import io.github.hopmixer.device.ReferenceDevice;
import io.github.hopmixer.kernels.LayerNorm;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.train.DropPath;
import io.github.hopmixer.train.StepPlans;
import io.github.hopmixer.train.StepPlans.Step;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * (d) The bridge to the trained models. If x = c·e then x + F(LN x) = (c+1)·[e + dt·(F(LN e) − e)] with
 * dt = 1/(c+1), because LayerNorm ignores scale; so the parallel block run k times from x0 (n_iter = k) is (k+1)
 * times the Euler solution of the per-axis network from x0 with steps ½, ⅓, …, 1/(k+1). Checked on the reference
 * device (double) with the model's own plan and weights, for k = 1…4, symmixer and asymmixer.
 * <p>ε: LN_ε(c·e) = LN_{ε/c²}(e), so the identity is exact when Euler step j uses ε/(j+1)² (checked to round-off),
 * and with ε fixed it holds up to a bound built from
 * ‖LN_ε(e) − LN_ε'(e)‖ ≤ γ·√n·|ε − ε'|/(2σ_e²), ‖J_LN(x)‖ ≤ γ/√(σ_x² + ε) and Lip(F) ≤ 1.13·Σ (‖W1‖_F + ‖W2‖_F)·‖W1‖_F:
 * δ_{j+1} ≤ δ_j·(1 + Lip·γ/s_{x_j}) + Lip·γ·√n·ε·(1 − 1/(j+1)²)/(2σ_{e_j}²).
 */
class BlockEulerBridgeTest {
    static final double MAX_GELU_PRIME = 1.13;   // max GELU' = 1.1289…

    @ParameterizedTest
    @CsvSource({"SYMMIXER,1", "SYMMIXER,2", "SYMMIXER,3", "SYMMIXER,4", "ASYMMIXER,1", "ASYMMIXER,4"})
    void blockIterationsAreScaledEulerSteps(Family family, int k) {
        ModelConfig m = new ModelConfig(family.prefix + "_bridge_ni" + k, family, 8, 1, 4, 6, 1, 3, 12, 2, k, 0);
        int batch = 2, s = m.tokens(), c = m.dim(), n = s * c;
        // Intermediate activations are read after the step: the plan as written, no storage shared.
        Step st = StepPlans.evaluation(m, batch, io.github.hopmixer.plan.Memory.PLAIN);
        ReferenceDevice d = new ReferenceDevice();
        d.prepare(st.plan());
        Random r = new Random(40 + k);
        double gamma = 0.7 + 0.6 * r.nextDouble();   // one scalar γ: the Lagrangian's (see LayerNormLagrangian)
        for (Buffer p : st.params()) {
            double[] a = d.array(p);
            for (int i = 0; i < a.length; i++) a[i] = 0.4 * r.nextGaussian();
            if (p.name().equals("blocks.0.norm.weight")) Arrays.fill(a, gamma);
        }
        double[] img = d.array(st.images());
        for (int i = 0; i < img.length; i++) img[i] = r.nextGaussian();
        d.write(st.targets(), new float[st.targets().size()]);
        DropPath.off(d, st.dropPathMasks());
        d.execute(st.plan());

        double[] beta = d.array(st.plan().buffer("blocks.0.norm.bias")).clone();
        HopfieldMixer net = new HopfieldMixer(Form.PER_AXIS, new LayerNormLagrangian(n, gamma, beta, LayerNorm.EPS),
                coupling(d, st, true, family, s, c, m.tokenHidden()), coupling(d, st, false, family, s, c, m.channelHidden()));
        double lip = MAX_GELU_PRIME * (lipschitzPart(net.tokens()) + lipschitzPart(net.channels()));

        double[] stem = d.array(st.plan().buffer("eval/stem"));
        double[] out = d.array(st.plan().buffer(k == 1 ? "eval/blocks.0.out" : "eval/blocks.0.iter" + (k - 1) + ".out"));
        for (int b = 0; b < batch; b++) {
            double[] x0 = Arrays.copyOfRange(stem, b * n, (b + 1) * n), xk = Arrays.copyOfRange(out, b * n, (b + 1) * n);
            double[] exact = x0.clone(), fixed = x0.clone();
            double bound = 0;
            for (int j = 0; j < k; j++) {
                double dt = 1.0 / (j + 2), c1 = j + 1;
                double sx = Math.sqrt(sigma2(fixed) * c1 * c1 + LayerNorm.EPS), se2 = sigma2(fixed);
                bound = bound * (1 + lip * gamma / sx) + lip * gamma * Math.sqrt(n) * LayerNorm.EPS * (1 - 1 / (c1 * c1)) / (2 * se2);
                exact = euler(net.withVisible(net.visible().withEps(LayerNorm.EPS / (c1 * c1))), exact, dt);
                fixed = euler(net, fixed, dt);
            }
            double errExact = 0, errFixed = 0, scale = 0;
            for (int i = 0; i < n; i++) {
                errExact = Math.max(errExact, Math.abs(xk[i] - (k + 1) * exact[i]));
                errFixed += Math.pow(xk[i] - (k + 1) * fixed[i], 2);
                scale = Math.max(scale, Math.abs(xk[i]));
            }
            errFixed = Math.sqrt(errFixed);
            System.out.printf("%s k=%d image %d: |x_k − (k+1)·e_k| = %.2e (ε/(j+1)² per step), %.2e (ε fixed; bound %.2e)%n",
                    family.prefix, k, b, errExact, errFixed, (k + 1) * bound);
            assertEquals(0, errExact, 1e-12 * (1 + scale), "exact scale identity, image " + b);
            assertTrue(errFixed <= (k + 1) * bound + 1e-12 * (1 + scale), "fixed-ε deviation " + errFixed + " beyond bound " + (k + 1) * bound);
            // The block really moved x: the identity is not trivially satisfied.
            assertTrue(Dense.norm(Dense.add(xk, scaled(x0, -(k + 1)))) > 1e-3);
        }
    }

    private static AxisCoupling coupling(ReferenceDevice d, Step st, boolean tokens, Family family, int s, int c, int hidden) {
        String p = "blocks.0." + (tokens ? "mlp_tokens" : "mlp_channels");
        if (family == Family.SYMMIXER) {
            return new AxisCoupling(tokens, Form.PER_AXIS, s, c, hidden, d.array(st.plan().buffer(p + ".fc2.weight")).clone(), null);
        }
        return new AxisCoupling(tokens, Form.PER_AXIS, s, c, hidden, d.array(st.plan().buffer(p + ".fc1.weight")).clone(),
                d.array(st.plan().buffer(p + ".fc2.weight")).clone());
    }

    /** (‖W1‖_F + ‖W2‖_F)·‖W1‖_F ≥ ‖W1ᵀ + W2‖₂·‖W1‖₂. */
    private static double lipschitzPart(AxisCoupling ax) {
        double w1 = Dense.norm(ax.w1()), w2 = ax.w2() == null ? 0 : Dense.norm(ax.w2());
        return (w1 + w2) * w1;
    }

    private static double[] euler(HopfieldMixer net, double[] e, double dt) {
        double[] v = net.velocity(e), y = e.clone();
        for (int i = 0; i < y.length; i++) y[i] += dt * v[i];
        return y;
    }

    private static double sigma2(double[] x) {
        double m = LayerNormLagrangian.mean(x), v = 0;
        for (double e : x) v += (e - m) * (e - m);
        return v / x.length;
    }

    private static double[] scaled(double[] x, double a) {
        double[] y = x.clone();
        for (int i = 0; i < y.length; i++) y[i] *= a;
        return y;
    }
}
