package io.github.hopmixer.data;

/**
 * Bilinear resizing of CHW uint8 images, computed like Pillow's {@code resize(BILINEAR)}: a separable
 * triangle filter whose support widens when shrinking, so downscaling averages instead of aliasing
 * and upscaling (32 → 224 px) is plain bilinear interpolation with half-pixel centres.
 */
final class Resize {

    private Resize() {
    }

    /** Resizes image {@code src[srcOffset..]} into floats 0..255 at {@code dst[dstOffset..]}. */
    static void toFloat(byte[] src, int srcOffset, int channels, int h, int w, float[] dst, int dstOffset, int oh, int ow) {
        if (oh == h && ow == w) {
            for (int i = 0, n = channels * h * w; i < n; i++) dst[dstOffset + i] = src[srcOffset + i] & 0xff;
            return;
        }
        Weights horizontal = Weights.of(w, ow);
        Weights vertical = Weights.of(h, oh);
        float[] rows = new float[h * ow];
        for (int c = 0; c < channels; c++) {
            int plane = srcOffset + c * h * w;
            for (int y = 0; y < h; y++) {
                int line = plane + y * w;
                for (int x = 0; x < ow; x++) {
                    float sum = 0;
                    int start = horizontal.start[x], k = x * horizontal.stride;
                    for (int t = 0; t < horizontal.length[x]; t++) sum += horizontal.weight[k + t] * (src[line + start + t] & 0xff);
                    rows[y * ow + x] = sum;
                }
            }
            int out = dstOffset + c * oh * ow;
            for (int y = 0; y < oh; y++) {
                int start = vertical.start[y], k = y * vertical.stride;
                for (int x = 0; x < ow; x++) {
                    float sum = 0;
                    for (int t = 0; t < vertical.length[y]; t++) sum += vertical.weight[k + t] * rows[(start + t) * ow + x];
                    dst[out + y * ow + x] = sum;
                }
            }
        }
    }

    /** Resizes a whole CHW uint8 image, rounding back to uint8. */
    static byte[] toBytes(byte[] src, int srcOffset, int channels, int h, int w, int oh, int ow) {
        float[] resized = new float[channels * oh * ow];
        toFloat(src, srcOffset, channels, h, w, resized, 0, oh, ow);
        byte[] out = new byte[resized.length];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Math.clamp(Math.round(resized[i]), 0, 255);
        return out;
    }

    /** Normalised filter taps for every output position along one axis. */
    private record Weights(int[] start, int[] length, float[] weight, int stride) {

        static Weights of(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the triangle filter has radius 1, stretched when shrinking
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[out];
            int[] length = new int[out];
            float[] weight = new float[out * stride];
            for (int o = 0; o < out; o++) {
                double center = (o + 0.5) * scale;
                int min = Math.max(0, (int) (center - support + 0.5));
                int max = Math.min(in, (int) (center + support + 0.5));
                double total = 0;
                double[] taps = new double[max - min];
                for (int i = 0; i < taps.length; i++) {
                    taps[i] = Math.max(0, 1 - Math.abs((min + i - center + 0.5) / filterScale));
                    total += taps[i];
                }
                start[o] = min;
                length[o] = taps.length;
                for (int i = 0; i < taps.length; i++) weight[o * stride + i] = (float) (total == 0 ? 0 : taps[i] / total);
            }
            return new Weights(start, length, weight, stride);
        }
    }
}
