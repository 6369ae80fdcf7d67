package io.github.hopmixer.tornado;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.DeviceProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The TornadoVM devices, found by {@link java.util.ServiceLoader} when hopmixer is built with {@code -Ptornado}.
 * Ids: {@code tornado} (TornadoVM's default device) and {@code tornado:<backend>:<device>} (indices as
 * {@code tornado --devices} prints them), either followed by {@code @cpu}, {@code @gpu} or {@code @fpga} to run the
 * device with that type's {@code tornado-config} (its kernels and grids) instead of its own. This class touches no
 * TornadoVM type until asked, so a jar built with the profile still starts on a JVM without TornadoVM; it then lists
 * nothing and says how to get TornadoVM when opened.
 */
public final class TornadoProvider implements DeviceProvider {

    @Override
    public String prefix() { return "tornado"; }

    @Override
    public List<Info> list() {
        if (unavailable() != null) return List.of();
        List<Info> out = new ArrayList<>();
        for (TornadoRuntimeAccess.DeviceInfo d : TornadoRuntimeAccess.devices()) {
            out.add(new Info("tornado:" + d.backend() + ":" + d.device(), d.backendName(), d.type(), d.name(), d.memoryBytes()));
        }
        return out;
    }

    @Override
    public Device open(String id, int threads) {
        String missing = unavailable();
        if (missing != null) {
            throw new IllegalArgumentException("--device " + id + ": TornadoVM is not on this JVM (" + missing + "). Install a TornadoVM SDK "
                    + "(https://github.com/beehive-lab/TornadoVM/releases, or 'sdk install tornadovm'), build hopmixer with "
                    + "'mvn -Ptornado package', set TORNADOVM_HOME and start it through scripts/hopmixer. See the README's "
                    + "TornadoVM section.");
        }
        // @cpu / @gpu / @fpga: that device type's tornado-config instead of the device's own (its kernels and grids)
        int at = id.indexOf('@');
        String config = at < 0 ? null : id.substring(at + 1);
        String bare = at < 0 ? id : id.substring(0, at);
        if (config != null && !CONFIGS.contains(config)) {
            throw new IllegalArgumentException("--device " + id + ": '@" + config + "' names no tornado-config; give @cpu, @gpu or @fpga");
        }
        int backend = -1, device = -1;
        if (!bare.equals("tornado")) {
            String[] parts = bare.split(":");
            try {
                if (parts.length != 3 || !parts[0].equals("tornado")) throw new NumberFormatException();
                backend = Integer.parseInt(parts[1]);
                device = Integer.parseInt(parts[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--device " + id + ": expected tornado or tornado:<backend>:<device> with indices as "
                        + "'hopmixer devices' lists them: " + ids());
            }
        }
        Device d = TornadoRuntimeAccess.open(id, backend, device, config);
        String warning = backendWarning(d.name());
        if (warning != null) System.err.println(warning);
        return d;
    }

    /**
     * A one-line warning for a backend that failed hopmixer's conformance suite where it was tried (null: none).
     * TornadoVM 5.2's PTX backend on an NVIDIA H200 (2026-11-30, results/gpu-h200): 2 to 4 of the 322 cases failed,
     * a different set each run, with host-device copies refused (CUDA_ERROR_INVALID_VALUE) and training steps gone NaN;
     * the OpenCL backend on the same GPU passed all 322. Not an error: the cases that pass are most of them, and a later
     * TornadoVM may mend it; run the conformance suite on the device to know (README, TornadoVM section).
     */
    static String backendWarning(String deviceName) {
        if (!deviceName.startsWith("tornado ptx ")) return null;
        return "hopmixer: warning: " + deviceName + ": TornadoVM 5.2's PTX backend failed 2-4 of hopmixer's 322 conformance "
                + "cases on an NVIDIA H200 (copies refused with CUDA_ERROR_INVALID_VALUE, NaN steps) where its OpenCL backend "
                + "passed all; prefer this GPU's OpenCL device ('hopmixer devices' lists it)";
    }

    /** The tornado-config device types a device id may name after '@'. */
    static final List<String> CONFIGS = List.of("cpu", "gpu", "fpga");

    /**
     * Each device also with every configuration that is not its own: the conformance suite then proves each config's
     * kernel shapes (one work-item per row, work-group reductions, the FPGA config's tiles and K slices) on every
     * device there is, so the FPGA config is proven on the devices at hand before it meets a board.
     */
    @Override
    public List<String> variants(Info info) {
        List<String> out = new ArrayList<>();
        for (String c : CONFIGS) if (!c.equalsIgnoreCase(info.type())) out.add(info.id() + "@" + c);
        return out;
    }

    private String ids() {
        List<String> ids = new ArrayList<>();
        for (Info i : list()) ids.add(i.id());
        return ids.isEmpty() ? "(none)" : String.join(", ", ids);
    }

    /** Null when TornadoVM's runtime is usable here, else why not. */
    static String unavailable() {
        try {
            Class.forName("uk.ac.manchester.tornado.api.TornadoExecutionPlan", false, TornadoProvider.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "no tornado-api classes; start the JVM with @$TORNADOVM_HOME/tornado-argfile";
        }
        try {
            return TornadoRuntimeAccess.check();
        } catch (LinkageError | RuntimeException e) {
            return "TornadoVM's runtime failed to start: " + TornadoDevice.reason(e).toLowerCase(Locale.ROOT);
        }
    }
}
