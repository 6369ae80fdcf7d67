// register tiles 6x4, 4x6, 8x3 on L1-resident operands, one thread. Run from the checkout after a build (see README.md here):
//   java --add-modules jdk.incubator.vector -cp target/hopmixer.jar scripts/experiments/Tiles.java 128 100000
import jdk.incubator.vector.*;
import java.util.*;
/** Register-tile shapes on L1-resident operands, one thread: rows x vectors, 24 accumulators each. */
public class Tiles {
    static final VectorSpecies<Float> SP = FloatVector.SPECIES_512; static final int L = 16;
    static float[] a = new float[8 * 1024], b = new float[8 * 16 * 1024], c = new float[8 * 128];
    // 6 x 4
    static void t64(int kc) {
        FloatVector x00=FloatVector.zero(SP),x01=x00,x02=x00,x03=x00,x10=x00,x11=x00,x12=x00,x13=x00,x20=x00,x21=x00,x22=x00,x23=x00,
          x30=x00,x31=x00,x32=x00,x33=x00,x40=x00,x41=x00,x42=x00,x43=x00,x50=x00,x51=x00,x52=x00,x53=x00;
        for (int p = 0; p < kc; p++) {
            int o = p * 64, q = p * 6;
            FloatVector v0=FloatVector.fromArray(SP,b,o),v1=FloatVector.fromArray(SP,b,o+L),v2=FloatVector.fromArray(SP,b,o+2*L),v3=FloatVector.fromArray(SP,b,o+3*L);
            FloatVector s=FloatVector.broadcast(SP,a[q]); x00=v0.fma(s,x00);x01=v1.fma(s,x01);x02=v2.fma(s,x02);x03=v3.fma(s,x03);
            s=FloatVector.broadcast(SP,a[q+1]); x10=v0.fma(s,x10);x11=v1.fma(s,x11);x12=v2.fma(s,x12);x13=v3.fma(s,x13);
            s=FloatVector.broadcast(SP,a[q+2]); x20=v0.fma(s,x20);x21=v1.fma(s,x21);x22=v2.fma(s,x22);x23=v3.fma(s,x23);
            s=FloatVector.broadcast(SP,a[q+3]); x30=v0.fma(s,x30);x31=v1.fma(s,x31);x32=v2.fma(s,x32);x33=v3.fma(s,x33);
            s=FloatVector.broadcast(SP,a[q+4]); x40=v0.fma(s,x40);x41=v1.fma(s,x41);x42=v2.fma(s,x42);x43=v3.fma(s,x43);
            s=FloatVector.broadcast(SP,a[q+5]); x50=v0.fma(s,x50);x51=v1.fma(s,x51);x52=v2.fma(s,x52);x53=v3.fma(s,x53);
        }
        FloatVector t=x00.add(x01).add(x02).add(x03).add(x10).add(x11).add(x12).add(x13).add(x20).add(x21).add(x22).add(x23)
          .add(x30).add(x31).add(x32).add(x33).add(x40).add(x41).add(x42).add(x43).add(x50).add(x51).add(x52).add(x53);
        t.intoArray(c, 0);
    }
    // 4 x 6
    static void t46(int kc) {
        FloatVector x00=FloatVector.zero(SP),x01=x00,x02=x00,x03=x00,x04=x00,x05=x00,x10=x00,x11=x00,x12=x00,x13=x00,x14=x00,x15=x00,
          x20=x00,x21=x00,x22=x00,x23=x00,x24=x00,x25=x00,x30=x00,x31=x00,x32=x00,x33=x00,x34=x00,x35=x00;
        for (int p = 0; p < kc; p++) {
            int o = p * 96, q = p * 4;
            FloatVector v0=FloatVector.fromArray(SP,b,o),v1=FloatVector.fromArray(SP,b,o+L),v2=FloatVector.fromArray(SP,b,o+2*L),v3=FloatVector.fromArray(SP,b,o+3*L),
              v4=FloatVector.fromArray(SP,b,o+4*L),v5=FloatVector.fromArray(SP,b,o+5*L);
            FloatVector s=FloatVector.broadcast(SP,a[q]); x00=v0.fma(s,x00);x01=v1.fma(s,x01);x02=v2.fma(s,x02);x03=v3.fma(s,x03);x04=v4.fma(s,x04);x05=v5.fma(s,x05);
            s=FloatVector.broadcast(SP,a[q+1]); x10=v0.fma(s,x10);x11=v1.fma(s,x11);x12=v2.fma(s,x12);x13=v3.fma(s,x13);x14=v4.fma(s,x14);x15=v5.fma(s,x15);
            s=FloatVector.broadcast(SP,a[q+2]); x20=v0.fma(s,x20);x21=v1.fma(s,x21);x22=v2.fma(s,x22);x23=v3.fma(s,x23);x24=v4.fma(s,x24);x25=v5.fma(s,x25);
            s=FloatVector.broadcast(SP,a[q+3]); x30=v0.fma(s,x30);x31=v1.fma(s,x31);x32=v2.fma(s,x32);x33=v3.fma(s,x33);x34=v4.fma(s,x34);x35=v5.fma(s,x35);
        }
        FloatVector t=x00.add(x01).add(x02).add(x03).add(x04).add(x05).add(x10).add(x11).add(x12).add(x13).add(x14).add(x15)
          .add(x20).add(x21).add(x22).add(x23).add(x24).add(x25).add(x30).add(x31).add(x32).add(x33).add(x34).add(x35);
        t.intoArray(c, 0);
    }
    // 8 x 3
    static void t83(int kc) {
        FloatVector x00=FloatVector.zero(SP),x01=x00,x02=x00,x10=x00,x11=x00,x12=x00,x20=x00,x21=x00,x22=x00,x30=x00,x31=x00,x32=x00,
          x40=x00,x41=x00,x42=x00,x50=x00,x51=x00,x52=x00,x60=x00,x61=x00,x62=x00,x70=x00,x71=x00,x72=x00;
        for (int p = 0; p < kc; p++) {
            int o = p * 48, q = p * 8;
            FloatVector v0=FloatVector.fromArray(SP,b,o),v1=FloatVector.fromArray(SP,b,o+L),v2=FloatVector.fromArray(SP,b,o+2*L);
            FloatVector s=FloatVector.broadcast(SP,a[q]); x00=v0.fma(s,x00);x01=v1.fma(s,x01);x02=v2.fma(s,x02);
            s=FloatVector.broadcast(SP,a[q+1]); x10=v0.fma(s,x10);x11=v1.fma(s,x11);x12=v2.fma(s,x12);
            s=FloatVector.broadcast(SP,a[q+2]); x20=v0.fma(s,x20);x21=v1.fma(s,x21);x22=v2.fma(s,x22);
            s=FloatVector.broadcast(SP,a[q+3]); x30=v0.fma(s,x30);x31=v1.fma(s,x31);x32=v2.fma(s,x32);
            s=FloatVector.broadcast(SP,a[q+4]); x40=v0.fma(s,x40);x41=v1.fma(s,x41);x42=v2.fma(s,x42);
            s=FloatVector.broadcast(SP,a[q+5]); x50=v0.fma(s,x50);x51=v1.fma(s,x51);x52=v2.fma(s,x52);
            s=FloatVector.broadcast(SP,a[q+6]); x60=v0.fma(s,x60);x61=v1.fma(s,x61);x62=v2.fma(s,x62);
            s=FloatVector.broadcast(SP,a[q+7]); x70=v0.fma(s,x70);x71=v1.fma(s,x71);x72=v2.fma(s,x72);
        }
        FloatVector t=x00.add(x01).add(x02).add(x10).add(x11).add(x12).add(x20).add(x21).add(x22).add(x30).add(x31).add(x32)
          .add(x40).add(x41).add(x42).add(x50).add(x51).add(x52).add(x60).add(x61).add(x62).add(x70).add(x71).add(x72);
        t.intoArray(c, 0);
    }
    // 6 x 4 with a's six values loaded as one vector per p-pair? no: 6x4 with broadcasts from a vector via lane (rearrange-free): skip
    public static void main(String[] x) {
        Random r = new Random(1);
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat();
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat();
        int kc = Integer.parseInt(x[0]), reps = Integer.parseInt(x[1]);
        String[] names = {"6x4", "4x6", "8x3"};
        double flopsPer = 2.0 * 24 * 16 * kc;
        for (int w = 0; w < 20000; w++) { t64(kc); t46(kc); t83(kc); }
        double[][] res = new double[3][10];
        for (int round = 0; round < 10; round++) {
            for (int vi = 0; vi < 3; vi++) {
                int v = (vi + round) % 3;
                long s = System.nanoTime();
                for (int i = 0; i < reps; i++) { if (v == 0) t64(kc); else if (v == 1) t46(kc); else t83(kc); }
                res[v][round] = flopsPer * reps / (System.nanoTime() - s);
            }
        }
        for (int v = 0; v < 3; v++) { double[] s = res[v].clone(); Arrays.sort(s); System.out.printf("%s kc=%d: median %.1f GFLOP/s, max %.1f%n", names[v], kc, s[5], s[9]); }
    }
}
