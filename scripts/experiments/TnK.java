// the tn weight gradients at K = 8192, 2048, 1024 through the device. Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/TnK.java 2
import io.github.hopmixer.bench.StepBench;
import io.github.hopmixer.device.JvmDevice;
import io.github.hopmixer.ops.GemmOps;
import java.util.*;
public class TnK {
    public static void main(String[] a) {
        JvmDevice d = new JvmDevice(Integer.parseInt(a[0]));
        int[][] shapes = {{512,128,8192},{128,512,8192},{512,128,2048},{128,512,2048},{512,128,1024},{128,512,1024}};
        for (int rep = 0; rep < 3; rep++) {
            for (int[] s : shapes) {
                StepBench.GemmRunner g = new StepBench.GemmRunner(d, new GemmOps.Gemm(1, s[0], s[1], s[2], true, false, 0,0,0,false));
                g.warm(3);
                double[] w = g.runs(21); Arrays.sort(w);
                System.out.printf("%s %.0f | ", g.shape(), 2.0*s[0]*s[1]*s[2]/w[10]/1e6);
            }
            System.out.println();
        }
        d.close();
    }
}
