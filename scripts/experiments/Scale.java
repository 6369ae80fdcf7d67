// one product's two row halves, one thread after the other, then both at once: the two-thread scaling. Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/Scale.java 1568 2048 512 0 1 20
import io.github.hopmixer.kernels.Gemm;
import java.util.*;
import java.util.concurrent.*;
/** One product's two row halves: each half alone on one thread, then both halves at once on two threads, alternated. */
public class Scale {
    static int m, n, k, ta, tb, R; static float[] a, b, c;
    static void run(int lo, int hi) { Gemm.jvm(c, a, b, 1, m, n, k, ta, tb, 0, 0, 0, 0, lo, hi); }
    public static void main(String[] args) throws Exception {
        m = Integer.parseInt(args[0]); n = Integer.parseInt(args[1]); k = Integer.parseInt(args[2]);
        ta = Integer.parseInt(args[3]); tb = Integer.parseInt(args[4]); R = Integer.parseInt(args[5]);
        Random r = new Random(1);
        a = new float[k * m]; b = new float[k * n]; c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
        ExecutorService ex = Executors.newFixedThreadPool(2);
        int h = m / 2;
        for (int i = 0; i < 30; i++) { run(0, h); run(h, m); }
        double fl = 2.0 * h * n * k / 1e6;
        List<Double> eff = new ArrayList<>();
        for (int rep = 0; rep < 8; rep++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < R; i++) run(0, h);
            for (int i = 0; i < R; i++) run(h, m);
            double alone = (System.nanoTime() - t0) / (2 * R * 1e6);
            long s = System.nanoTime();
            Future<?> f = ex.submit(() -> { for (int i = 0; i < R; i++) run(h, m); });
            for (int i = 0; i < R; i++) run(0, h);
            f.get();
            double both = (System.nanoTime() - s) / (R * 1e6);
            eff.add(alone / both * 2);
            System.out.printf("%dx%dx%d t%d%d  one thread %.0f GF/s | two threads %.0f GF/s | scaling x%.2f%n", m, n, k, ta, tb, fl / alone, 2 * fl / both, 2 * alone / both);
        }
        Collections.sort(eff);
        System.out.printf("median scaling x%.2f%n", eff.get(eff.size() / 2));
        ex.shutdown();
    }
}
