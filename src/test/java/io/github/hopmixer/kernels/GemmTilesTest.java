package io.github.hopmixer.kernels;

import io.github.hopmixer.ops.GemmOps;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The determinism contract, bit for bit: every element of c is its prior (or 0) plus its products in p order, each by
 * one fused multiply-add in float, whether a is read in place or packed ({@link GemmTiles}, from 16 panels on), the
 * product is split by rows or by columns (merged whole column blocks), and however 1 to 3 threads cut it.
 */
class GemmTilesTest {

    static Stream<Arguments> shapes() {
        // m, n, k: packed a with 6-, 4- and 1-row tiles and a column tail (n = 1030), K blocks with a rest (k = 600);
        // split by columns (m < n) with whole blocks merged and a partial last one; a row block past MC = 256 rows;
        // in place (8 panels); K blocks whose panels the first tiles copy (with 16-float vectors), past MC and split
        // by rows (300 × 136) or column block by column block (40 × 200).
        return everyFlag(new int[][] {{35, 1030, 70}, {13, 1090, 600}, {300, 1024, 24}, {20, 512, 40}, {300, 136, 600},
                {40, 200, 600}});
    }

    /** Each shape (m, n, k) with transA, transB and acc each 0 and 1. */
    static Stream<Arguments> everyFlag(int[][] shapes) {
        List<Arguments> out = new ArrayList<>();
        for (int[] s : shapes)
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++)
                    for (int acc = 0; acc < 2; acc++) out.add(Arguments.of(s[0], s[1], s[2], ta, tb, acc));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}x{1}x{2} tA{3} tB{4} acc{5}")
    @MethodSource("shapes")
    void everyElementIsItsFusedMultiplyAddsInPOrder(int m, int n, int k, int ta, int tb, int acc) {
        Random r = new Random(m * 31L + n * 7L + k + ta * 2 + tb + acc * 5);
        float[] a = new float[m * k], b = new float[k * n], c0 = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        for (int i = 0; i < c0.length; i++) c0[i] = (float) r.nextGaussian();
        float[] want = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                float s = acc != 0 ? c0[i * n + j] : 0f;
                for (int p = 0; p < k; p++) {
                    float x = ta != 0 ? a[p * m + i] : a[i * k + p], y = tb != 0 ? b[j * k + p] : b[p * n + j];
                    s = Math.fma(x, y, s);
                }
                want[i * n + j] = s;
            }
        GemmOps.Gemm op = new GemmOps.Gemm(1, m, n, k, ta == 1, tb == 1, 0, 0, 0, acc == 1);
        int items = op.parallelism();
        for (int threads = 1; threads <= 3; threads++) {
            float[] c = c0.clone(), rows = c0.clone();
            for (int t = 0; t < threads; t++) {
                int lo = (int) ((long) items * t / threads), hi = (int) ((long) items * (t + 1) / threads);
                op.jvm(new float[][] {c, a, b}, lo, hi);
                Gemm.jvm(rows, a, b, 1, m, n, k, ta, tb, 0, 0, 0, acc, (int) ((long) m * t / threads), (int) ((long) m * (t + 1) / threads));
            }
            for (int i = 0; i < c.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(c[i]),
                        threads + " ranges: element " + i + " is " + c[i] + ", its fused multiply-adds give " + want[i]);
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(rows[i]),
                        threads + " row ranges: element " + i + " is " + rows[i] + ", its fused multiply-adds give " + want[i]);
            }
        }
    }

    private static float[] gaussian(Random r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    private static void assertSameBits(float[] want, float[] got, String what) {
        for (int i = 0; i < got.length; i++)
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                    what + ": element " + i + " is " + got[i] + ", its fused multiply-adds give " + want[i]);
    }

    static Stream<Arguments> sharedShapes() {
        // m, n, k with one a for every image (strideA 0, the token products' weight): 6-, 4- and 1-row tiles, a row
        // block past MC = 256, K blocks with a rest, and a column tail.
        return everyFlag(new int[][] {{35, 128, 70}, {263, 64, 600}, {13, 100, 24}});
    }

    /** c[i] = c0[i] or 0, plus image bb's products in p order by fused multiply-adds, a shared. */
    private static float[] chains(float[] a, float[] b, float[] c0, int batch, int m, int n, int k, int ta, int tb, int acc) {
        float[] want = new float[batch * m * n];
        for (int bb = 0; bb < batch; bb++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    int o = bb * m * n + i * n + j, ob = bb * k * n;
                    float s = acc != 0 ? c0[o] : 0f;
                    for (int p = 0; p < k; p++) {
                        float x = ta != 0 ? a[p * m + i] : a[i * k + p], y = tb != 0 ? b[ob + j * k + p] : b[ob + p * n + j];
                        s = Math.fma(x, y, s);
                    }
                    want[o] = s;
                }
        return want;
    }

    @ParameterizedTest(name = "{0}x{1}x{2} tA{3} tB{4} acc{5}")
    @MethodSource("sharedShapes")
    void aSharedByEveryImageIsPackedOnceAndGivesTheSameBits(int m, int n, int k, int ta, int tb, int acc) {
        int batch = 3;
        Random r = new Random(m * 17L + n * 5L + k + ta * 2 + tb + acc * 3);
        float[] a = gaussian(r, m * k), b = gaussian(r, batch * k * n), c0 = gaussian(r, batch * m * n);
        float[] want = chains(a, b, c0, batch, m, n, k, ta, tb, acc);
        int items = batch * m;
        for (int threads = 1; threads <= 3; threads++) {
            // Ranges that start and end inside an image, as a thread's range does.
            float[] c = c0.clone(), blocks = c0.clone();
            for (int t = 0; t < threads; t++) {
                int lo = (int) ((long) items * t / threads), hi = (int) ((long) items * (t + 1) / threads);
                Gemm.jvm(c, a, b, batch, m, n, k, ta, tb, 0, k * n, m * n, acc, lo, hi);
                Gemm.blocks(blocks, a, b, batch, m, n, k, ta, tb, 0, k * n, acc, lo, hi, false, (y, shift, w0, w1) -> {});
            }
            assertSameBits(want, c, threads + " ranges");
            assertSameBits(want, blocks, threads + " ranges in blocks");
        }
    }

    @org.junit.jupiter.api.Test
    void aSharedAndPackedIsPackedAgainByTheNextCall() {
        // The same arrays, a changed between two calls (an optimizer step between two steps): the second call must
        // not reuse the first one's packed a.
        int batch = 2, m = 20, n = 64, k = 30;
        Random r = new Random(5);
        float[] a = gaussian(r, m * k), b = gaussian(r, batch * k * n), c = new float[batch * m * n];
        Gemm.jvm(c, a, b, batch, m, n, k, 0, 0, 0, k * n, m * n, 0, 0, batch * m);
        for (int i = 0; i < a.length; i++) a[i] = -2 * a[i];
        Gemm.jvm(c, a, b, batch, m, n, k, 0, 0, 0, k * n, m * n, 0, 0, batch * m);
        assertSameBits(chains(a, b, c, batch, m, n, k, 0, 0, 0), c, "after a changed");
    }

    @org.junit.jupiter.api.Test
    void aSharedAIsKeptOncePerRowRangeNotOncePerImage() {
        // 37 rows per image in blocks of 32 (n = 64): every image is cut at rows 0 and 32, so a call keeps two blocks of
        // a, whatever the number of images; a range that starts inside an image adds that image's own cut.
        int batch = 9, m = 37, n = 64, k = 20;
        Random r = new Random(3);
        float[] a = gaussian(r, m * k), b = gaussian(r, batch * k * n), c = new float[batch * m * n];
        Gemm.Epilogue none = (y, shift, w0, w1) -> {};
        Gemm.blocks(c, a, b, batch, m, n, k, 0, 0, 0, k * n, 0, 0, batch * m, false, none);
        assertEquals(2, GemmTiles.keptBlocks(), "blocks of a kept for 9 images cut alike");
        Gemm.blocks(c, a, b, batch, m, n, k, 0, 0, 0, k * n, 0, 10, batch * m, false, none);
        assertEquals(3, GemmTiles.keptBlocks(), "the first image's rows 10..37 add one");
        Gemm.jvm(c, a, b, batch, m, n, k, 0, 0, 0, k * n, m * n, 0, 0, batch * m);
        assertEquals(1, GemmTiles.keptBlocks(), "whole images: one block of 37 rows");
    }

    @ParameterizedTest(name = "tA{0} tB{1} acc{2}")
    @MethodSource("flags")
    void aKBlockOfBIsCopiedByTheFirstTileOfEachPanel(int ta, int tb, int acc) {
        // 300 × (2 panels + 8) × 600 on this thread: 5 K blocks (4 × 128 + 88) of 2 whole panels and a column tail.
        // Each block's panels are copied by the first 6-row tile of the first row block, read from them by every other
        // tile (the second row block past MC = 256 rows included), and the tail goes through the masked columns.
        int m = 300, n = 2 * GemmPanels.NR + 8, k = 600;
        Random r = new Random(11 + ta * 2 + tb + acc * 4);
        float[] a = gaussian(r, m * k), b = gaussian(r, k * n), c = gaussian(r, m * n);
        float[] want = chains(a, b, c, 1, m, n, k, ta, tb, acc);
        long before = GemmPanels.panelsCopiedByTiles();
        Gemm.jvm(c, a, b, 1, m, n, k, ta, tb, 0, 0, 0, acc, 0, m);
        assertEquals(5 * 2, GemmPanels.panelsCopiedByTiles() - before, "panels copied by tiles: 5 K blocks of 2");
        assertSameBits(want, c, "K blocks copied by tiles");
    }

    @ParameterizedTest(name = "tA{0} acc{1}")
    @MethodSource("transAAndAcc")
    void anImagesBIsCopiedByTheFirstTileOfEachPanelUnderASharedA(int ta, int acc) {
        // The token products: a shared (packed once), each image's own b of 2 panels copied by the first tile of each
        // panel, then read by the others: 3 images × 2 panels, in one call and in 32-row blocks (the second block of
        // an image finds its panels packed).
        int batch = 3, m = 35, n = 2 * GemmPanels.NR, k = 70;
        Random r = new Random(13 + ta + acc * 2);
        float[] a = gaussian(r, m * k), b = gaussian(r, batch * k * n), c = gaussian(r, batch * m * n);
        float[] want = chains(a, b, c, batch, m, n, k, ta, 0, acc), blocks = c.clone();
        long before = GemmPanels.panelsCopiedByTiles();
        Gemm.jvm(c, a, b, batch, m, n, k, ta, 0, 0, k * n, m * n, acc, 0, batch * m);
        assertEquals(3 * 2, GemmPanels.panelsCopiedByTiles() - before, "panels copied by tiles in one call");
        Gemm.blocks(blocks, a, b, batch, m, n, k, ta, 0, 0, k * n, acc, 0, batch * m, false, (y, shift, w0, w1) -> {});
        assertEquals(2 * 3 * 2, GemmPanels.panelsCopiedByTiles() - before, "panels copied by tiles in blocks");
        assertSameBits(want, c, "an image's b copied by tiles");
        assertSameBits(want, blocks, "an image's b copied by tiles, in blocks");
    }

    @ParameterizedTest(name = "{0} rows tA{1}")
    @MethodSource("fewRows")
    void aRowRangeWithoutASixRowTilePacksItsPanelsFirst(int m, int ta) {
        // 5, 8 and 9 rows (tiles of 4 and 1 only) over K blocks of one panel and a tail: no tile copies, the panels
        // are packed before the tiles read them.
        int n = GemmPanels.NR + 8, k = 600;
        Random r = new Random(m * 3L + ta);
        float[] a = gaussian(r, m * k), b = gaussian(r, k * n), c = gaussian(r, m * n);
        float[] want = chains(a, b, c, 1, m, n, k, ta, 0, 1);
        long before = GemmPanels.panelsCopiedByTiles();
        Gemm.jvm(c, a, b, 1, m, n, k, ta, 0, 0, 0, 0, 1, 0, m);
        assertEquals(0, GemmPanels.panelsCopiedByTiles() - before, "panels copied by tiles");
        assertSameBits(want, c, m + " rows");
    }

    static Stream<Arguments> fewRows() {
        return Stream.of(5, 8, 9).flatMap(m -> Stream.of(Arguments.of(m, 0), Arguments.of(m, 1)));
    }

    /** b as k×n rows only: a transposed b of whole panels is packed by register transposes, not by tiles. */
    static Stream<Arguments> transAAndAcc() {
        return Stream.of(Arguments.of(0, 0), Arguments.of(0, 1), Arguments.of(1, 0), Arguments.of(1, 1));
    }

    static Stream<Arguments> flags() {
        return everyFlag(new int[][] {{0, 0, 0}}).map(x -> Arguments.of(x.get()[3], x.get()[4], x.get()[5]));
    }
}
