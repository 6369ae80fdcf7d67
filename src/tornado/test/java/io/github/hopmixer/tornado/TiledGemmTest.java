package io.github.hopmixer.tornado;

import io.github.hopmixer.device.Devices;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.tornado.TornadoKernelTest.Case;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.util.ArrayList;
import java.util.List;

import static io.github.hopmixer.tornado.TornadoKernelTest.gemm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GPU config's GEMM ({@code gemm.kernel=tiled}, {@link io.github.hopmixer.tornado.kernels.TiledGemmKernels}) run on
 * the default TornadoVM device (PoCL here) with {@code tornado-config/gpu.properties}, against the double-precision
 * reference: all four transpose cases on odd shapes (tiles cut by m, n and K), per-image and shared operands, the
 * batch-summed weight gradient and a long K split into slices (partial sums, then their sum, with acc), the one-output
 * tile, and every GEMM shape of the nano training step at batch 128.
 */
class TiledGemmTest {
    /** The GPU config as shipped, for the nano shapes. */
    private static TornadoDevice gpu;
    /** The GPU config with gemm.split.workitems 1024 instead of 16384: the small shapes take the paths the nano ones do. */
    private static TornadoDevice scaled;

    /** gpu.properties, with gemm.split.workitems (and gemm.tile8.workitems, by a quarter of it) scaled down for small shapes (or as shipped: null). */
    static TornadoConfig gpuConfig(String splitWorkItems) {
        String key = "hopmixer.tornado.gemm.split.workitems", key8 = "hopmixer.tornado.gemm.tile8.workitems";
        if (splitWorkItems == null) return TornadoConfig.forType("GPU");
        System.setProperty(key, splitWorkItems);
        System.setProperty(key8, String.valueOf(Integer.parseInt(splitWorkItems) / 4));
        try {
            return TornadoConfig.forType("GPU");
        } finally {
            System.clearProperty(key);
            System.clearProperty(key8);
        }
    }

    @BeforeAll
    static void open() {
        TornadoDeviceTest.requireTornado();
        TornadoDevice def = (TornadoDevice) Devices.open(System.getProperty("hopmixer.tornado.test.device", "tornado"), 1);
        def.close();
        gpu = new TornadoDevice(def.id(), def.tornadoDevice(), "gpu-config", def.type(), gpuConfig(null));
        scaled = new TornadoDevice(def.id(), def.tornadoDevice(), "gpu-config-scaled", def.type(), gpuConfig("1024"));
    }

    @AfterAll
    static void close() {
        if (gpu != null) gpu.close();
        if (scaled != null) scaled.close();
    }

    /** Odd and aligned small shapes, each transpose case: with gemm.split.workitems 1024, 4 × 4 tiles, split or not, and 1 × 1. */
    static List<Case> smallCases() {
        List<Case> cs = new ArrayList<>();
        for (int tA = 0; tA < 2; tA++) {
            for (int tB = 0; tB < 2; tB++) {
                String t = " t" + tA + tB;
                cs.add(gemm("odd 37x29x13 acc" + t, 1, 37, 29, 13, tA, tB, false, false, false, 1));
                cs.add(gemm("aligned 128x64x32" + t, 1, 128, 64, 32, tA, tB, false, false, false, 0));
                cs.add(gemm("per-image 3x 19x70x17" + t, 3, 19, 70, 17, tA, tB, true, true, false, 0));
                cs.add(gemm("weight-left 3x 65x70x9 acc" + t, 3, 65, 70, 9, tA, tB, false, true, false, 1));
                cs.add(gemm("weight-right 8x 9x40x5" + t, 8, 9, 40, 5, tA, tB, true, false, false, 0));
                cs.add(gemm("split batch-summed 64x 16x33x24 acc" + t, 64, 16, 33, 24, tA, tB, true, true, true, 1));
                cs.add(gemm("split K 24x48x1000" + t, 1, 24, 48, 1000, tA, tB, false, false, false, 0));
                cs.add(gemm("one-output tile 5x4x8" + t, 1, 5, 4, 8, tA, tB, false, false, false, 0));
                cs.add(gemm("tile8 130x140x70 acc" + t, 1, 130, 140, 70, tA, tB, false, false, false, 1));
                cs.add(gemm("tile8 per-image 2x 131x257x9" + t, 2, 131, 257, 9, tA, tB, true, true, false, 0));
            }
        }
        return cs;
    }

