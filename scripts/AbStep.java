import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Two builds' training steps in one JVM, one step each in turn: the paired ratio of a change on a machine whose speed
 * swings by 10–40 % within minutes (two processes run minutes apart see different machines). Each jar gets its own
 * class loader, JVM device, plan, model and batch; each step writes its inputs, DropPath masks and AdamW scalars and
 * reads its losses, as {@code StepBench.trainingStep} does; steps alternate (the order flips every pair) after warm-up steps.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx12g scripts/AbStep.java OLD.jar NEW.jar MODEL IMG_SIZE BATCH PAIRS [THREADS]
 * </pre>
 * Prints both medians, the median and quartiles of new/old step time over the pairs, and whether the two builds'
 * last losses are the same bits (both trained the same steps from the same start). Not a test: a developer's
 * measurement, like {@code bench}.
 */
public class AbStep {
    /** One build's step: what {@code StepBench.trainingStep} moves and runs each step, reached by reflection. */
    record Side(Object device, Object step, Object plan, float[] images, float[] targets, float[] scalars, float[] losses,
                Method write, Method read, Method execute, Method dropPath, Object masks, Object imagesBuf, Object targetsBuf,
                Object scalarsBuf, Object lossesBuf) {
        void run(long i) throws Exception {
            write.invoke(device, imagesBuf, images);
            write.invoke(device, targetsBuf, targets);
            dropPath.invoke(null, device, masks, 0.1, 1L, i);
            write.invoke(device, scalarsBuf, scalars);
            execute.invoke(device, plan);
            read.invoke(device, lossesBuf, losses);
        }
    }

    static Side side(String jar, String model, int img, int batch, int threads) throws Exception {
        ClassLoader cl = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Object cfg = Class.forName("io.github.hopmixer.model.Models", true, cl).getMethod("get", String.class).invoke(null, model);
        cfg = cfg.getClass().getMethod("withData", int.class, int.class, int.class).invoke(cfg, img, 3, 10);
        Class<?> deviceType = Class.forName("io.github.hopmixer.device.Device", true, cl);
        Class<?> bufferType = Class.forName("io.github.hopmixer.plan.Buffer", true, cl);
        Object device = Class.forName("io.github.hopmixer.device.JvmDevice", true, cl).getConstructor(int.class).newInstance(threads);
        Object step = Class.forName("io.github.hopmixer.train.StepPlans", true, cl)
                .getMethod("training", cfg.getClass(), int.class, deviceType).invoke(null, cfg, batch, device);
        Class<?> bench = Class.forName("io.github.hopmixer.bench.StepBench", true, cl);
        Object in = null;
        for (Method m : bench.getMethods()) if (m.getName().equals("prepare")) in = m.invoke(null, device, step, cfg, batch);
        float[] scalars = (float[]) Class.forName("io.github.hopmixer.plan.Scalars", true, cl)
                .getMethod("adamW", double.class, double.class, long.class, double.class).invoke(null, 1e-4, 0.05, 1L, 0.0);
        Class<?> st = step.getClass();
        return new Side(device, step, st.getMethod("plan").invoke(step),
                (float[]) in.getClass().getMethod("images").invoke(in), (float[]) in.getClass().getMethod("targets").invoke(in),
                scalars, new float[batch],
                deviceType.getMethod("write", bufferType, float[].class), deviceType.getMethod("read", bufferType, float[].class),
                deviceType.getMethod("execute", Class.forName("io.github.hopmixer.plan.Plan", true, cl)),
                Class.forName("io.github.hopmixer.train.DropPath", true, cl)
                        .getMethod("write", deviceType, java.util.List.class, double.class, long.class, long.class),
                st.getMethod("dropPathMasks").invoke(step), st.getMethod("images").invoke(step), st.getMethod("targets").invoke(step),
                st.getMethod("scalars").invoke(step), st.getMethod("losses").invoke(step));
    }

    public static void main(String[] a) throws Exception {
        if (a.length < 6) {
            System.err.println("usage: AbStep OLD.jar NEW.jar MODEL IMG_SIZE BATCH PAIRS [THREADS]");
            System.exit(2);
        }
        int img = Integer.parseInt(a[3]), batch = Integer.parseInt(a[4]), pairs = Integer.parseInt(a[5]);
        int threads = a.length > 6 ? Integer.parseInt(a[6]) : Runtime.getRuntime().availableProcessors();
        Side[] s = {side(a[0], a[2], img, batch, threads), side(a[1], a[2], img, batch, threads)};
        double[][] ms = new double[2][pairs];
        for (int i = -4; i < pairs; i++)
            for (int t = 0; t < 2; t++) {
                int v = (i & 1) == 0 ? t : 1 - t;
                long t0 = System.nanoTime();
                s[v].run(i + 4);
                if (i >= 0) ms[v][i] = (System.nanoTime() - t0) / 1e6;
            }
        // Both builds trained on the same batch: a loss that is not finite means a broken step, not a timing.
        for (Side x : s)
            for (float l : x.losses())
                if (!Float.isFinite(l)) throw new IllegalStateException("a loss is " + l + ": the step is broken, its time means nothing");
        double[] r = new double[pairs];
        for (int i = 0; i < pairs; i++) r[i] = ms[1][i] / ms[0][i];
        for (double[] x : ms) Arrays.sort(x);
        Arrays.sort(r);
        System.out.printf("%s batch %d, %d pairs on %d threads: old %.1f, new %.1f ms a step (medians); new/old per pair %.3f (quartiles %.3f–%.3f); "
                        + "the last step's losses %s%n",
                a[2], batch, pairs, threads, ms[0][pairs / 2], ms[1][pairs / 2], r[pairs / 2], r[pairs / 4], r[3 * pairs / 4],
                Arrays.equals(s[0].losses(), s[1].losses()) ? "are the same bits" : "differ (the builds compute differently)");
    }
}
