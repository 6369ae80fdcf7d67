package io.github.hopmixer.train;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Progress lines without a terminal: every N steps, and after 30 s of silence however slow the steps are. */
class ProgressLogTest {
    @Test
    void aLineEveryNStepsAndAtLeastEveryThirtySeconds() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {0};
        ProgressLog log = new ProgressLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), 50, 1000, 100, 10, () -> now[0]);
        for (long step = 101; step <= 160; step++) {
            now[0] += 100_000_000L; // 0.1 s a step: a line at step 150 only
            log.step(1, step, 0.5);
        }
        for (long step = 161; step <= 164; step++) {
            now[0] += 20_000_000_000L; // 20 s a step: a line after every second step
            log.step(1, step, 0.25);
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of(
                "epoch 1  step 150/1000  loss 0.5000  100 img/s  ETA 1m25s",
                "epoch 1  step 162/1000  loss 0.2500  13 img/s  ETA 10m22s", // 62 steps in 46 s
                "epoch 1  step 164/1000  loss 0.2500  7 img/s  ETA 18m43s"), lines);
    }
}
