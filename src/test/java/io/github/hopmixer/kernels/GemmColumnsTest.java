package io.github.hopmixer.kernels;

import io.github.hopmixer.ops.GemmOps;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The column split ({@link GemmColumns}) gives the bits of the row split ({@link Gemm#jvm}) it replaced, for every
 * way of cutting its work items into 1 to 4 thread ranges: the same K blocks and fused multiply-adds per element.
 */
class GemmColumnsTest {

    static Stream<Arguments> shapes() {
        // m, n, k: whole blocks; a column tail; several K blocks; one row; the nano weight gradient's shape scaled in K.
        return GemmTilesTest.everyFlag(new int[][] {{20, 192, 40}, {13, 150, 37}, {7, 200, 600}, {1, 130, 9}, {128, 512, 640}});
    }

    @ParameterizedTest(name = "{0}x{1}x{2} tA{3} tB{4} acc{5}")
    @MethodSource("shapes")
    void columnSplitGivesTheRowSplitsBits(int m, int n, int k, int ta, int tb, int acc) {
        GemmOps.Gemm op = new GemmOps.Gemm(1, m, n, k, ta == 1, tb == 1, 0, 0, 0, acc == 1);
        assertTrue(op.splitsColumns(), "the shape splits by columns");
        assertEquals(GemmColumns.items(m, n), op.parallelism());
        Random r = new Random(m * 31L + n * 7L + k + ta * 2 + tb + acc * 5);
        float[] a = new float[m * k], b = new float[k * n], c0 = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        for (int i = 0; i < c0.length; i++) c0[i] = (float) r.nextGaussian();
        float[] rows = c0.clone();
        Gemm.jvm(rows, a, b, 1, m, n, k, ta, tb, 0, 0, 0, acc, 0, m);
        int items = op.parallelism();
        for (int threads = 1; threads <= 4; threads++) {
            float[] cols = c0.clone();
            // Thread ranges as JvmDevice cuts them, run one after another.
            for (int t = 0; t < threads; t++) {
                int lo = (int) ((long) items * t / threads), hi = (int) ((long) items * (t + 1) / threads);
                op.jvm(new float[][] {cols, a, b}, lo, hi);
            }
            for (int i = 0; i < cols.length; i++) {
                assertEquals(Float.floatToRawIntBits(rows[i]), Float.floatToRawIntBits(cols[i]),
                        threads + " ranges: element " + i + " is " + cols[i] + ", the row split gives " + rows[i]);
            }
        }
    }
}
