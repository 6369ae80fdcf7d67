package io.github.hopmixer.cli;

import io.github.hopmixer.testing.CliRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Path flags and their messages: an empty path is refused by every command (train --output "" trained into the
 * current folder), a file where a folder goes is named as such, the reason of a file error is words (not the path
 * again), and train's --threads rule is bench's.
 */
class PathFlagsTest {
    @TempDir
    static Path tmp;
    static CliFixture.Trained trained;
    static Path aFile;

    @BeforeAll
    static void setUp() throws IOException {
        trained = CliFixture.train(tmp);
        aFile = Files.writeString(tmp.resolve("afile"), "not a folder\n");
    }

    @Test
    void anEmptyPathIsRefusedByEveryCommand() throws IOException {
        String run = trained.run().toString();
        for (List<String> args : List.of(List.of("train", "--output", ""), List.of("train", "--resume", ""),
                List.of("eval", "--checkpoint", ""), List.of("predict", "--checkpoint", "", "x.png"),
                List.of("predict", "--checkpoint", run, ""), List.of("energy", "--output", ""), List.of("report", ""),
                List.of("report", run, "--output", ""), List.of("symmetry", run, "--csv", ""), List.of("symmetry", run, "--plot", ""),
                List.of("bench", "--results", ""))) {
            CliRun.Result r = CliRun.run(args.toArray(String[]::new));
            assertEquals(2, r.code(), args + ": " + r.err());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().startsWith("hopmixer: Invalid value for option '") || r.err().startsWith("hopmixer: Invalid value for positional"),
                    args + ": " + r.err());
            assertTrue(r.err().contains("an empty path"), r.err());
        }
    }

    @Test
    void aFileWhereAFolderGoesIsNamedAsSuch() {
        CliRun.Result r = CliRun.run("energy", "--output", aFile.toString(), "--draws", "0");
        assertEquals(2, r.code(), r.err());
        assertEquals("hopmixer: cannot create --output " + aFile + ": it is a file, not a folder", r.err().strip());
    }

    @Test
    void symmetryChecksItsCsvBeforePrintingTheTable() {
        Path csv = aFile.resolve("x.csv");
        CliRun.Result r = CliRun.run("symmetry", trained.run().toString(), "--csv", csv.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("hopmixer: cannot write --csv " + csv + " (folder " + aFile.toAbsolutePath() + "): it is a file, not a folder",
                r.err().strip());
        assertEquals("", r.out(), "no table before the error");
    }

    @Test
    void aPathThatIsNeitherFileNorFolderIsNotCalledMissing() {
        Path dev = Path.of("/dev/null");
        assumeExists(dev);
        var e = assertThrows(IllegalArgumentException.class, () -> PredictCommand.expand(List.of(dev)));
        assertTrue(e.getMessage().startsWith("/dev/null: not an image file or folder"), e.getMessage());
    }

    @Test
    void trainRefusesAnAaSpecNamingTheFlagOnceAndTheThreadsAsBenchDoes() {
        Path out = tmp.resolve("never");
        CliRun.Result r = CliRun.run("train", "--aa", "bogus", "--output", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("hopmixer: --aa bogus: a RandAugment spec must start with 'rand'"), r.err());
        r = CliRun.run("train", "--threads", "100000", "--output", out.toString());
        assertEquals(2, r.code(), r.err());
        String rule = "--threads 100000: must be between 1 and " + DeviceOptions.maxThreads() + " (this machine has "
                + Runtime.getRuntime().availableProcessors() + " cores)";
        assertEquals("hopmixer: " + rule, r.err().strip());
        assertEquals("hopmixer: " + rule, CliRun.run("bench", "--threads", "100000").err().strip());
        assertFalse(Files.exists(out));
    }

    private static void assumeExists(Path p) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(p) && !Files.isRegularFile(p) && !Files.isDirectory(p));
    }
}
