package io.github.hopmixer.tornado;

import uk.ac.manchester.tornado.api.WorkerGrid;

/**
 * A task's local work size against its device's limits, checked before a plan runs: OpenCL refuses a launch whose
 * work-group exceeds the device's maximum or whose local size does not divide the global size, and TornadoVM 5.2 only
 * prints that refusal (or silently replaces a too-large local size), so the kernel's outputs would stay stale.
 */
final class LocalSizes {
    private LocalSizes() {}

    /** Null when the task's grid fits the device, else one line naming the kernel, its sizes and the limits. */
    static String check(KernelTask t, uk.ac.manchester.tornado.api.common.TornadoDevice device, String deviceName, String plan, String config) {
        long[] items = device.getPhysicalDevice().getDeviceMaxWorkItemSizes();
        long[] group = device.getPhysicalDevice().getDeviceMaxWorkGroupSize();
        return check(t, items, group == null || group.length == 0 ? Long.MAX_VALUE : group[0], deviceName, plan, config);
    }

    static String check(KernelTask t, long[] maxItems, long maxGroup, String deviceName, String plan, String config) {
        WorkerGrid g = t.grid();
        long[] global = g.getGlobalWork(), local = g.getLocalWork();
        if (local == null) return null; // TornadoVM picks the local size itself
        int dims = g.dimension();
        long product = 1;
        String why = null;
        for (int d = 0; d < dims; d++) {
            product *= local[d];
            if (local[d] < 1) why = "a local size below 1";
            else if (maxItems != null && d < maxItems.length && local[d] > maxItems[d]) why = "dimension " + d + " over the device's " + maxItems[d];
            else if (global[d] % local[d] != 0) why = "global size " + global[d] + " not a multiple of local size " + local[d] + " in dimension " + d;
        }
        if (why == null && product > maxGroup) why = product + " work-items per group, over the device's " + maxGroup;
        if (why == null) return null;
        return "kernel " + t + " of plan " + plan + " cannot launch on " + deviceName + ": local size " + sizes(local, dims) + " for global "
                + sizes(global, dims) + ", " + why + " (max work-group " + maxGroup + ", per dimension " + sizes(maxItems, maxItems == null ? 0 : maxItems.length)
                + "); lower the *.local keys of " + config;
    }

    static String sizes(long[] v, int dims) {
        if (v == null || dims == 0) return "?";
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < dims; d++) sb.append(d == 0 ? "" : "x").append(v[d]);
        return sb.toString();
    }
}
