package io.github.hopmixer.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * A warmed-up training step (or set of matrix products) that runs when asked, for timing in turns against another
 * program ({@code scripts/bench-compare.py --turns}): on a machine whose speed swings over minutes, two programs timed
 * one after the other see different machines, two that take short turns see the same one.
 *
 * <p>The protocol, one line each way. Steps: once warm it prints {@code ready <batch> <matmul flops>}; then each line
 * it reads holding a count N runs N steps and answers their milliseconds, space-separated. Products: it prints
 * {@code ready gemms <kernel>:<shape> ...}; each line {@code I N} runs product I (from 0, in that order) N times. An
 * empty line or the end of input ends it. The other sides (scripts/bench-pytorch.py --turns, bench-compare.py's numpy
 * server) speak the same.
 */
public final class StepTurns {
    private StepTurns() {}

    /** The most runs one turn may ask for: a typo of many zeros should not hold the machine for hours. */
    static final int MAX_STEPS = 10_000;

    /** Serves turns of training steps until an empty line or the end of input; returns how many turns it ran. */
    public static int serve(StepBench.Runner step, int batch, BufferedReader in, PrintStream out) throws IOException {
        return serve("ready " + batch + " " + step.matmulFlops(), 1, (ignored, n) -> step.steps(n), in, out);
    }

    /** Serves turns of the given products (each already warm) until an empty line or the end of input. */
    public static int serveGemms(List<StepBench.GemmRunner> gemms, BufferedReader in, PrintStream out) throws IOException {
        StringJoiner ready = new StringJoiner(" ", "ready gemms ", "");
        for (StepBench.GemmRunner g : gemms) ready.add(g.kernel() + ":" + g.shape());
        return serve(ready.toString(), gemms.size(), (i, n) -> gemms.get(i).runs(n), in, out);
    }

    private interface Turn {
        double[] run(int which, int n);
    }

    /** With {@code choices} 1 a line is a count N; with more it is {@code I N}, I below choices. */
    private static int serve(String ready, int choices, Turn turn, BufferedReader in, PrintStream out) throws IOException {
        out.println(ready);
        out.flush();
        int turns = 0;
        String expect = choices == 1 ? "a whole number from 1 to " + MAX_STEPS
                : "a product from 0 to " + (choices - 1) + " and a count from 1 to " + MAX_STEPS;
        for (String line; (line = in.readLine()) != null && !line.isBlank(); turns++) {
            String[] f = line.strip().split("\\s+");
            String where = "turn " + (turns + 1) + ": '" + line.strip() + "'";
            if (f.length != (choices == 1 ? 1 : 2)) throw new IllegalArgumentException(where + ": send " + expect + ", or an empty line to end");
            int which, n;
            try {
                which = choices == 1 ? 0 : Integer.parseInt(f[0]);
                n = Integer.parseInt(f[f.length - 1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + " is not " + expect + "; send that, or an empty line to end");
            }
            if (n < 1 || n > MAX_STEPS || which < 0 || which >= choices) {
                throw new IllegalArgumentException(where + " is out of range; send " + expect + ", or an empty line to end");
            }
            StringJoiner ms = new StringJoiner(" ");
            for (double t : turn.run(which, n)) ms.add(String.format(Locale.ROOT, "%.3f", t));
            out.println(ms);
            out.flush();
        }
        return turns;
    }
}
