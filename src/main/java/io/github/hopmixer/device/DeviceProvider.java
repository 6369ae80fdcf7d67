package io.github.hopmixer.device;

import java.util.List;

/**
 * A source of devices beyond the JVM, found with {@link java.util.ServiceLoader}: the TornadoVM backend
 * registers one in its profile. Providers list what is present and open a device by its id.
 */
public interface DeviceProvider {

    /** A device as listed by {@code hopmixer devices}; {@code id} is what {@code --device} takes. */
    record Info(String id, String backend, String type, String name, long memoryBytes) {}

    /** Prefix of the ids this provider opens, e.g. {@code tornado}. */
    String prefix();

    List<Info> list();

    /** Opens {@code id} (the prefix alone selects the provider's default device); fails loudly if it cannot. */
    Device open(String id, int threads);

    /**
     * Other ids that open a listed device with settings that change which kernels it runs (TornadoVM: the GPU-shaped
     * kernels on a CPU device, {@code tornado:0:0@gpu}), so the conformance suite proves those kernels too.
     */
    default List<String> variants(Info info) {
        return List.of();
    }
}
