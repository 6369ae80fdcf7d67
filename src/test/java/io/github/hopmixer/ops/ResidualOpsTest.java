package io.github.hopmixer.ops;

import io.github.hopmixer.device.ReferenceDevice;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.plan.Buffer;
import io.github.hopmixer.plan.Invocation;
import io.github.hopmixer.plan.Memory;
import io.github.hopmixer.plan.Plan;
import io.github.hopmixer.plan.Tape;
import io.github.hopmixer.testing.Tiny;
import io.github.hopmixer.train.StepPlans;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A residual's backward: the skip path takes its output's gradient buffer, or adds into its own when it has terms. */
class ResidualOpsTest {

    /**
     * x = p + m·q, y = x + m·q, z = y + m·x, with every mask 1: z = 2p + 3q, so dp = 2·dz and dq = 3·dz. y takes z's
     * gradient buffer (its skip path, nothing else wrote y's); x already has z's masked term when y's rule runs, so
     * it adds y's gradient into its own; p, a parameter, keeps its own gradient buffer.
     */
    @Test
    void theSkipPathSharesItsOutputsGradientOrAddsWhenItHasTerms() {
        int batch = 2, row = 3, n = batch * row;
        Tape g = new Tape("t", true);
        Buffer p = g.param("p", batch, row), q = g.param("q", batch, row), mask = g.input("mask", batch);
        Buffer x = ResidualOps.residual(g, "x", p, q, mask, batch);
        Buffer y = ResidualOps.residual(g, "y", x, q, mask, batch);
        Buffer z = ResidualOps.residual(g, "z", y, x, mask, batch);
        // The step's seed: z's gradient, written from an input as a loss op would write it.
        Buffer seed = g.input("seed", batch, row), dz = g.grad(z);
        g.call(new ResidualOps.Add(n, false), dz, seed);
        g.seeded(dz);
        g.backward();
        assertSame(dz, g.grad(y), "y's skip path took z's gradient buffer");
        assertTrue(g.grad(x) != dz && g.grad(p) != g.grad(x), "x had a term already; p is a parameter");
        Plan plan = g.build("t", Memory.PLAIN);
        long adds = plan.invocations().stream().filter(i -> i.op() instanceof ResidualOps.Add).count();
        long accAdds = plan.invocations().stream().filter(i -> i.op() instanceof ResidualOps.Add a && a.acc()).count();
        assertEquals(3, adds, "the seed, y's gradient into x's (acc) and x's into p's: " + names(plan));
        assertEquals(1, accAdds, names(plan));

        ReferenceDevice d = new ReferenceDevice();
        d.prepare(plan);
        float[] ones = new float[batch], up = new float[n];
        java.util.Arrays.fill(ones, 1f);
        for (int i = 0; i < n; i++) up[i] = 0.5f + i;
        d.write(mask, ones);
        d.write(p, new float[n]);
        d.write(q, new float[n]);
        d.write(seed, up);
        d.execute(plan);
        float[] dp = new float[n], dq = new float[n];
        d.read(g.grad(p), dp);
        d.read(g.grad(q), dq);
        for (int i = 0; i < n; i++) {
            assertEquals(2 * up[i], dp[i], 1e-6, "dp[" + i + "]");
            assertEquals(3 * up[i], dq[i], 1e-6, "dq[" + i + "]");
        }
    }

    /** In a mixer every skip input's first gradient term is its residual's: a training step copies none (asymmixer's ADDs are its weight sum's). */
    @ParameterizedTest
    @EnumSource(value = Family.class, names = "ASYMMIXER", mode = EnumSource.Mode.EXCLUDE)
    void aTrainingStepCopiesNoGradient(Family family) {
        Plan plan = StepPlans.training(Tiny.model(family, 2, 0), 3).plan();
        assertEquals(0, plan.invocations().stream().filter(i -> i.op() instanceof ResidualOps.Add).count(), names(plan));
    }

    private static String names(Plan plan) {
        StringBuilder sb = new StringBuilder();
        for (Invocation inv : plan.invocations()) sb.append(inv).append('\n');
        return sb.toString();
    }
}
