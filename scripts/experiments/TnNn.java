// one thread: a tn product against the nn product of the same size. Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/TnNn.java 512 128 8192 20
import io.github.hopmixer.kernels.Gemm;
import java.util.*;
public class TnNn {
    public static void main(String[] args) {
        int m = Integer.parseInt(args[0]), n = Integer.parseInt(args[1]), k = Integer.parseInt(args[2]), R = Integer.parseInt(args[3]);
        Random r = new Random(1);
        float[] a = new float[k * m], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
        int lo = 0, hi = m / 2;
        double fl = 2.0 * (hi - lo) * n * k / 1e6;
        for (int i = 0; i < 100; i++) { Gemm.jvm(c, a, b, 1, m, n, k, 1, 0, 0, 0, 0, 0, lo, hi); Gemm.jvm(c, a, b, 1, m, n, k, 0, 0, 0, 0, 0, 0, lo, hi); }
        for (int rep = 0; rep < 6; rep++) {
            double[] t = new double[2];
            for (int v = 0; v < 2; v++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < R; i++) Gemm.jvm(c, a, b, 1, m, n, k, 1 - v, 0, 0, 0, 0, 0, lo, hi);
                t[v] = (System.nanoTime() - t0) / (R * 1e6);
            }
            System.out.printf("tn %.0f GF/s  nn %.0f GF/s%n", fl / t[0], fl / t[1]);
        }
    }
}
