// the six 224-px channel products on one thread (GFLOP/s, median of 5). Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/One.java 
import io.github.hopmixer.kernels.Gemm;
import java.util.*;
public class One {
    public static void main(String[] args) {
        int[][] sh = {{1568,2048,512,0,1},{1568,512,2048,0,1},{1568,512,2048,0,0},{1568,2048,512,0,0},{2048,512,1568,1,0},{512,2048,1568,1,0}};
        Random r = new Random(1);
        for (int rep = 0; rep < 3; rep++) {
            StringBuilder sb = new StringBuilder();
            for (int[] s : sh) {
                int m = s[0], n = s[1], k = s[2];
                float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
                for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
                for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
                for (int i = 0; i < 4; i++) Gemm.jvm(c, a, b, 1, m, n, k, s[3], s[4], 0, 0, 0, 0, 0, m);
                double[] t = new double[5];
                for (int i = 0; i < 5; i++) { long t0 = System.nanoTime(); Gemm.jvm(c, a, b, 1, m, n, k, s[3], s[4], 0, 0, 0, 0, 0, m); t[i] = (System.nanoTime() - t0) / 1e6; }
                Arrays.sort(t);
                sb.append(String.format("%dx%dx%d t%d%d %.0f | ", m, n, k, s[3], s[4], 2.0 * m * n * k / t[2] / 1e6));
            }
            System.out.println(sb);
        }
    }
}
