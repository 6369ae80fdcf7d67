package io.github.hopmixer.data;

/**
 * Pillow's image operations as timm's RandAugment calls them, on uint8 CHW images: ImageOps
 * (autocontrast, equalize, invert, posterize, solarize), ImageEnhance (color, contrast, brightness,
 * sharpness: a blend with a degenerate image) and affine transforms sampled like Image.transform.
 * Each returns a new image and leaves its argument alone.
 */
final class PixelOps {

    private PixelOps() {
    }

    static Chw invert(Chw img) {
        return lookup(img, i -> 255 - i);
    }

    /** Keeps the top {@code bits} bits of every value. */
    static Chw posterize(Chw img, int bits) {
        if (bits >= 8) return img.withData(img.data().clone());
        int mask = ~((1 << (8 - Math.max(bits, 0))) - 1) & 0xff;
        return lookup(img, i -> i & mask);
    }

    /** Inverts every value at or above {@code threshold}. */
    static Chw solarize(Chw img, int threshold) {
        return lookup(img, i -> i < threshold ? i : 255 - i);
    }

    /** Adds {@code add} (saturating) to every value below {@code threshold}. */
    static Chw solarizeAdd(Chw img, int add, int threshold) {
        return lookup(img, i -> i < threshold ? Math.clamp(i + add, 0, 255) : i);
    }

    /** Stretches each channel so its darkest value becomes 0 and its brightest 255. */
    static Chw autoContrast(Chw img) {
        byte[] out = img.data().clone();
        for (int c = 0; c < img.channels(); c++) {
            int[] histogram = histogram(img, c);
            int lo = 0, hi = 255;
            while (lo < 255 && histogram[lo] == 0) lo++;
            while (hi > 0 && histogram[hi] == 0) hi--;
            if (hi <= lo) continue;
            double scale = 255.0 / (hi - lo), offset = -lo * scale;
            int[] lut = new int[256];
            for (int i = 0; i < 256; i++) lut[i] = Math.clamp((int) (i * scale + offset), 0, 255);
            applyLut(out, c * img.plane(), img.plane(), lut);
        }
        return img.withData(out);
    }

    /** Histogram equalisation per channel, with Pillow's step rule. */
    static Chw equalize(Chw img) {
        byte[] out = img.data().clone();
        for (int c = 0; c < img.channels(); c++) {
            int[] histogram = histogram(img, c);
            int total = 0, last = 0, used = 0;
            for (int v : histogram) {
                if (v == 0) continue;
                total += v;
                last = v;
                used++;
            }
            if (used <= 1) continue;
            int step = (total - last) / 255;
            if (step == 0) continue;
            int[] lut = new int[256];
            int n = step / 2;
            for (int i = 0; i < 256; i++) {
                lut[i] = Math.min(255, n / step);
                n += histogram[i];
            }
            applyLut(out, c * img.plane(), img.plane(), lut);
        }
        return img.withData(out);
    }

    /** Saturation: blend with the image's luma (identity for one channel). */
    static Chw color(Chw img, double factor) {
        if (img.channels() != 3) return img.withData(img.data().clone());
        byte[] grey = new byte[img.data().length];
        byte[] luma = luma(img);
        for (int c = 0; c < 3; c++) System.arraycopy(luma, 0, grey, c * img.plane(), img.plane());
        return blend(grey, img, factor);
    }

    /** Contrast: blend with a flat image at the mean luma. */
    static Chw contrast(Chw img, double factor) {
        byte[] luma = img.channels() == 3 ? luma(img) : img.data();
        long sum = 0;
        for (int i = 0; i < img.plane(); i++) sum += luma[i] & 0xff;
        int mean = (int) ((double) sum / img.plane() + 0.5);
        byte[] flat = new byte[img.data().length];
        java.util.Arrays.fill(flat, (byte) mean);
        return blend(flat, img, factor);
    }

    /** Brightness: blend with black. */
    static Chw brightness(Chw img, double factor) {
        return blend(new byte[img.data().length], img, factor);
    }

