package io.github.hopmixer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp(x) in float from adds, multiplies and fmas only, the same in vector and scalar form. The Vector API's own
 * EXP is an intrinsic once C2 compiles the loop and a per-lane Math.exp before, and the two differ in the last
 * bit: training would then depend on JIT timing, and a resumed run would not repeat an uninterrupted one.
 * Cody–Waite reduction x = k·ln2 + r, |r| ≤ ln2/2, and a degree-6 Taylor polynomial: relative error ≈ 2e-7.
 * The vector form clamps by compare and blend, not max/min (Java's max/min order −0.0 and NaN, which costs C2 a
 * longer sequence), and takes k from the rounding sum's low bits instead of a conversion: the same bits as the
 * scalar form, in half the time (0.13–0.15 against 0.27–0.33 ns per float on this machine).
 */
public final class VectorExp {
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding it rounds to the nearest integer in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    /** k stays within the normal exponents, −126 … 127 (at 88.7, as before, k was 128 and exp infinite from 88.38). */
    private static final float LO = -87.3f, HI = 88.37f;
    /** ROUND + k holds k in its low mantissa bits: its bits less ROUND's are k (−126 … 127 after the clamp). */
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);

    private VectorExp() {}

    public static FloatVector exp(FloatVector x) {
        x = x.blend(LO, x.lt(LO)).blend(HI, x.compare(VectorOperators.GT, HI));
        FloatVector t = x.fma(LOG2E, ROUND);
        FloatVector k = t.sub(ROUND);
        FloatVector r = k.fma(FloatVector.broadcast(x.species(), -LN2_HI), x);
        r = k.fma(FloatVector.broadcast(x.species(), -LN2_LO), r);
        FloatVector p = r.fma(1f / 720, 1f / 120).fma(r, FloatVector.broadcast(x.species(), 1f / 24))
                .fma(r, FloatVector.broadcast(x.species(), 1f / 6)).fma(r, FloatVector.broadcast(x.species(), 0.5f))
                .fma(r, FloatVector.broadcast(x.species(), 1f)).fma(r, FloatVector.broadcast(x.species(), 1f));
        IntVector bits = t.reinterpretAsInts().add(127 - ROUND_BITS).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    public static float exp(float x) {
        x = Math.min(Math.max(x, LO), HI);
        float k = Math.fma(x, LOG2E, ROUND) - ROUND;
        float r = Math.fma(k, -LN2_HI, x);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, 1f / 720, 1f / 120), r, 1f / 24), r, 1f / 6), r, 0.5f), r, 1f), r, 1f);
        return p * Float.intBitsToFloat(((int) k + 127) << 23);
    }
}
