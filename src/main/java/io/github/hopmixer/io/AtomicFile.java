package io.github.hopmixer.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Whole-file rewrites of the small text files (CSV, JSON) that runs, sweeps and benchmarks keep. */
public final class AtomicFile {
    private AtomicFile() {}

    /**
     * Replaces {@code file} with {@code lines} through {@code .NAME.tmp} renamed over it, so a kill mid-write leaves
     * the old file or the new one. On failure (a full disk) the temporary file is deleted: nothing is left behind.
     */
    public static void write(Path file, Iterable<? extends CharSequence> lines) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.write(tmp, lines);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed); // the original failure is what the user needs to see
            }
            throw e;
        }
    }
}
