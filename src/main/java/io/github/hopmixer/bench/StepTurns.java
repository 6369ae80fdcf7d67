package io.github.hopmixer.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * A warmed-up training step that runs steps when asked, for timing in turns against another program
 * ({@code scripts/bench-compare.py --turns}): on a machine whose speed swings over minutes, two programs timed one
 * after the other see different machines, two that take short turns see the same one.
 *
 * <p>The protocol, one line each way: once warm it prints {@code ready <batch> <matmul flops>}; then each line it
 * reads holding a count N runs N steps and answers their milliseconds, space-separated. An empty line or the end of
 * input ends it. The other side (scripts/bench-pytorch.py --turns) speaks the same.
 */
public final class StepTurns {
    private StepTurns() {}

    /** The most steps one turn may ask for: a typo of many zeros should not hold the machine for hours. */
    static final int MAX_STEPS = 10_000;

    /** Serves turns until an empty line or the end of input; returns how many turns it ran. */
    public static int serve(StepBench.Runner step, int batch, BufferedReader in, PrintStream out) throws IOException {
        out.println("ready " + batch + " " + step.matmulFlops());
        out.flush();
        int turns = 0;
        for (String line; (line = in.readLine()) != null && !line.isBlank(); turns++) {
            int n;
            try {
                n = Integer.parseInt(line.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("turn " + (turns + 1) + ": '" + line.strip()
                        + "' is not a step count; send a whole number from 1 to " + MAX_STEPS + ", or an empty line to end");
            }
            if (n < 1 || n > MAX_STEPS) {
                throw new IllegalArgumentException("turn " + (turns + 1) + ": " + n + " steps; send a whole number from 1 to "
                        + MAX_STEPS + ", or an empty line to end");
            }
            StringJoiner ms = new StringJoiner(" ");
            for (double t : step.steps(n)) ms.add(String.format(Locale.ROOT, "%.3f", t));
            out.println(ms);
            out.flush();
        }
        return turns;
    }
}
