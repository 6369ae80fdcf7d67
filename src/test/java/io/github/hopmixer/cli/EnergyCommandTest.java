package io.github.hopmixer.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code hopmixer energy}: its files, and one clear line for a bad flag. */
class EnergyCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesCsvAndPlots() throws IOException {
        Path out = tmp.resolve("energy");
        assertEquals(0, Main.commandLine().execute("energy", "--output", out.toString(), "--t-max", "1", "--dt", "0.1",
                "--states", "2", "--draws", "1"));
        List<String> rows = Files.readAllLines(out.resolve("energy.csv"));
        assertEquals("case,coupling,state,t,E", rows.get(0));
        assertEquals(1 + 8 * 2 * 11, rows.size(), "8 runs × 2 states × 11 samples");
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("S4-C8-Ns20-Nc160-shared,broken,1,1.0000,")));
        for (String png : List.of("energy-S2-C1-Ns3-Nc2-per-axis.png", "energy-S4-C8-Ns20-Nc160-shared.png",
                "landscape-S2-C1-Ns3-Nc2-shared.png")) {
            assertTrue(Files.size(out.resolve(png)) > 10_000, png);
        }
        assertEquals(9, Files.readAllLines(out.resolve("rise-frequency.csv")).size());
    }

    @Test
    void badFlagIsOneLine() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("energy", "--output", tmp.toString(), "--dt", "-1"));
        assertEquals("hopmixer: --dt must be in (0, --t-max], got -1.0", err.toString().strip());
    }
}