    /** Every GEMM of the nano step, with the GPU config as shipped. */
    static List<Case> nanoCases() {
        List<Case> cs = new ArrayList<>();
        // Every GEMM of paramixer_nano's training step at batch 128 (S = 64 tokens, C = 128, hidden 512, 48 = 3·4·4 pixels)
        cs.add(gemm("nano token 128x 64x128x64", 128, 64, 128, 64, 0, 0, false, true, false, 0));
        cs.add(gemm("nano token dX 128x 64x128x64 tA acc", 128, 64, 128, 64, 1, 0, false, true, false, 1));
        cs.add(gemm("nano token dW 128x 64x64x128 tB summed", 128, 64, 64, 128, 0, 1, true, true, true, 0));
        cs.add(gemm("nano fc1 8192x512x128", 1, 8192, 512, 128, 0, 0, false, false, false, 0));
        cs.add(gemm("nano fc1 8192x512x128 tB", 1, 8192, 512, 128, 0, 1, false, false, false, 0));
        cs.add(gemm("nano fc2 8192x128x512", 1, 8192, 128, 512, 0, 0, false, false, false, 0));
        cs.add(gemm("nano fc2 8192x128x512 tB", 1, 8192, 128, 512, 0, 1, false, false, false, 0));
        cs.add(gemm("nano dW 512x128x8192 tA", 1, 512, 128, 8192, 1, 0, false, false, false, 0));
        cs.add(gemm("nano dW 128x512x8192 tA", 1, 128, 512, 8192, 1, 0, false, false, false, 0));
        cs.add(gemm("nano patch 8192x128x48 tB", 1, 8192, 128, 48, 0, 1, false, false, false, 0));
        cs.add(gemm("nano patch dW 128x48x8192 tA", 1, 128, 48, 8192, 1, 0, false, false, false, 0));
        cs.add(gemm("nano head 128x10x128 tB", 1, 128, 10, 128, 0, 1, false, false, false, 0));
        cs.add(gemm("nano head dX 128x128x10", 1, 128, 128, 10, 0, 0, false, false, false, 0));
        cs.add(gemm("nano head dW 10x128x128 tA", 1, 10, 128, 128, 1, 0, false, false, false, 0));
        return cs;
    }

    /** Device against the reference, with {@link TornadoKernelTest}'s tolerance. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("smallCases")
    void smallShapesMatchTheReference(Case c) {
        TornadoKernelTest.checkAgainstReference(scaled, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nanoCases")
    void nanoShapesMatchTheReference(Case c) {
        TornadoKernelTest.checkAgainstReference(gpu, c);
    }

    /** The cases reach both tiles, split and unsplit, and never the CPU kernels or a transposed copy. */
    @Test
    void casesRunTheTiledKernelsOnly() {
        int split = 0, one = 0, four = 0, eight = 0, splitOne = 0, splitFour = 0, splitEight = 0;
        List<Case> all = new ArrayList<>(smallCases());
        all.addAll(nanoCases());
        for (Case c : all) {
            TornadoConfig cfg = gpuConfig(smallCases().contains(c) ? "1024" : null);
            Gemm g = (Gemm) c.op();
            TiledGemmTasks.Shape s = TiledGemmTasks.shape(g, cfg);
            if (s.slices() > 1 && s.block() == 1) splitOne++;
            if (s.slices() > 1 && s.block() == 4) splitFour++;
            if (s.slices() > 1 && s.block() == 8) splitEight++;
            if (s.slices() > 1) split++;
            if (s.block() == 1) one++; else if (s.block() == 4) four++; else eight++;
            FloatArray[] stand = {new FloatArray(1), new FloatArray(1), new FloatArray(1)};
            KernelTasks.Scratch scratch = new KernelTasks.Scratch() {
                @Override public FloatArray transposed() { return null; }

                @Override public FloatArray partials() { return new FloatArray(1); }
            };
            List<KernelTask> tasks = KernelTasks.of(TornadoKernelTest.plan(c).invocations().getFirst(), stand, cfg, scratch);
            assertTrue(tasks.getFirst().kernel().startsWith("TiledGemmKernels.tiled"), c + ": " + tasks);
            assertEquals(s.slices() > 1 ? 2 : 1, tasks.size(), c + ": " + tasks);
        }
        assertTrue(split >= 16 && one >= 8 && four >= 24 && eight >= 8 && splitOne >= 2 && splitFour >= 8 && splitEight >= 4,
                "split " + split + " (1x1 " + splitOne + ", 4x4 " + splitFour + ", 8x8 " + splitEight + "), 1x1 " + one
                        + ", 4x4 " + four + ", 8x8 " + eight);
    }

    /**
     * The nano step with the GPU config (issue 8, item 2): no GEMM launch copies a transposed operand or runs a CPU
     * kernel, and every GEMM launch (the slices' sums included) of over 64 K elements has at least 16 K work-items.
     */
    @Test
    void nanoStepGemmsMeetTheGpuRules() {
        List<KernelAudit.Row> rows = KernelAudit.rows(Models.get("paramixer_nano").withData(32, 3, 10), 128, TornadoConfig.forType("GPU"));
        int gemms = 0;
        for (KernelAudit.Row r : rows) {
            if (!r.op().equals("GEMM")) continue;
            gemms++;
            assertTrue(r.kernel().startsWith("TiledGemmKernels."), r.toString());
            assertEquals("", r.violation(), r.toString());
            if (!r.gemmReduction()) assertTrue(r.loop() <= KernelAudit.MAX_LOOP, r.toString());
        }
        assertTrue(gemms > 100, "GEMM launches " + gemms);
        assertFalse(rows.stream().anyMatch(r -> r.kernel().equals("GemmKernels.transpose")));
    }
}
