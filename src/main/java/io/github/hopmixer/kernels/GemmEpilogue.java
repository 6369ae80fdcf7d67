package io.github.hopmixer.kernels;

/**
 * A matrix product with the elementwise work that follows it done on each block of rows while it is in cache:
 * bias and GELU after a linear layer's product (forward), GELU's backward after the product that gives the
 * activation's gradient (backward). c is dense and per image (row w of c at w·n); work items are its rows, as
 * {@link Gemm}'s.
 */
public final class GemmEpilogue {
    private GemmEpilogue() {}

    /** No bias, a bias per column (channel layers: bias[j]), a bias per row of each image (token layers: bias[w mod m]). */
    public static final int NO_BIAS = 0, BIAS_PER_COLUMN = 1, BIAS_PER_ROW = 2;

    private static int strideC(int batch, int m, int n) {
        return batch > 1 ? m * n : 0;
    }

    /**
     * h = op(a)·op(b) (+ bias); y = GELU(h), double-precision reference over rows [lo, hi). With {@code slope} h's
     * storage is left holding GELU'(h) instead, all that the backward needs of h.
     */
    public static void forwardRef(double[] h, double[] y, double[] a, double[] b, double[] bias, int batch, int m, int n,
                                  int k, int transA, int transB, int strideA, int strideB, int biasMode, boolean slope,
                                  int lo, int hi) {
        Gemm.ref(h, a, b, batch, m, n, k, transA, transB, strideA, strideB, strideC(batch, m, n), 0, lo, hi);
        for (int w = lo; w < hi; w++) {
            for (int j = 0; j < n; j++) {
                if (biasMode == BIAS_PER_COLUMN) h[w * n + j] += bias[j];
                else if (biasMode == BIAS_PER_ROW) h[w * n + j] += bias[w % m];
            }
            if (slope) Gelu.forwardSlopeRef(y, h, w * n, (w + 1) * n);
            else Gelu.forwardRef(y, h, n, w * n, (w + 1) * n);
        }
    }

    /** The float JVM version: the GEMM, bias add and GELU of {@link Gemm#jvm}, {@link Bias}, {@link Gelu}, per block. */
    public static void forwardJvm(float[] h, float[] y, float[] a, float[] b, float[] bias, int batch, int m, int n,
                                  int k, int transA, int transB, int strideA, int strideB, int biasMode, boolean slope,
                                  int lo, int hi) {
        Gemm.blocks(h, a, b, batch, m, n, k, transA, transB, strideA, strideB, 0, lo, hi, false, (c, shift, w0, w1) -> {
            for (int w = w0; w < w1; w++) addBias(h, w * n, n, bias, biasMode, w, m);
            if (slope) Gelu.forwardSlopeJvm(y, h, w0 * n, w1 * n);
            else Gelu.forwardJvm(y, h, n, w0 * n, w1 * n);
        });
    }

    /**
     * dh (+)= GELU'(h)·g with g = [prior +] op(a)·op(b), the activation's gradient, never stored: reference over rows
     * [lo, hi). {@code prior} (null when none) holds the gradient's earlier terms. With {@code slope}, h holds GELU'(h)
     * as the forward with slope left it, and the backward is a multiply.
     */
    public static void backwardRef(double[] dh, double[] h, double[] a, double[] b, double[] prior, int batch, int m,
                                   int n, int k, int transA, int transB, int strideA, int strideB, int acc, boolean slope,
                                   int lo, int hi) {
        double[] g = new double[(batch > 1 ? batch : 1) * m * n];
        if (prior != null) System.arraycopy(prior, lo * n, g, lo * n, (hi - lo) * n);
        Gemm.ref(g, a, b, batch, m, n, k, transA, transB, strideA, strideB, strideC(batch, m, n), prior != null ? 1 : 0, lo, hi);
        if (slope) Gelu.slopeBackwardRef(dh, g, h, acc, lo * n, hi * n);
        else Gelu.backwardRef(dh, g, h, n, acc, lo * n, hi * n);
    }

