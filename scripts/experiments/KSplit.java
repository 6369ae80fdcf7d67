// a tn weight gradient split by rows vs by K halves (each thread half of K). Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/KSplit.java 512 128
import io.github.hopmixer.kernels.Gemm;
import java.util.*;
import java.util.concurrent.*;
public class KSplit {
    public static void main(String[] args) throws Exception {
        int m = Integer.parseInt(args[0]), n = Integer.parseInt(args[1]), k = 8192, h = k / 2;
        Random r = new Random(1);
        float[] a = new float[k * m], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
        float[] aLo = Arrays.copyOfRange(a, 0, h * m), aHi = Arrays.copyOfRange(a, h * m, k * m);
        float[] bLo = Arrays.copyOfRange(b, 0, h * n), bHi = Arrays.copyOfRange(b, h * n, k * n);
        float[] bCopy = b.clone();
        float[] c0 = new float[m * n], c1 = new float[m * n];
        ExecutorService ex = Executors.newFixedThreadPool(2);
        double fl = 2.0 * m * n * k / 1e6;
        for (int i = 0; i < 100; i++) { Gemm.jvm(c0, a, b, 1, m, n, k, 1, 0, 0, 0, 0, 0, 0, m / 2); Gemm.jvm(c0, aLo, bLo, 1, m, n, h, 1, 0, 0, 0, 0, 0, 0, m); }
        for (int rep = 0; rep < 6; rep++) {
            double[] t = new double[6];
            Future<?> f0 = ex.submit(() -> { long s = System.nanoTime(); for (int i = 0; i < 20; i++) Gemm.jvm(c0, a, b, 1, m, n, k, 1, 0, 0, 0, 0, 0, 0, m / 2); t[0] = (System.nanoTime() - s) / 20e6; });
            Future<?> f1 = ex.submit(() -> { long s = System.nanoTime(); for (int i = 0; i < 20; i++) Gemm.jvm(c0, a, b, 1, m, n, k, 1, 0, 0, 0, 0, 0, m / 2, m); t[1] = (System.nanoTime() - s) / 20e6; });
            f0.get(); f1.get();
            Future<?> g0 = ex.submit(() -> { long s = System.nanoTime(); for (int i = 0; i < 20; i++) Gemm.jvm(c0, a, b, 1, m, n, k, 1, 0, 0, 0, 0, 0, 0, m / 2); t[2] = (System.nanoTime() - s) / 20e6; });
            Future<?> g1 = ex.submit(() -> { long s = System.nanoTime(); for (int i = 0; i < 20; i++) Gemm.jvm(c1, a, bCopy, 1, m, n, k, 1, 0, 0, 0, 0, 0, m / 2, m); t[3] = (System.nanoTime() - s) / 20e6; });
            g0.get(); g1.get();
            Future<?> h0 = ex.submit(() -> { long s = System.nanoTime(); for (int i = 0; i < 20; i++) Gemm.jvm(c0, aLo, bLo, 1, m, n, h, 1, 0, 0, 0, 0, 0, 0, m); t[4] = (System.nanoTime() - s) / 20e6; });
            Future<?> h1 = ex.submit(() -> { long s = System.nanoTime(); for (int i = 0; i < 20; i++) Gemm.jvm(c1, aHi, bHi, 1, m, n, h, 1, 0, 0, 0, 0, 0, 0, m); t[5] = (System.nanoTime() - s) / 20e6; });
            h0.get(); h1.get();
            System.out.printf("rows split %.2f %.2f (%.0f GF/s) | rows, own b copy %.2f %.2f (%.0f) | K halves %.2f %.2f (%.0f)%n",
                t[0], t[1], fl / Math.max(t[0], t[1]), t[2], t[3], fl / Math.max(t[2], t[3]), t[4], t[5], fl / Math.max(t[4], t[5]));
        }
        ex.shutdown();
    }
}
