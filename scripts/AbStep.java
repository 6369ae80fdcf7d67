import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Two builds' training steps in one JVM, one step each in turn: the paired ratio of a change on a machine whose speed
 * swings by 10–40 % within minutes (two processes run minutes apart see different machines). Each jar gets its own
 * class loader, JVM device, plan and model; steps alternate (the order flips every pair) after warm-up steps.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xmx12g scripts/AbStep.java OLD.jar NEW.jar MODEL IMG_SIZE BATCH PAIRS [THREADS]
 * </pre>
 * Prints both medians and the median and quartiles of new/old step time over the pairs. Not a test: a developer's
 * measurement, like {@code bench}.
 */
public class AbStep {
    record Side(Object device, Object plan, Method execute) {}

    static Side side(String jar, String model, int img, int batch, int threads) throws Exception {
        ClassLoader cl = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Object cfg = Class.forName("io.github.hopmixer.model.Models", true, cl).getMethod("get", String.class).invoke(null, model);
        cfg = cfg.getClass().getMethod("withData", int.class, int.class, int.class).invoke(cfg, img, 3, 10);
        Class<?> deviceType = Class.forName("io.github.hopmixer.device.Device", true, cl);
        Object device = Class.forName("io.github.hopmixer.device.JvmDevice", true, cl).getConstructor(int.class).newInstance(threads);
        Object step = Class.forName("io.github.hopmixer.train.StepPlans", true, cl)
                .getMethod("training", cfg.getClass(), int.class, deviceType).invoke(null, cfg, batch, device);
        Class<?> bench = Class.forName("io.github.hopmixer.bench.StepBench", true, cl);
        for (Method m : bench.getMethods()) if (m.getName().equals("prepare")) m.invoke(null, device, step, cfg, batch);
        Object plan = step.getClass().getMethod("plan").invoke(step);
        return new Side(device, plan, deviceType.getMethod("execute", Class.forName("io.github.hopmixer.plan.Plan", true, cl)));
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
                s[v].execute().invoke(s[v].device(), s[v].plan());
                if (i >= 0) ms[v][i] = (System.nanoTime() - t0) / 1e6;
            }
        double[] r = new double[pairs];
        for (int i = 0; i < pairs; i++) r[i] = ms[1][i] / ms[0][i];
        for (double[] x : ms) Arrays.sort(x);
        Arrays.sort(r);
        System.out.printf("%s batch %d, %d pairs on %d threads: old %.1f, new %.1f ms a step (medians); new/old per pair %.3f (quartiles %.3f–%.3f)%n",
                a[2], batch, pairs, threads, ms[0][pairs / 2], ms[1][pairs / 2], r[pairs / 2], r[pairs / 4], r[3 * pairs / 4]);
    }
}
