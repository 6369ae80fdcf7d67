package io.github.hopmixer.data;

import java.util.SplittableRandom;

/** The per-image training transforms: padded random crop, flip, normalisation and random erasing. */
final class Augment {

    private Augment() {
    }

    /** torchvision's RandomCrop(size, padding): zero-pad each side, then cut a random window of the original size. */
    static Chw cropWithPadding(Chw img, int padding, SplittableRandom random) {
        if (padding == 0) return img;
        int[] at = cropOffsets(padding, random);
        return shift(img, at[0], at[1]);
    }

    /** The random crop's {top, left} offsets in −padding..padding, drawn top first. */
    static int[] cropOffsets(int padding, SplittableRandom random) {
        int top = random.nextInt(2 * padding + 1) - padding, left = random.nextInt(2 * padding + 1) - padding;
        return new int[] {top, left};
    }

    /** The window whose top-left corner sits at (top, left) of the original; outside pixels are 0. */
    static Chw shift(Chw img, int top, int left) {
        int h = img.height(), w = img.width();
        byte[] src = img.data(), out = new byte[src.length];
        for (int c = 0; c < img.channels(); c++) {
            for (int y = 0; y < h; y++) {
                int sy = y + top;
                if (sy < 0 || sy >= h) continue;
                int from = Math.max(0, -left), to = Math.min(w, w - left);
                if (from < to) System.arraycopy(src, (c * h + sy) * w + from + left, out, (c * h + y) * w + from, to - from);
            }
        }
        return img.withData(out);
    }

    static Chw flipHorizontal(Chw img) {
        int w = img.width();
        byte[] src = img.data(), out = new byte[src.length];
        for (int row = 0; row < img.channels() * img.height(); row++) {
            for (int x = 0; x < w; x++) out[row * w + x] = src[row * w + w - 1 - x];
        }
        return img.withData(out);
    }

    /** Resizes to oh × ow and writes {@code (x/255 − mean)/std} per channel at {@code dst[offset..]}. */
    static void normalize(Chw img, AugmentConfig config, int oh, int ow, float[] dst, int offset) {
        Resize.toFloat(img.data(), 0, img.channels(), img.height(), img.width(), dst, offset, oh, ow);
        int plane = oh * ow;
        for (int c = 0; c < img.channels(); c++) {
            float mean = (float) config.meanOf(c, img.channels());
            float scale = (float) (1 / (255 * config.stdOf(c, img.channels())));
            float shift = (float) (mean / config.stdOf(c, img.channels()));
            for (int i = offset + c * plane, end = i + plane; i < end; i++) dst[i] = dst[i] * scale - shift;
        }
    }

    /**
     * timm's RandomErasing(mode='pixel', max_count=1): with probability {@code prob}, up to 10 tries to
     * place a rectangle of 2–33 % of the area and aspect ratio 0.3–3.3, filled with standard normal
     * noise in normalised space. Returns {top, left, height, width} of the rectangle, or null.
     */
    static int[] erase(float[] img, int offset, int channels, int h, int w, double prob, SplittableRandom random) {
        if (prob <= 0 || random.nextDouble() > prob) return null;
        double area = h * w, logMin = Math.log(0.3), logMax = Math.log(1 / 0.3);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = (0.02 + random.nextDouble() * (1 / 3.0 - 0.02)) * area;
            double aspect = Math.exp(logMin + random.nextDouble() * (logMax - logMin));
            int eh = (int) Math.round(Math.sqrt(target * aspect)), ew = (int) Math.round(Math.sqrt(target / aspect));
            if (ew < w && eh < h) {
                int top = random.nextInt(h - eh + 1), left = random.nextInt(w - ew + 1);
                for (int c = 0; c < channels; c++) {
                    for (int y = top; y < top + eh; y++) {
                        int row = offset + (c * h + y) * w;
                        for (int x = left; x < left + ew; x++) img[row + x] = (float) random.nextGaussian();
                    }
                }
                return new int[] {top, left, eh, ew};
            }
        }
        return null;
    }
}
