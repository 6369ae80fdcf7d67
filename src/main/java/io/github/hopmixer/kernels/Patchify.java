package io.github.hopmixer.kernels;

/**
 * Cuts images (B, Cin, H, W) into non-overlapping P×P patches, rows (B, S, Cin·P·P) ordered like the flattened
 * Conv2d weight (Cin, P, P) and tokens in the conv output's row-major (H/P, W/P) order, so that the patch
 * embedding is one matrix product with {@code stem.proj.weight} as stored by PyTorch. Work items are images.
 */
public final class Patchify {
    private Patchify() {}

    public static void forwardRef(double[] patches, double[] image, int batch, int cin, int h, int w, int p, int lo, int hi) {
        int gw = w / p, s = (h / p) * gw, row = cin * p * p;
        for (int b = lo; b < hi; b++)
            for (int t = 0; t < s; t++) {
                int py = t / gw, px = t % gw, o = (b * s + t) * row;
                for (int ch = 0; ch < cin; ch++)
                    for (int dy = 0; dy < p; dy++)
                        for (int dx = 0; dx < p; dx++)
                            patches[o + (ch * p + dy) * p + dx] = image[((b * cin + ch) * h + py * p + dy) * w + px * p + dx];
            }
    }

    public static void forwardJvm(float[] patches, float[] image, int batch, int cin, int h, int w, int p, int lo, int hi) {
        int gw = w / p, s = (h / p) * gw, row = cin * p * p;
        for (int b = lo; b < hi; b++)
            for (int t = 0; t < s; t++) {
                int py = t / gw, px = t % gw, o = (b * s + t) * row;
                for (int ch = 0; ch < cin; ch++)
                    for (int dy = 0; dy < p; dy++)
                        System.arraycopy(image, ((b * cin + ch) * h + py * p + dy) * w + px * p, patches, o + (ch * p + dy) * p, p);
            }
    }
}
