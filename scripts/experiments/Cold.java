// each 224-px channel product warm and right after 256 MB of other memory was touched. Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/Cold.java 2
import io.github.hopmixer.bench.StepBench;
import io.github.hopmixer.device.JvmDevice;
import io.github.hopmixer.ops.*;
import java.util.*;
public class Cold {
    static float[] junk = new float[64 << 20]; // 256 MB
    static float sink;
    static void flush() { for (int r = 0; r < 1; r++) for (int i = 0; i < junk.length; i += 16) junk[i] += 1f; sink += junk[7]; }
    public static void main(String[] a) {
        JvmDevice d = new JvmDevice(Integer.parseInt(a[0]));
        int[][] shapes = {{1568,2048,512,0,1},{1568,512,2048,0,1},{1568,512,2048,0,0},{1568,2048,512,0,0},{2048,512,1568,1,0},{512,2048,1568,1,0}};
        for (int rep = 0; rep < 3; rep++)
        for (int[] s : shapes) {
            StepBench.GemmRunner g = new StepBench.GemmRunner(d, new GemmOps.Gemm(1, s[0], s[1], s[2], s[3]!=0, s[4]!=0, 0,0,0,false));
            g.warm(3);
            double[] warm = g.runs(15);
            double[] cold = new double[15];
            for (int i = 0; i < 15; i++) { flush(); cold[i] = g.runs(1)[0]; }
            Arrays.sort(warm); Arrays.sort(cold);
            System.out.printf("%s %s warm %.2f cold %.2f ms  ratio %.3f%n", g.kernel(), g.shape(), warm[7], cold[7], cold[7]/warm[7]);
        }
        d.close();
    }
}
