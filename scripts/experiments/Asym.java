// 16 independent FMA chains alone and on both cores at once: the scaling with no memory. Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/Asym.java 
import jdk.incubator.vector.*;
import java.util.concurrent.*;
public class Asym {
    static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    static float chains(long iters) {
        FloatVector x = FloatVector.broadcast(SP, 0.999999f), y = FloatVector.broadcast(SP, 1e-7f);
        FloatVector a0=y,a1=y,a2=y,a3=y,a4=y,a5=y,a6=y,a7=y,a8=y,a9=y,a10=y,a11=y,a12=y,a13=y,a14=y,a15=y;
        for (long i = 0; i < iters; i++) {
            a0=x.fma(a0,y);a1=x.fma(a1,y);a2=x.fma(a2,y);a3=x.fma(a3,y);a4=x.fma(a4,y);a5=x.fma(a5,y);a6=x.fma(a6,y);a7=x.fma(a7,y);
            a8=x.fma(a8,y);a9=x.fma(a9,y);a10=x.fma(a10,y);a11=x.fma(a11,y);a12=x.fma(a12,y);a13=x.fma(a13,y);a14=x.fma(a14,y);a15=x.fma(a15,y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15).reduceLanes(VectorOperators.ADD);
    }
    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 300; i++) chains(1 << 12);
        long it = 1 << 20;
        ExecutorService ex = Executors.newFixedThreadPool(2);
        for (int r = 0; r < 6; r++) {
            long t = System.nanoTime(); chains(it); double alone = (System.nanoTime() - t) / 1e6;
            double[] tt = new double[2];
            Future<?> f0 = ex.submit(() -> { long s = System.nanoTime(); chains(it); tt[0] = (System.nanoTime() - s) / 1e6; });
            Future<?> f1 = ex.submit(() -> { long s = System.nanoTime(); chains(it); tt[1] = (System.nanoTime() - s) / 1e6; });
            f0.get(); f1.get();
            double fl = it * 16.0 * 16 * 2 / 1e6;
            System.out.printf("alone %.2f ms (%.0f GF/s) | together %.2f %.2f ms%n", alone, fl / alone, tt[0], tt[1]);
        }
        ex.shutdown();
    }
}
