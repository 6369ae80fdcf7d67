// a product on 48, 96, 784 and 1568 rows: the fixed cost (packing b) from the slope. Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/PackCost.java 1
import io.github.hopmixer.kernels.Gemm;
import java.util.*;
public class PackCost {
    public static void main(String[] args) {
        int n = 2048, k = 512, M = 1568; int tb = Integer.parseInt(args[0]);
        if (args.length > 1) { n = Integer.parseInt(args[1]); k = Integer.parseInt(args[2]); }
        Random r = new Random(1);
        float[] a = new float[M * k], b = new float[k * n], c = new float[M * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
        int[] ms = {48, 96, 784, 1568};
        for (int i = 0; i < 30; i++) for (int m : ms) Gemm.jvm(c, a, b, 1, M, n, k, 0, tb, 0, 0, 0, 0, 0, m);
        for (int rep = 0; rep < 4; rep++) {
            StringBuilder sb = new StringBuilder();
            double[] t = new double[ms.length];
            for (int x = 0; x < ms.length; x++) {
                int m = ms[x]; int R = Math.max(3, 3000 / m);
                double[] s = new double[R];
                for (int i = 0; i < R; i++) { long t0 = System.nanoTime(); Gemm.jvm(c, a, b, 1, M, n, k, 0, tb, 0, 0, 0, 0, 0, m); s[i] = (System.nanoTime() - t0) / 1e6; }
                Arrays.sort(s); t[x] = s[R / 2];
                sb.append(String.format("m=%d %.3f ms (%.0f GF/s)  ", m, t[x], 2.0 * m * n * k / t[x] / 1e6));
            }
            double rate = (t[3] - t[2]) / (1568 - 784);
            sb.append(String.format("| fixed ~ %.3f ms", t[3] - 1568 * rate));
            System.out.println(sb);
        }
    }
}
