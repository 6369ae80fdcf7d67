package io.github.hopmixer.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Token mean before the head and patch extraction of the stem (see {@code TokenMean} and {@code Patchify}). */
public final class TokenKernels {
    private TokenKernels() {}

    /** TOKEN_MEAN: y[b, c] = mean_s x[b, s, c]; one work-item per output. */
    public static void mean(KernelContext kc, FloatArray y, FloatArray x, int batch, int s, int c) {
        int w = kc.globalIdx;
        if (w < batch * c) {
            int b = w / c;
            int j = w - b * c;
            float sum = 0f;
            for (int t = 0; t < s; t++) {
                sum += x.get((b * s + t) * c + j);
            }
            y.set(w, sum / s);
        }
    }

    /** TOKEN_MEAN_BACKWARD: dx[b, s, c] (+)= dy[b, c]/S; one work-item per element of dx. */
    public static void meanBackward(KernelContext kc, FloatArray dx, FloatArray dy, int batch, int s, int c, int acc) {
        int i = kc.globalIdx;
        if (i < batch * s * c) {
            int b = i / (s * c);
            int j = i % c;
            float v = dy.get(b * c + j) / s;
            if (acc != 0) {
                v = dx.get(i) + v;
            }
            dx.set(i, v);
        }
    }

    /** PATCHIFY: (B, Cin, H, W) to rows (B, S, Cin·P·P) in Conv2d weight order; one work-item per patch element. */
    public static void patchify(KernelContext kc, FloatArray patches, FloatArray image, int batch, int cin, int h, int w, int p) {
        int i = kc.globalIdx;
        int gw = w / p;
        int s = (h / p) * gw;
        int row = cin * p * p;
        if (i < batch * s * row) {
            int e = i % row;
            int bt = i / row;
            int t = bt % s;
            int b = bt / s;
            int ch = e / (p * p);
            int dy = (e / p) % p;
            int dx = e % p;
            int py = t / gw;
            int px = t % gw;
            patches.set(i, image.get(((b * cin + ch) * h + py * p + dy) * w + px * p + dx));
        }
    }
}
