// each thread's part of c in an array of its own, copied into c, vs the shared c. Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/OwnC.java 512 128 8192 20 16
import io.github.hopmixer.kernels.*;
import java.util.*;
import java.util.concurrent.*;
/** A: two threads write their halves of one c (as the device does). B: each into its own c, then its rows copied into c. */
public class OwnC {
    public static void main(String[] args) throws Exception {
        int m = Integer.parseInt(args[0]), n = Integer.parseInt(args[1]), k = Integer.parseInt(args[2]), R = Integer.parseInt(args[3]), rounds = Integer.parseInt(args[4]);
        boolean cols = GemmColumns.splits(1, m, n);
        int items = cols ? GemmColumns.items(m, n) : m, h = items / 2;
        Random r = new Random(1);
        float[] a = new float[k * m], b = new float[k * n], c = new float[m * n], c2 = new float[m * n];
        float[][] own = {new float[m * n], new float[m * n]};
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
        ExecutorService ex = Executors.newFixedThreadPool(1);
        double fl = 2.0 * m * n * k / 1e6;
        // one thread's share: A writes c directly, B writes own[t] then copies its part into c
        java.util.function.BiConsumer<Integer, Boolean> part = (t, mine) -> {
            int lo = t == 0 ? 0 : h, hi = t == 0 ? h : items;
            float[] dst = mine ? own[t] : c;
            for (int i = 0; i < R; i++) {
                if (cols) GemmColumns.jvm(dst, a, b, m, n, k, 1, 0, 0, lo, hi);
                else Gemm.jvm(dst, a, b, 1, m, n, k, 1, 0, 0, 0, 0, 0, lo, hi);
                if (mine) {
                    if (cols) { int j0 = lo / m * GemmColumns.BLOCK, j1 = Math.min(n, hi / m * GemmColumns.BLOCK); for (int row = 0; row < m; row++) System.arraycopy(dst, row * n + j0, c, row * n + j0, j1 - j0); }
                    else System.arraycopy(dst, lo * n, c, lo * n, (hi - lo) * n);
                }
            }
        };
        double[] ra = new double[rounds], rb = new double[rounds];
        for (int rep = -2; rep < rounds; rep++) {
            for (int v = 0; v < 2; v++) {
                boolean mine = (v + Math.max(rep, 0)) % 2 == 1;
                long s = System.nanoTime();
                Future<?> f = ex.submit(() -> part.accept(1, mine));
                part.accept(0, mine);
                f.get();
                double gf = fl / ((System.nanoTime() - s) / (R * 1e6));
                if (rep >= 0) { if (mine) rb[rep] = gf; else ra[rep] = gf; }
            }
        }
        // same bits?
        Gemm.jvm(c2, a, b, 1, m, n, k, 1, 0, 0, 0, 0, 0, 0, m);
        if (cols) { Arrays.fill(c2, 0); GemmColumns.jvm(c2, a, b, m, n, k, 1, 0, 0, 0, items); }
        System.out.println("bits equal: " + Arrays.equals(c, c2));
        double[] ratio = new double[rounds];
        for (int i = 0; i < rounds; i++) ratio[i] = rb[i] / ra[i];
        double[] sa = ra.clone(), sb = rb.clone(), sr = ratio.clone(); Arrays.sort(sa); Arrays.sort(sb); Arrays.sort(sr);
        System.out.printf("%dx%dx%d shared c %.0f GF/s, own c + copy %.0f GF/s; B/A per round median %.3f (min %.3f max %.3f)%n", m, n, k, sa[rounds / 2], sb[rounds / 2], sr[rounds / 2], sr[0], sr[rounds - 1]);
        ex.shutdown();
    }
}
