package io.github.hopmixer.io;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes every plot hopmixer draws. A plot is a view of data already on disk (a CSV), so a JVM that cannot render
 * text — no fonts installed, as on many container images, where AWT throws "Fontconfig head is null" — costs the
 * picture only: one warning line, and the command goes on. A file that cannot be written stays an error.
 */
public final class Png {
    private Png() {}

    /** Draws a PNG file. */
    public interface Draw { void run() throws IOException; }

    /** Where the warning goes (tests redirect it). */
    static PrintStream warnings = System.err;

    /** Creates the folder and draws; false (after one warning line) where this JVM cannot render. */
    public static boolean write(Path png, Draw draw) {
        try {
            Path dir = png.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            draw.run();
            return true;
        } catch (IOException e) {
            throw FileErrors.failure("cannot write plot " + png, e);
        } catch (RuntimeException | LinkageError | InternalError e) {
            // AWT's font set-up fails with a RuntimeException, an InternalError or a missing native library; any
            // other failure is a bug and goes on up.
            if (!fromAwt(e)) throw e;
            warnings.println("hopmixer: no plot " + png + ": this JVM cannot draw text (" + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + "); install fonts (Debian: fontconfig fonts-dejavu-core); the data is written");
            return false;
        }
    }

    /** Whether a failure came from Java's drawing and font stack (AWT, Java 2D), judged by the frames it passed. */
    static boolean fromAwt(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (StackTraceElement f : t.getStackTrace()) {
                String c = f.getClassName();
                if (c.startsWith("sun.awt.") || c.startsWith("sun.font.") || c.startsWith("java.awt.") || c.startsWith("sun.java2d.")) return true;
            }
        }
        return false;
    }
}
