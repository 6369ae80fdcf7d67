package io.github.hopmixer.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** The vector exp gives the scalar exp's bits lane for lane (GELU mixes them by thread split), and is close to exp. */
class VectorExpTest {
    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;

    @Test
    void vectorAndScalarGiveTheSameBitsEverywhere() {
        Random r = new Random(7);
        float[] x = new float[SP.length() * 4096];
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -87.3f, 88.37f,
                -87.30001f, 88.37001f, 88.7f, -1000f, 1000f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE, 0.34657359f};
        for (int i = 0; i < x.length; i++) {
            // Every range: tiny, ordinary, near the clamps, beyond them.
            x[i] = i < special.length ? special[i] : (float) (r.nextGaussian() * Math.pow(10, r.nextInt(4) - 1));
        }
        for (int i = 0; i < x.length; i += SP.length()) {
            float[] y = VectorExp.exp(FloatVector.fromArray(SP, x, i)).toArray();
            for (int l = 0; l < y.length; l++) {
                float s = VectorExp.exp(x[i + l]);
                assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(y[l]), "exp(" + x[i + l] + "): vector " + y[l] + ", scalar " + s);
            }
        }
    }

    @Test
    void isWithin3e7OfExpOverItsRange() {
        double worst = 0;
        for (float x = -87.3f; x <= 88.37f; x += 0.0137f) {
            double e = Math.exp(x);
            worst = Math.max(worst, Math.abs(VectorExp.exp(x) - e) / e);
        }
        assertTrue(worst <= 3e-7, "worst relative error " + worst);
        assertEquals(Math.exp(-87.3f), VectorExp.exp(-200f), 3e-7 * Math.exp(-87.3f), "clamped below");
        assertEquals(Math.exp(88.37f), VectorExp.exp(200f), 3e-7 * Math.exp(88.37f), "clamped above, finite");
    }
}
