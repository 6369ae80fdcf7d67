package io.github.hopmixer.cli;

import io.github.hopmixer.device.Device;
import io.github.hopmixer.device.Devices;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --threads}, shared by the commands that run a checkpoint. */
final class DeviceOptions {

    @Option(names = "--device", defaultValue = "jvm", description = "Device id, see 'hopmixer devices' (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", description = "JVM device threads (default: all cores).")
    Integer threads;

    Device open() {
        return Devices.open(device, threads != null ? threads : Runtime.getRuntime().availableProcessors());
    }
}
