package io.github.hopmixer.cli;

import io.github.hopmixer.device.DeviceProvider;
import io.github.hopmixer.device.Devices;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the devices hopmixer can run on; the id column is what --device takes.")
final class DevicesCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.printf("%-24s %-8s %-6s %10s  %s%n", "id", "backend", "type", "memory", "name");
        for (DeviceProvider.Info d : Devices.list()) {
            System.out.printf("%-24s %-8s %-6s %9.1fG  %s%n", d.id(), d.backend(), d.type(), d.memoryBytes() / 1e9, d.name());
        }
        for (String problem : Devices.problems()) System.out.println("\nA device provider could not load: " + problem);
        if (Devices.providers().isEmpty()) {
            System.out.println("\nNo TornadoVM on this JVM: GPUs and FPGAs need the TornadoVM SDK and the 'tornado' build"
                    + " (see README, section TornadoVM).");
        }
        return 0;
    }
}
