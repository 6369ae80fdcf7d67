package io.github.hopmixer.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** File errors in words, never the path twice (an AccessDeniedException's message is only its path); atomic rewrites. */
class FileErrorsTest {
    @TempDir
    Path tmp;

    @Test
    void theReasonIsWordsNotThePath() {
        assertEquals("permission denied", FileErrors.reason(new AccessDeniedException("/ro/run")));
        assertEquals("not a directory", FileErrors.reason(new NotDirectoryException("/f/x")));
        assertEquals("not a directory", FileErrors.reason(new FileSystemException("/f/x", null, "Not a directory")));
        assertEquals("no such file or directory", FileErrors.reason(new NoSuchFileException("/proc/x.csv")));
        assertEquals("already exists", FileErrors.reason(new FileAlreadyExistsException("/a")));
        assertEquals("No space left on device", FileErrors.reason(new FileSystemException("/t/x", null, "No space left on device")));
        assertEquals("file system error", FileErrors.reason(new FileSystemException("/t/x")));
        assertEquals("No space left on device", FileErrors.reason(new IOException("No space left on device")));
        assertEquals("cannot create run directory /ro/run: permission denied",
                FileErrors.failure("cannot create run directory /ro/run", new AccessDeniedException("/ro/run")).getMessage());
    }

    @Test
    void aFileInTheWayOfAFolderIsNamedAsSuch() throws IOException {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        var e = assertThrows(UncheckedIOException.class, () -> FileErrors.createDirectories(file, "cannot create --output " + file));
        assertEquals("cannot create --output " + file + ": it is a file, not a folder", e.getMessage());
        e = assertThrows(UncheckedIOException.class, () -> FileErrors.createDirectories(file.resolve("sub"), "cannot create x"));
        assertEquals("cannot create x: not a directory", e.getMessage());
    }

    @Test
    void aFailedRewriteLeavesNoTemporaryFileAndTheOldFileAsItWas() throws IOException {
        // A non-empty folder where the file goes: the temporary file is written, the rename over it fails.
        Path target = Files.createDirectories(tmp.resolve("summary.csv"));
        Files.writeString(target.resolve("inside"), "kept\n");
        assertThrows(IOException.class, () -> AtomicFile.write(target, List.of("epoch,loss")));
        assertFalse(Files.exists(tmp.resolve(".summary.csv.tmp")));
        assertEquals("kept\n", Files.readString(target.resolve("inside")));
        Path ok = tmp.resolve("steps.csv");
        AtomicFile.write(ok, List.of("a", "b"));
        assertEquals("a\nb\n", Files.readString(ok));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of("steps.csv", "summary.csv"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
