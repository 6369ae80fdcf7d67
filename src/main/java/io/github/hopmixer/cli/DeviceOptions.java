package io.github.hopmixer.cli;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.Devices;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code --device} and {@code --threads}, shared by the commands that run a checkpoint. */
final class DeviceOptions {

    @Option(names = "--device", defaultValue = "jvm", description = "Device id, see 'hopmixer devices' (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", description = "JVM device threads (default: all cores).")
    Integer threads;

    /** Checks both flags without opening anything, so that a command can refuse before it does any work. */
    void check() {
        threads("--threads", threads);
        check("--device", device);
    }

    Device open() {
        return open("--device", device, threads("--threads", threads));
    }

    /** More threads than this gain nothing and only hide a typo. */
    static int maxThreads() {
        return Math.max(256, 4 * Runtime.getRuntime().availableProcessors());
    }

    /** The thread count a {@code flag} asks for: all cores when not given, else 1..{@link #maxThreads()}. */
    static int threads(String flag, Integer requested) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (requested == null) return cores;
        if (requested < 1 || requested > maxThreads()) {
            throw new IllegalArgumentException(flag + " " + requested + ": must be between 1 and " + maxThreads()
                    + " (this machine has " + cores + " cores)");
        }
        return requested;
    }

    /** Fails, naming the flag, when {@code id} is no device here; a provider's device is opened once to be sure. */
    static void check(String flag, String id) {
        if (List.of("jvm", "reference", "auto").contains(id)) return;
        if (Devices.list().stream().anyMatch(i -> i.id().equals(id) || i.id().startsWith(id + ":"))) return;
        open(flag, id, 1).close();
    }

    /** Opens a device; a refusal names the flag and the id as the user typed them. */
    static Device open(String flag, String id, int threads) {
        try {
            return Devices.open(id, threads);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage() == null ? "cannot open this device" : e.getMessage().replaceFirst("^--device \\S+: ", "").replace("unknown device '" + id + "'", "unknown device");
            throw new IllegalArgumentException(flag + " " + id + ": " + m, e);
        }
    }
}
