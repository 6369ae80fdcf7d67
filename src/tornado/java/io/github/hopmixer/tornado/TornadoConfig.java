package io.github.hopmixer.tornado;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * Grid and graph settings for one device type, from {@code tornado-config/<type>.properties}: a folder or file named
 * by {@code $HOPMIXER_TORNADO_CONFIG} (or {@code -Dhopmixer.tornado.config}), else the copy the build puts on the
 * class path. Each key may be overridden with {@code -Dhopmixer.tornado.<key>=<value>}.
 */
public record TornadoConfig(String source, int graphTasks, int gemmRows, int gemmLocalX, int gemmLocalY, int gemmNtLocal,
                            int gemmGenericLocal, int gemmSplitWorkItems, int gemmSplitMin, int elementwiseLocal, int rowsLocal,
                            String openclFlags, String gemmKernel, boolean groupReductions, int reduceLocal,
                            int reduceWorkItems, int gemmTile8WorkItems) {

    public TornadoConfig {
        if (graphTasks < 2 || graphTasks > 256) throw new IllegalArgumentException(source + ": graph.tasks must be 2..256, is " + graphTasks);
        if (gemmSplitWorkItems < 1 || gemmSplitMin < 1) throw new IllegalArgumentException(source + ": gemm.split.* must be positive");
        if (gemmRows != 4 && gemmRows != 8) throw new IllegalArgumentException(source + ": gemm.rows must be 4 or 8, is " + gemmRows);
        if (!gemmKernel.equals("vector") && !gemmKernel.equals("tiled")) {
            throw new IllegalArgumentException(source + ": gemm.kernel must be vector or tiled, is '" + gemmKernel + "'");
        }
        for (int v : new int[] {gemmLocalX, gemmLocalY, gemmNtLocal, gemmGenericLocal, elementwiseLocal, rowsLocal}) {
            if (v < 1 || v > 1024) throw new IllegalArgumentException(source + ": local sizes must be 1..1024");
        }
        // the work-group kernels' tree halves the group: a power of two, within their local arrays
        if (reduceLocal < 1 || reduceLocal > ReductionTasks.MAX_LOCAL || Integer.bitCount(reduceLocal) != 1) {
            throw new IllegalArgumentException(source + ": reduce.local must be a power of two, 1.." + ReductionTasks.MAX_LOCAL + ", is " + reduceLocal);
        }
        if (reduceWorkItems < 1) throw new IllegalArgumentException(source + ": reduce.workitems must be positive");
        if (gemmTile8WorkItems < 1) throw new IllegalArgumentException(source + ": gemm.tile8.workitems must be positive");
    }

    /** Settings for a device of this type (CPU, GPU or FPGA; other types use the GPU settings). */
    public static TornadoConfig forType(String type) {
        String file = switch (type.toUpperCase(Locale.ROOT)) {
            case "CPU" -> "cpu";
            case "FPGA", "ACCELERATOR" -> "fpga";
            default -> "gpu";
        } + ".properties";
        Properties p = new Properties();
        String source;
        String dir = System.getProperty("hopmixer.tornado.config", System.getenv("HOPMIXER_TORNADO_CONFIG"));
        if (dir != null && !dir.isBlank()) {
            Path path = Path.of(dir);
            if (Files.isDirectory(path)) path = path.resolve(file);
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("HOPMIXER_TORNADO_CONFIG names " + dir + ", which has no " + file);
            }
            try (InputStream in = Files.newInputStream(path)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
            }
            source = path.toString();
        } else {
            try (InputStream in = TornadoConfig.class.getResourceAsStream("/tornado-config/" + file)) {
                if (in == null) throw new IllegalStateException("tornado-config/" + file + " is not on the class path (build with -Ptornado)");
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read tornado-config/" + file + ": " + e.getMessage(), e);
            }
            source = "classpath:tornado-config/" + file;
        }
        return new TornadoConfig(source, integer(p, "graph.tasks", source), integer(p, "gemm.rows", source),
                integer(p, "gemm.local.x", source), integer(p, "gemm.local.y", source), integer(p, "gemm.nt.local", source),
                integer(p, "gemm.generic.local", source), integer(p, "gemm.split.workitems", source),
                integer(p, "gemm.split.min", source), integer(p, "elementwise.local", source), integer(p, "rows.local", source),
                value(p, "opencl.flags", source).trim(), value(p, "gemm.kernel", source).trim(), reductions(p, source),
                integer(p, "reduce.local", source), integer(p, "reduce.workitems", source), integer(p, "gemm.tile8.workitems", source));
    }

    /** GEMMs run the local-memory tiled kernels (GPUs) instead of the vector kernels (CPUs, FPGAs). */
    public boolean gemmTiled() {
        return gemmKernel.equals("tiled");
    }

    /** reduce.kernels: items (one work-item per row, a serial loop) or groups (one work-group per row, a tree). */
    private static boolean reductions(Properties p, String source) {
        String v = value(p, "reduce.kernels", source).trim();
        return switch (v) {
            case "items" -> false;
            case "groups" -> true;
            default -> throw new IllegalArgumentException(source + ": reduce.kernels must be items or groups, is '" + v + "'");
        };
    }

    private static String value(Properties p, String key, String source) {
        String v = System.getProperty("hopmixer.tornado." + key, p.getProperty(key));
        if (v == null) throw new IllegalArgumentException(source + " has no " + key);
        return v;
    }

    private static int integer(Properties p, String key, String source) {
        String v = value(p, key, source).trim();
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": " + key + " must be an integer, is '" + v + "'");
        }
    }
}
