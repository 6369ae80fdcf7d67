package io.github.hopmixer.cli;

import io.github.hopmixer.testing.CliRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.*;

/**
 * predict's output handling (a missing -o folder is created, the file replaced whole, --top-k) and the error
 * log's placement (run directory, default folder, fallback when the run directory cannot take it).
 */
class PredictAndErrorLogTest {

    @TempDir
    static Path tmp;
    static CliFixture.Trained fx;

    @BeforeAll
    static void train() {
        fx = CliFixture.train(tmp);
    }

    @AfterEach
    void defaultLogPlace() {
        ErrorLog.useDirectory(null);
    }

    @Test
    void outputIntoAMissingFolderIsCreatedAndTopKListed() throws IOException {
        Path out = tmp.resolve("new/deeper/pred.csv");
        CliRun.Result r = CliRun.run("predict", "--checkpoint", fx.run().toString(), "--threads", "1", "--top-k", "2",
                "-o", out.toString(), fx.data().resolve("test").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("file,class,probability,class_2,probability_2,logit_a,logit_b", lines.getFirst());
        assertEquals(9, lines.size());
        for (String line : lines.subList(1, 9)) {
            String[] f = line.split(",");
            assertNotEquals(f[1], f[3], "two different classes: " + line);
            assertEquals(1.0, Double.parseDouble(f[2]) + Double.parseDouble(f[4]), 1e-5, "two classes' probabilities sum to 1: " + line);
            assertTrue(Double.parseDouble(f[2]) >= Double.parseDouble(f[4]), "most probable first: " + line);
        }
        try (var s = Files.list(out.getParent())) {
            assertEquals(List.of(out), s.toList(), "no temporary file left beside the output");
        }
    }

    @Test
    void jsonToStandardOutput() {
        CliRun.Result r = CliRun.run("predict", "--checkpoint", fx.run().toString(), "--threads", "1", "--format", "json",
                fx.data().resolve("test/a/0.png").toString());
        assertEquals(0, r.code(), r.err());
        var rows = com.google.gson.JsonParser.parseString(r.out()).getAsJsonArray();
        assertEquals(1, rows.size());
        assertEquals(java.util.Set.of("a", "b"), rows.get(0).getAsJsonObject().getAsJsonObject("logits").keySet());
    }

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new ArrayIndexOutOfBoundsException("Index 5 out of bounds for length 3");
        }
    }

    static CliRun.Result boom() {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand("boom", new Boom());
        return CliRun.run(cl, "boom");
    }

    static Path logOf(CliRun.Result r) {
        String line = r.errLines().getFirst();
        return Path.of(line.substring(line.indexOf("the full trace is in ") + "the full trace is in ".length()));
    }

    @Test
    void internalErrorGoesToTheRunDirectory() throws IOException {
        Path runDir = Files.createDirectories(tmp.resolve("some-run"));
        ErrorLog.useDirectory(runDir);
        CliRun.Result r = boom();
        assertEquals(1, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("hopmixer: internal error: array index out of bounds (Index 5 out of bounds for length 3); "), r.err());
        Path log = logOf(r);
        assertEquals(runDir, log.getParent());
        String text = Files.readString(log);
        assertTrue(text.contains("command: hopmixer boom"), text);
        assertTrue(text.contains("java.lang.ArrayIndexOutOfBoundsException: Index 5") && text.contains("\tat io.github.hopmixer.cli."), text);
    }

    @Test
    void withoutARunDirectoryTheLogGoesToAPerUserTemporaryFolder() throws IOException {
        String saved = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.resolve("sys-tmp").toString());
        try {
            Path expected = tmp.resolve("sys-tmp").resolve("hopmixer-" + System.getProperty("user.name"));
            assertEquals(expected, ErrorLog.directory());
            CliRun.Result r = boom();
            assertEquals(expected, logOf(r).getParent());
            assertTrue(logOf(r).getFileName().toString().matches("hopmixer-error-\\d{8}-\\d{6}-\\d{3}(-\\d+)?\\.log"), r.err());

            // A run directory that cannot take the log (a file is where it should be): the default folder does.
            Path blocked = Files.writeString(tmp.resolve("blocked"), "a file");
            ErrorLog.useDirectory(blocked.resolve("run"));
            CliRun.Result again = boom();
            assertEquals(1, again.errLines().size(), again.err());
            assertEquals(expected, logOf(again).getParent());
            assertTrue(Files.readString(logOf(again)).contains("ArrayIndexOutOfBoundsException"));
        } finally {
            System.setProperty("java.io.tmpdir", saved);
        }
    }
}
