package io.github.hopmixer.device;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Device selection for {@code --device}: {@code jvm}, {@code reference}, a provider's id such as
 * {@code tornado} or {@code tornado:opencl:0}, or {@code auto} (a GPU, then an FPGA, then an OpenCL CPU device,
 * then the JVM). A device that is asked for and is not there is an error, never a quiet substitute.
 */
public final class Devices {
    private Devices() {}

    public static List<DeviceProvider> providers() {
        List<DeviceProvider> out = new ArrayList<>();
        var it = ServiceLoader.load(DeviceProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                out.add(it.next());
            } catch (java.util.ServiceConfigurationError | LinkageError e) {
                // A provider registered on the class path that cannot load (e.g. TornadoVM classes without the SDK)
                // is reported by problems(), never dropped silently where a user asks for it.
                continue;
            }
        }
        return out;
    }

    /** Why registered providers could not be loaded: empty when all load. */
    public static List<String> problems() {
        List<String> out = new ArrayList<>();
        var it = ServiceLoader.load(DeviceProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                it.next();
            } catch (java.util.ServiceConfigurationError | LinkageError e) {
                out.add(e.getMessage() + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
            }
        }
        return out;
    }

    /** Every device present: the JVM, the reference, and each provider's. */
    public static List<DeviceProvider.Info> list() {
        List<DeviceProvider.Info> out = new ArrayList<>();
        long heap = Runtime.getRuntime().maxMemory();
        out.add(new DeviceProvider.Info("jvm", "jvm", "CPU",
                Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("java.vm.name") + " "
                        + Runtime.version(), heap));
        out.add(new DeviceProvider.Info("reference", "jvm", "CPU", "scalar double-precision reference (slow)", heap));
        for (DeviceProvider p : providers()) out.addAll(p.list());
        return out;
    }

    public static Device open(String id, int threads) {
        if (id.equals("jvm")) return new JvmDevice(threads);
        if (id.equals("reference")) return new ReferenceDevice();
        if (id.equals("auto")) return openAuto(threads);
        String prefix = id.split("[:@]", 2)[0];
        for (DeviceProvider p : providers()) if (p.prefix().equals(prefix)) return p.open(id, threads);
        if (prefix.equals("tornado")) {
            List<String> problems = problems();
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("--device " + id + ": the TornadoVM backend is built in but cannot load: "
                        + String.join("; ", problems) + ". Start hopmixer through scripts/hopmixer with TORNADOVM_HOME set.");
            }
            throw new IllegalArgumentException("--device " + id + ": TornadoVM is not on this JVM. Install a TornadoVM SDK "
                    + "(https://github.com/beehive-lab/TornadoVM/releases, or 'sdk install tornadovm'), build hopmixer "
                    + "with 'mvn -Ptornado package', set TORNADOVM_HOME and start it through scripts/hopmixer. "
                    + "See the README's TornadoVM section.");
        }
        throw new IllegalArgumentException("unknown device '" + id + "'; expected jvm, reference, auto, or one of the ids "
                + "that 'hopmixer devices' lists");
    }

    private static Device openAuto(int threads) {
        for (String type : List.of("GPU", "FPGA", "CPU")) {
            for (DeviceProvider p : providers()) {
                for (DeviceProvider.Info info : p.list()) {
                    if (info.type().equalsIgnoreCase(type)) return p.open(info.id(), threads);
                }
            }
        }
        return new JvmDevice(threads);
    }
}