    /** Sharpness: blend with Pillow's SMOOTH filter (3×3, centre 5, total 13), whose border pixels are unfiltered. */
    static Chw sharpness(Chw img, double factor) {
        int h = img.height(), w = img.width();
        byte[] smooth = img.data().clone();
        for (int c = 0; c < img.channels(); c++) {
            for (int y = 1; y < h - 1; y++) {
                for (int x = 1; x < w - 1; x++) {
                    int sum = 4 * img.get(c, y, x);
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) sum += img.get(c, y + dy, x + dx);
                    }
                    smooth[(c * h + y) * w + x] = (byte) Math.clamp(Math.round(sum / 13f), 0, 255);
                }
            }
        }
        return blend(smooth, img, factor);
    }

    /** Rotates counter-clockwise by {@code degrees} about the centre, as Pillow's rotate (no expand). */
    static Chw rotate(Chw img, double degrees, int[] fill) {
        double angle = -Math.toRadians(degrees);
        double cos = round15(Math.cos(angle)), sin = round15(Math.sin(angle));
        double cx = img.width() / 2.0, cy = img.height() / 2.0;
        // Input = M · (output − centre) + centre, with M = [[cos, sin], [−sin, cos]].
        return affine(img, cos, sin, cx - cos * cx - sin * cy, -sin, cos, cy + sin * cx - cos * cy, fill);
    }

    static Chw shearX(Chw img, double factor, int[] fill) {
        return affine(img, 1, factor, 0, 0, 1, 0, fill);
    }

    static Chw shearY(Chw img, double factor, int[] fill) {
        return affine(img, 1, 0, 0, factor, 1, 0, fill);
    }

    static Chw translateX(Chw img, double pixels, int[] fill) {
        return affine(img, 1, 0, pixels, 0, 1, 0, fill);
    }

    static Chw translateY(Chw img, double pixels, int[] fill) {
        return affine(img, 1, 0, 0, 0, 1, pixels, fill);
    }

    /**
     * Pillow's {@code transform(AFFINE, (a, b, c, d, e, f), BILINEAR, fillcolor)}: output pixel centre
     * (x + ½, y + ½) reads input (a·x' + b·y' + c, d·x' + e·y' + f); points outside the input take
     * {@code fill}, points inside interpolate bilinearly with edge clamping.
     */
    static Chw affine(Chw img, double a, double b, double c, double d, double e, double f, int[] fill) {
        int channels = img.channels(), h = img.height(), w = img.width();
        byte[] src = img.data(), out = new byte[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double xo = x + 0.5, yo = y + 0.5;
                double xin = a * xo + b * yo + c, yin = d * xo + e * yo + f;
                int at = y * w + x;
                if (xin < 0 || xin >= w || yin < 0 || yin >= h) {
                    for (int ch = 0; ch < channels; ch++) out[ch * h * w + at] = (byte) fill[ch % fill.length];
                    continue;
                }
                double fx = xin - 0.5, fy = yin - 0.5;
                int x0 = (int) Math.floor(fx), y0 = (int) Math.floor(fy);
                double dx = fx - x0, dy = fy - y0;
                int xa = Math.clamp(x0, 0, w - 1), xb = Math.clamp(x0 + 1, 0, w - 1);
                int ya = Math.clamp(y0, 0, h - 1), yb = Math.clamp(y0 + 1, 0, h - 1);
                for (int ch = 0; ch < channels; ch++) {
                    double top = img.get(ch, ya, xa) + dx * (img.get(ch, ya, xb) - img.get(ch, ya, xa));
                    double bottom = img.get(ch, yb, xa) + dx * (img.get(ch, yb, xb) - img.get(ch, yb, xa));
                    double v = top + dy * (bottom - top);
                    out[ch * h * w + at] = (byte) Math.clamp((int) (v + 0.5), 0, 255);
                }
            }
        }
        return img.withData(out);
    }

    /** Pillow's Image.blend(degenerate, image, factor): degenerate + factor·(image − degenerate), clipped and truncated. */
    static Chw blend(byte[] degenerate, Chw img, double factor) {
        byte[] src = img.data(), out = new byte[src.length];
        float alpha = (float) factor;
        for (int i = 0; i < src.length; i++) {
            int from = degenerate[i] & 0xff;
            float v = from + alpha * ((src[i] & 0xff) - from);
            out[i] = (byte) (v <= 0 ? 0 : v >= 255 ? 255 : (int) v);
        }
        return img.withData(out);
    }

    /** ITU-R 601-2 luma of an RGB image, with Pillow's fixed-point weights. */
    static byte[] luma(Chw img) {
        int plane = img.plane();
        byte[] src = img.data(), out = new byte[plane];
        for (int i = 0; i < plane; i++) {
            int r = src[i] & 0xff, g = src[plane + i] & 0xff, b = src[2 * plane + i] & 0xff;
            out[i] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
        }
        return out;
    }

    private static int[] histogram(Chw img, int channel) {
        int[] histogram = new int[256];
        byte[] data = img.data();
        for (int i = channel * img.plane(), end = i + img.plane(); i < end; i++) histogram[data[i] & 0xff]++;
        return histogram;
    }

    private static Chw lookup(Chw img, java.util.function.IntUnaryOperator op) {
        int[] lut = new int[256];
        for (int i = 0; i < 256; i++) lut[i] = op.applyAsInt(i);
        byte[] out = img.data().clone();
        applyLut(out, 0, out.length, lut);
        return img.withData(out);
    }

    private static void applyLut(byte[] data, int from, int length, int[] lut) {
        for (int i = from; i < from + length; i++) data[i] = (byte) lut[data[i] & 0xff];
    }

    /** Pillow rounds the rotation matrix to 15 decimals, which makes 90° multiples exact. */
    private static double round15(double v) {
        return Math.round(v * 1e15) / 1e15;
    }
}
