// a tn weight gradient in one range a thread vs chunks claimed as threads free up. Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/Dyn.java 512 128 8192 8
import io.github.hopmixer.kernels.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
public class Dyn {
    static int m, n, k; static boolean cols; static float[] a, b, c;
    static ExecutorService ex = Executors.newFixedThreadPool(2);
    static void range(int lo, int hi) {
        if (cols) GemmColumns.jvm(c, a, b, m, n, k, 1, 0, 0, lo, hi);
        else Gemm.jvm(c, a, b, 1, m, n, k, 1, 0, 0, 0, 0, 0, lo, hi);
    }
    static double run(int[] bounds) throws Exception {
        AtomicInteger next = new AtomicInteger();
        Runnable w = () -> { int ch; while ((ch = next.getAndIncrement()) < bounds.length - 1) range(bounds[ch], bounds[ch + 1]); };
        long t = System.nanoTime();
        Future<?> f = ex.submit(w); w.run(); f.get();
        return (System.nanoTime() - t) / 1e6;
    }
    public static void main(String[] args) throws Exception {
        m = Integer.parseInt(args[0]); n = Integer.parseInt(args[1]); k = Integer.parseInt(args[2]); int chunks = Integer.parseInt(args[3]);
        cols = GemmColumns.splits(1, m, n);
        Random r = new Random(1);
        a = new float[k * m]; b = new float[k * n]; c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
        int items = cols ? GemmColumns.items(m, n) : m;
        int[] stat = {0, items / 2, items};
        int[] dyn = new int[chunks + 1];
        for (int i = 0; i <= chunks; i++) dyn[i] = (int) ((long) items * i / chunks);
        double fl = 2.0 * m * n * k / 1e6;
        for (int i = 0; i < 40; i++) { run(stat); run(dyn); }
        for (int rep = 0; rep < 8; rep++) {
            double[] s = new double[9], d = new double[9];
            for (int i = 0; i < 9; i++) { if (i % 2 == 0) { s[i] = run(stat); d[i] = run(dyn); } else { d[i] = run(dyn); s[i] = run(stat); } }
            Arrays.sort(s); Arrays.sort(d);
            System.out.printf("%dx%dx%d cols=%b static %.0f GF/s | %d chunks %.0f GF/s | dyn/static %.3f%n", m, n, k, cols, fl / s[4], chunks, fl / d[4], s[4] / d[4]);
        }
        ex.shutdown();
    }
}
