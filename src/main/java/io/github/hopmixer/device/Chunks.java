package io.github.hopmixer.device;

/**
 * How the JVM device cuts an invocation's work items into the chunks its threads claim. With a grain, chunks shrink
 * as the work runs out (each about a {@code 2·threads}-th of what is left, never under the grain, a multiple of it),
 * so the threads end within about one small chunk of each other, and a thread the machine slows down takes fewer;
 * without one (grain 0: ops whose every chunk repeats costly setup, such as a weight gradient packing each image),
 * one range per thread as before.
 */
final class Chunks {
    private Chunks() {}

    /** Chunk boundaries: chunk c is work items [bounds[c], bounds[c + 1]). */
    static int[] bounds(int items, int threads, int grain) {
        if (items <= 0) return new int[] {0, 0};
        if (threads <= 1) return new int[] {0, items};
        if (grain <= 0) {
            int count = Math.min(threads, items);
            int[] b = new int[count + 1];
            for (int p = 0; p <= count; p++) b[p] = (int) ((long) items * p / count);
            return b;
        }
        java.util.List<Integer> b = new java.util.ArrayList<>();
        b.add(0);
        int at = 0;
        while (at < items) {
            int left = items - at;
            int size = Math.max(grain, (left + 2 * threads - 1) / (2 * threads));
            size = (size + grain - 1) / grain * grain;
            at += Math.min(size, left);
            b.add(at);
        }
        return b.stream().mapToInt(Integer::intValue).toArray();
    }
}
