package io.github.hopmixer.data;

import java.util.SplittableRandom;

/**
 * Derives independent random streams from (seed, epoch, batch, row, …) so that every random choice
 * of the data pipeline depends only on where it happens, never on thread timing or on earlier batches.
 */
final class Seeds {

    private Seeds() {
    }

    static long mix(long... parts) {
        long h = 0x6A09E667F3BCC909L;
        for (long part : parts) h = splitMix(h ^ splitMix(part + 0x9E3779B97F4A7C15L));
        return h;
    }

    static SplittableRandom random(long... parts) {
        return new SplittableRandom(mix(parts));
    }

    /** The SplitMix64 finaliser: a bijective, well-avalanching 64-bit mix. */
    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
