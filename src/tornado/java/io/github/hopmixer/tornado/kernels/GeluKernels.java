package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Exact GELU x·Φ(x) with erf by Abramowitz–Stegun 7.1.26, the form of {@code Gelu.erfFloat} (within 5e-7 of erf):
 * one work-item per element.
 */
public final class GeluKernels {
    private GeluKernels() {}

    static final float SQRT_HALF = 0.70710678118654752f;
    static final float INV_SQRT_2PI = 0.39894228040143268f;

    /** 1 + erf(v/√2), given e = exp(−v²/2) (which the backward pass also needs for φ(v)). */
    static float erfPlusOne(float v, float e) {
        float ax = TornadoMath.abs(v) * SQRT_HALF;
        float t = 1f / (1f + 0.3275911f * ax);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float tail = poly * e;
        float r = 2f - tail;
        if (v < 0f) {
            r = tail;
        }
        return r;
    }

    /** GELU: y = ½x(1 + erf(x/√2)). */
    public static void forward(KernelContext kc, FloatArray y, FloatArray x, int n) {
        int i = kc.globalIdx;
        if (i < n) {
            float v = x.get(i);
            float e = TornadoMath.exp(-0.5f * v * v);
            y.set(i, 0.5f * v * erfPlusOne(v, e));
        }
    }

    /** GELU_BACKWARD: dx (+)= dy·(Φ(x) + x·φ(x)). */
    public static void backward(KernelContext kc, FloatArray dx, FloatArray dy, FloatArray x, int n, int acc) {
        int i = kc.globalIdx;
        if (i < n) {
            float v = x.get(i);
            float e = TornadoMath.exp(-0.5f * v * v);
            float d = 0.5f * erfPlusOne(v, e) + v * e * INV_SQRT_2PI;
            float g = dy.get(i) * d;
            if (acc != 0) {
                g = dx.get(i) + g;
            }
            dx.set(i, g);
        }
    }
}
