package io.github.hopmixer.tornado;

import io.github.hopmixer.device.Device;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

import java.util.ArrayList;
import java.util.List;

/** Every use of TornadoVM's runtime API, kept out of {@link TornadoProvider} so that it loads without TornadoVM. */
final class TornadoRuntimeAccess {
    private TornadoRuntimeAccess() {}

    record DeviceInfo(int backend, int device, String backendName, String type, String name, long memoryBytes) {}

    /** TornadoVM properties hopmixer needs, set before TornadoVM reads them unless the command line set them. */
    private static final String[][] PROPERTIES = {
            {"tornado.recover.bailout", "False"},
            {"tornado.tvm.maxbytecodesize", "1048576"},
    };

    private static volatile TornadoRuntime runtime;
    private static volatile String failure;

    static synchronized String check() {
        if (runtime != null) return null;
        if (failure != null) return failure;
        for (String[] p : PROPERTIES) if (System.getProperty(p[0]) == null) System.setProperty(p[0], p[1]);
        if (Boolean.parseBoolean(System.getProperty("tornado.recover.bailout"))) {
            failure = "-Dtornado.recover.bailout=" + System.getProperty("tornado.recover.bailout") + " would let TornadoVM run failed "
                    + "kernels as sequential Java; hopmixer runs it with False (tornado-config/tornado-jvm.args)";
            return failure;
        }
        try {
            runtime = TornadoRuntimeProvider.getTornadoRuntime();
            if (runtime.getNumBackends() == 0) failure = "TornadoVM found no backend";
        } catch (LinkageError | RuntimeException e) {
            failure = "TornadoVM's runtime failed to start (is the JVM started with @$TORNADOVM_HOME/tornado-argfile?): "
                    + io.github.hopmixer.tornado.TornadoDevice.reason(e);
        }
        return failure;
    }

    static String typeOf(TornadoDevice d) {
        TornadoDeviceType t = d.getDeviceType();
        return switch (t) {
            case CPU -> "CPU";
            case GPU -> "GPU";
            case FPGA, ACCELERATOR -> "FPGA";
            default -> t.name();
        };
    }

    static List<DeviceInfo> devices() {
        List<DeviceInfo> out = new ArrayList<>();
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            TornadoBackend be = runtime.getBackend(b);
            for (int d = 0; d < be.getNumDevices(); d++) {
                TornadoDevice dev = be.getDevice(d);
                out.add(new DeviceInfo(b, d, be.getBackendType().name().toLowerCase(java.util.Locale.ROOT), typeOf(dev),
                        dev.getPhysicalDevice().getDeviceName().trim(), dev.getMaxGlobalMemory()));
            }
        }
        return out;
    }

    /** The device; {@code config} names the tornado-config to use (cpu, gpu, fpga), null for the device type's own. */
    static Device open(String id, int backend, int device, String config) {
        TornadoDevice dev;
        int b = backend, d = device;
        if (backend < 0) {
            dev = runtime.getDefaultDevice();
            b = dev.getBackendIndex();
            d = -1;
            TornadoBackend be = runtime.getBackend(b);
            for (int i = 0; i < be.getNumDevices(); i++) if (be.getDevice(i) == dev || be.getDevice(i).getDeviceName().equals(dev.getDeviceName())) d = i;
        } else {
            if (backend >= runtime.getNumBackends() || device >= runtime.getBackend(backend).getNumDevices() || device < 0) {
                List<String> ids = new ArrayList<>();
                for (DeviceInfo i : devices()) ids.add("tornado:" + i.backend() + ":" + i.device());
                throw new IllegalArgumentException("--device " + id + ": no such TornadoVM device; present: " + String.join(", ", ids));
            }
            dev = runtime.getBackend(backend).getDevice(device);
        }
        String type = typeOf(dev);
        String backendName = runtime.getBackend(b).getBackendType().name().toLowerCase(java.util.Locale.ROOT);
        String suffix = config == null ? "" : "@" + config;
        return new io.github.hopmixer.tornado.TornadoDevice("tornado:" + b + ":" + d + suffix, dev, backendName, type,
                TornadoConfig.forType(config == null ? type : config));
    }
}
