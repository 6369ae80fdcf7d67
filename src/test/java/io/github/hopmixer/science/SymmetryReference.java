package io.github.hopmixer.science;

/**
 * Double-precision references for the symmetry measures, written from the definitions and independently of
 * {@link Alignment}: explicit 2-D matrices, an explicit transpose, an explicit projection, and the joint coupling
 * matrix J = [[0, G], [F, 0]] built out and split into its symmetric and antisymmetric parts.
 */
final class SymmetryReference {
    private SymmetryReference() {}

    /** Row-major (rows × cols) to a 2-D array. */
    static double[][] matrix(double[] a, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m[r][c] = a[r * cols + c];
        return m;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int r = 0; r < a.length; r++) for (int c = 0; c < a[0].length; c++) t[c][r] = a[r][c];
        return t;
    }

    static double inner(double[][] a, double[][] b) {
        double s = 0;
        for (int r = 0; r < a.length; r++) for (int c = 0; c < a[0].length; c++) s += a[r][c] * b[r][c];
        return s;
    }

    static double norm(double[][] a) {
        return Math.sqrt(inner(a, a));
    }

    /** cos(G, Fᵀ) for F (hidden × in), G (in × hidden). */
    static double cos(double[][] f, double[][] g) {
        double[][] ft = transpose(f);
        return inner(g, ft) / (norm(g) * norm(ft));
    }

    /** ‖projection of G on the line through Fᵀ‖² / ‖G‖². */
    static double share(double[][] f, double[][] g) {
        double[][] ft = transpose(f);
        double k = inner(g, ft) / inner(ft, ft);
        double[][] proj = new double[ft.length][ft[0].length];
        for (int r = 0; r < ft.length; r++) for (int c = 0; c < ft[0].length; c++) proj[r][c] = k * ft[r][c];
        return inner(proj, proj) / inner(g, g);
    }

    /** ‖(J + Jᵀ)/2‖² / ‖J‖² with J the (in + hidden) square joint coupling: visible rows take G, hidden rows take F. */
    static double symShare(double[][] f, double[][] g) {
        int hidden = f.length, in = f[0].length, n = in + hidden;
        double[][] j = new double[n][n];
        for (int v = 0; v < in; v++) for (int h = 0; h < hidden; h++) j[v][in + h] = g[v][h];
        for (int h = 0; h < hidden; h++) for (int v = 0; v < in; v++) j[in + h][v] = f[h][v];
        double sym = 0, all = 0;
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                double s = (j[r][c] + j[c][r]) / 2;
                sym += s * s;
                all += j[r][c] * j[r][c];
            }
        }
        return sym / all;
    }
}
