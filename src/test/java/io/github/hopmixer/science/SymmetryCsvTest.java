package io.github.hopmixer.science;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** symmetry.csv: exact round trip, a resumed run's rewrite, and malformed files as one-line errors naming the file. */
class SymmetryCsvTest {
    @TempDir
    Path tmp;

    static List<BlockSymmetry> rows(double cos) {
        return List.of(new BlockSymmetry(0, "tokens", "untied", cos, cos * cos, 0.4, 1.5, 1.0 / 3, -cos),
                new BlockSymmetry(0, "channels", "untied", -cos, cos * cos, 0.6, 2.5, Math.PI, cos));
    }

    @Test
    void roundTripIsExactAndARedoneEpochReplacesTheRowsFromItOn() {
        Path f = tmp.resolve("symmetry.csv");
        SymmetryCsv.writeEpoch(f, 0, rows(0.1));
        SymmetryCsv.writeEpoch(f, 1, rows(0.2));
        SymmetryCsv.writeEpoch(f, 2, rows(0.3));
        var back = SymmetryCsv.read(f);
        assertEquals(6, back.size());
        assertEquals(rows(0.2), back.subList(2, 4).stream().map(SymmetryCsv.EpochRow::row).toList(), "full precision");
        // a run resumed from the end of epoch 0 redoes epochs 1 and 2
        SymmetryCsv.writeEpoch(f, 1, rows(0.25));
        back = SymmetryCsv.read(f);
        assertEquals(List.of(0, 0, 1, 1), back.stream().map(SymmetryCsv.EpochRow::epoch).toList());
        assertEquals(rows(0.25), back.subList(2, 4).stream().map(SymmetryCsv.EpochRow::row).toList());
        assertFalse(Files.exists(tmp.resolve(".symmetry.csv.tmp"))); // io.AtomicFile's temporary name
    }

    @Test
    void malformedFilesNameThemselves() throws IOException {
        Path f = tmp.resolve("symmetry.csv");
        for (String content : List.of("epoch,loss\n0,1\n", SymmetryCsv.EPOCH_HEADER + "\n0,0,tokens,untied,x,0,0,1,1,1,0\n",
                SymmetryCsv.EPOCH_HEADER + "\n0,0,tokens\n", "epoch,epoch\n1,2\n", "")) {
            Files.writeString(f, content);
            var e = assertThrows(IllegalArgumentException.class, () -> SymmetryCsv.read(f), content);
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void lambdaIsShortText() {
        assertEquals(List.of("0", "0.001", "1e-06", "0.1", "1", "100", "1.5e-06", "0.0005"),
                java.util.stream.DoubleStream.of(0, 1e-3, 1e-6, 0.1, 1, 100, 1.5e-6, 5e-4).mapToObj(CheckpointSymmetry::lambdaText).toList());
    }
}
