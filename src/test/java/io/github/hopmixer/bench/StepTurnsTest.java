package io.github.hopmixer.bench;

import io.github.hopmixer.device.JvmDevice;
import io.github.hopmixer.model.ModelConfig;
import io.github.hopmixer.model.Models;
import io.github.hopmixer.ops.GemmOps.Gemm;
import io.github.hopmixer.train.StepPlans;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The turns protocol scripts/bench-compare.py --turns speaks: ready line, N steps per line, their ms, one-line errors. */
class StepTurnsTest {

    static final ModelConfig PICO = Models.get("paramixer_pico").withData(8, 3, 10);

    private static List<String> serve(JvmDevice d, String input, int[] turns) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            turns[0] = StepTurns.serve(new StepBench.Runner(d, PICO, 2), 2, new BufferedReader(new StringReader(input)), out);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void eachLineRunsThatManyStepsAndAnswersTheirTimes() throws IOException {
        try (JvmDevice d = new JvmDevice(1)) {
            long flops = StepPlans.training(PICO, 2, d).plan().matmulFlops();
            int[] turns = new int[1];
            List<String> out = serve(d, "3\n 1 \n\n5\n", turns);
            assertEquals(2, turns[0], "the empty line ends it; the 5 after it is not run");
            assertEquals(3, out.size(), out.toString());
            assertEquals("ready 2 " + flops, out.get(0));
            assertTrue(flops > 0);
            for (int i = 1; i <= 2; i++) {
                double[] ms = Arrays.stream(out.get(i).split(" ")).mapToDouble(Double::parseDouble).toArray();
                assertEquals(i == 1 ? 3 : 1, ms.length, out.get(i));
                for (double t : ms) assertTrue(t > 0, out.get(i));
            }
            assertEquals(1, serve(d, "2\n", turns).size() - 1, "the end of input ends it too");
            assertEquals(1, turns[0]);
        }
    }

    @Test
    void aLineThatIsNotAStepCountIsAOneLineError() {
        try (JvmDevice d = new JvmDevice(1)) {
            int[] turns = new int[1];
            var e = assertThrows(IllegalArgumentException.class, () -> serve(d, "2\nten\n", turns));
            assertEquals("turn 2: 'ten' is not a whole number from 1 to 10000; send that, or an empty line to end", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> serve(d, "0\n", turns));
            assertEquals("turn 1: '0' is out of range; send a whole number from 1 to 10000, or an empty line to end", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> serve(d, "10001\n", turns));
            assertTrue(e.getMessage().startsWith("turn 1: '10001' is out of range;"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> serve(d, "1 2\n", turns));
            assertEquals("turn 1: '1 2': send a whole number from 1 to 10000, or an empty line to end", e.getMessage());
        }
    }

    @Test
    void productsServeByIndexAndCount() throws IOException {
        try (JvmDevice d = new JvmDevice(1)) {
            List<StepBench.GemmRunner> gs = List.of(
                    new StepBench.GemmRunner(d, new Gemm(1, 8, 64, 16, false, true, 0, 0, 0, false)),
                    new StepBench.GemmRunner(d, new Gemm(3, 8, 64, 16, false, false, 0, 16 * 64, 8 * 64, false)));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int turns;
            try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
                turns = StepTurns.serveGemms(gs, new BufferedReader(new StringReader("1 2\n0 3\n")), out);
            }
            List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(2, turns);
            assertEquals("ready gemms gemm_nt:8x64x16 gemm_nn_shared_a:3x8x64x16", lines.get(0));
            assertEquals(2, lines.get(1).split(" ").length, lines.get(1));
            assertEquals(3, lines.get(2).split(" ").length, lines.get(2));
            var e = assertThrows(IllegalArgumentException.class,
                    () -> StepTurns.serveGemms(gs, new BufferedReader(new StringReader("2 1\n")), new PrintStream(new ByteArrayOutputStream())));
            assertEquals("turn 1: '2 1' is out of range; send a product from 0 to 1 and a count from 1 to 10000, or an empty line to end",
                    e.getMessage());
        }
    }

    @Test
    void stepsInTurnsTrainAsTheTimedStepDoes() {
        // The runner is the benchmark's step: same batch, masks and scalars, so a step in turns costs what a timed one does.
        float[] a, b;
        try (JvmDevice d = new JvmDevice(1)) {
            StepBench.Runner r = new StepBench.Runner(d, PICO, 2);
            r.steps(2);
            r.steps(1);
            a = lossesAfter(d, r);
        }
        try (JvmDevice d = new JvmDevice(2)) {
            StepBench.Runner r = new StepBench.Runner(d, PICO, 2);
            r.steps(3);
            b = lossesAfter(d, r);
        }
        assertArrayEquals(a, b, "3 steps in two turns on 1 thread give the bits of 3 in one on 2");
    }

    private static float[] lossesAfter(JvmDevice d, StepBench.Runner r) {
        r.steps(1);
        return r.losses();
    }
}