    public static void backwardJvm(float[] dh, float[] h, float[] a, float[] b, float[] prior, int batch, int m, int n,
                                   int k, int transA, int transB, int strideA, int strideB, int acc, boolean slope,
                                   int lo, int hi) {
        if (acc == 0 && k > Gemm.kBlock(k)) {
            // Several K blocks: the product's partial sums go where dh will be (dh is overwritten), then GELU' in place.
            if (prior != null) System.arraycopy(prior, lo * n, dh, lo * n, (hi - lo) * n);
            Gemm.blocks(dh, a, b, batch, m, n, k, transA, transB, strideA, strideB, prior != null ? 1 : 0, lo, hi, false,
                    (g, shift, w0, w1) -> geluBackward(slope, dh, dh, 0, h, 0, w0 * n, w1 * n));
            return;
        }
        Gemm.blocks(prior, a, b, batch, m, n, k, transA, transB, strideA, strideB, prior != null ? 1 : 0, lo, hi, true,
                (g, shift, w0, w1) -> geluBackward(slope, dh, g, shift, h, acc, w0 * n, w1 * n));
    }

    /** dx (+)= GELU'·dy: from h, or multiplying by the GELU'(h) that h's buffer holds with slope. */
    private static void geluBackward(boolean slope, float[] dx, float[] dy, int dyShift, float[] h, int acc, int lo, int hi) {
        if (slope) Gelu.slopeBackwardJvm(dx, dy, dyShift, h, acc, lo, hi);
        else Gelu.backwardJvm(dx, dy, dyShift, h, acc, lo, hi);
    }

    /**
     * y = x + mask[w / rowsPerImage]·(op(a)·op(b) (+ bias)): a linear layer's product and bias added to the residual
     * stream behind DropPath, the product u never stored. Reference over rows [lo, hi).
     */
    public static void residualRef(double[] y, double[] x, double[] a, double[] b, double[] mask, double[] bias, int batch,
                                   int m, int n, int k, int transA, int transB, int strideA, int strideB, int biasMode,
                                   int rowsPerImage, int lo, int hi) {
        double[] u = new double[(batch > 1 ? batch : 1) * m * n];
        Gemm.ref(u, a, b, batch, m, n, k, transA, transB, strideA, strideB, strideC(batch, m, n), 0, lo, hi);
        for (int w = lo; w < hi; w++) {
            double mk = mask[w / rowsPerImage];
            for (int j = 0; j < n; j++) {
                double v = u[w * n + j] + (biasMode == BIAS_PER_COLUMN ? bias[j] : biasMode == BIAS_PER_ROW ? bias[w % m] : 0);
                y[w * n + j] = x[w * n + j] + mk * v;
            }
        }
    }

    /**
     * The float JVM version: each block of the product, in scratch, gets its bias and is added to x into y while in
     * cache, with the float operations of {@link Bias#addJvm} and {@link Residual#forwardJvm} (so the unfused bits).
     */
    public static void residualJvm(float[] y, float[] x, float[] a, float[] b, float[] mask, float[] bias, int batch,
                                   int m, int n, int k, int transA, int transB, int strideA, int strideB, int biasMode,
                                   int rowsPerImage, int lo, int hi) {
        // Several K blocks: the product's partial sums go where y will be, as the GELU backward's do into dh, so each
        // packed K block of b serves all rows (in scratch, every block of rows repacked every K block: the 224-px step
        // ran 7 % slower). Not when y is x (an in-place residual): the sums would overwrite x before it is read.
        boolean inPlace = k > Gemm.kBlock(k) && y != x;
        Gemm.blocks(inPlace ? y : null, a, b, batch, m, n, k, transA, transB, strideA, strideB, 0, lo, hi, !inPlace, (u, shift, w0, w1) -> {
            for (int w = w0; w < w1; w++) {
                int row = w * n, o = row - shift;
                addBias(u, o, n, bias, biasMode, w, m);
                float mk = mask[w / rowsPerImage];
                for (int j = 0; j < n; j++) y[row + j] = x[row + j] + mk * u[o + j];
            }
        });
    }

    /** Row w of a product, at c[o, o + n), gets its bias: the float adds of {@link Bias#addJvm}. */
    private static void addBias(float[] c, int o, int n, float[] bias, int biasMode, int w, int m) {
        if (biasMode == BIAS_PER_COLUMN) {
            for (int j = 0; j < n; j++) c[o + j] += bias[j];
        } else if (biasMode == BIAS_PER_ROW) {
            float bw = bias[w % m];
            for (int j = 0; j < n; j++) c[o + j] += bw;
        }
    }
}
