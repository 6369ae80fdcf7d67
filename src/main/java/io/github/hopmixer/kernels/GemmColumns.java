package io.github.hopmixer.kernels;

/**
 * {@link Gemm} for one c (batch 1) with fewer rows than columns, split by columns: work item w is row w mod m of
 * column block w / m (BLOCK columns; the last may be narrower). Split by rows, each of T threads would pack all of b
 * (k × n floats) to use each packed element on m / T rows; split by columns, it packs only its own columns and uses
 * them on all m rows. The channel MLP's weight gradient 128×512×8192 (k = batch × tokens) ran 1.25–1.35× faster on
 * 2 threads split so (measured here against the row split, interleaved). Each element of c is computed exactly as {@link Gemm#jvm} computes it (same K blocks, same
 * fused multiply-adds in p order), so the split changes no bit.
 */
public final class GemmColumns {
    private GemmColumns() {}

    /**
     * Columns of c per block: a whole number of packed panels for vectors of up to 16 floats, and small enough that
     * an odd thread count splits n = 512 evenly enough (a thread's range may end inside a block: both then pack it).
     */
    public static final int BLOCK = 64;

    /** Whether a product splits by columns: one c, at least two column blocks, and fewer rows than columns. */
    public static boolean splits(int batch, int m, int n) {
        return batch == 1 && n >= 2 * BLOCK && m < n;
    }

    /** Work items: (column block, row) pairs. */
    public static int items(int m, int n) {
        return blocks(n) * m;
    }

    private static int blocks(int n) {
        return (n + BLOCK - 1) / BLOCK;
    }

    /** Double-precision reference over work items [lo, hi). */
    public static void ref(double[] c, double[] a, double[] b, int m, int n, int k, int transA, int transB, int acc,
                           int lo, int hi) {
        for (int w = lo; w < hi; w++) {
            int i = w % m, j0 = w / m * BLOCK, j1 = Math.min(n, j0 + BLOCK);
            for (int j = j0; j < j1; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double x = transA != 0 ? a[p * m + i] : a[i * k + p];
                    double y = transB != 0 ? b[j * k + p] : b[p * n + j];
                    sum += x * y;
                }
                c[i * n + j] = acc != 0 ? c[i * n + j] + sum : sum;
            }
        }
    }

    /**
     * The float JVM version over work items [lo, hi): K blocks outermost (as {@link Gemm#jvm}, so c holds the running
     * sums between them), then this range's pieces of column blocks, each packing only its block of b.
     */
    public static void jvm(float[] c, float[] a, float[] b, int m, int n, int k, int transA, int transB, int acc,
                           int lo, int hi) {
        GemmPanels.startCall();
        // A transposed b is packed straight from its rows when every block is whole panels; else it is first copied to
        // k×n rows, all of it (a rare shape: the nano step has none).
        boolean direct = transB != 0 && GemmPanels.packsTransposed(n) && GemmPanels.packsTransposed(BLOCK);
        if (transB != 0 && !direct) {
            float[] bt = Gemm.scratch(k * n);
            Gemm.transpose(b, 0, bt, 0, n, k);
            b = bt;
        }
        int tb = direct ? 1 : 0, kb = Gemm.kBlock(k);
        for (int p0 = 0; p0 < k; p0 += kb) {
            int p1 = Math.min(k, p0 + kb), accBlock = p0 == 0 ? acc : 1;
            for (int w = lo; w < hi; ) {
                int i0 = w % m, i1 = Math.min(m, i0 + hi - w), j0 = w / m * BLOCK, j1 = Math.min(n, j0 + BLOCK);
                int whole = i0 == 0 && i1 == m ? (hi - w) / m : 0, j2 = Math.min(n, j0 + whole * BLOCK);
                if (whole > 1 && GemmPanels.packsA(j2 - j0) && (tb == 0 || GemmPanels.packsTransposed(j2 - j0))) {
                    // Enough whole column blocks in a row for a packed a: one call, so each row block of a is packed
                    // once and serves all their panels: on 2 threads (16 blocks each) the 224-px weight gradient
                    // 512×2048×1568 ran 6–13 % faster, the fc1 products 1568×2048×512 7–11 % (measured here,
                    // interleaved). Fewer blocks go one by one: each panel is then used right after it is packed, still
                    // in L1 (merged, the nano weight gradient 128×512×8192 lost 5–10 %).
                    GemmPanels.rows(c, 0, a, b, 0, m, n, k, transA, tb, 0, 0, accBlock, 0, m, p0, p1, j0, j2, false);
                    w += whole * m;
                    continue;
                }
                GemmPanels.rows(c, 0, a, b, 0, m, n, k, transA, tb, 0, 0, accBlock, i0, i1, p0, p1, j0, j1, false);
                w += i1 - i0;
            }
        }
    }
}
