package io.github.hopmixer.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Where the full trace of an unexpected error goes, so that the user sees one line and a developer still gets
 * everything: {@code <run dir>/hopmixer-error-<time>.log} once a command knows its run directory
 * ({@link #useDirectory}), otherwise {@code ${java.io.tmpdir}/hopmixer-<user>/hopmixer-error-<time>.log}
 * (a per-user folder: the temporary directory is shared).
 */
public final class ErrorLog {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
    private static volatile Path directory;

    private ErrorLog() {
    }

    /** From now on, logs go into {@code runDir}; null goes back to {@link #defaultDirectory()}. */
    public static void useDirectory(Path runDir) {
        directory = runDir;
    }

    /** The folder set by {@link #useDirectory}, or null. */
    static Path chosenDirectory() {
        return directory;
    }

    /** The folder used when no run directory is known. */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "hopmixer-" + System.getProperty("user.name", "user"));
    }

    /** The folder a log written now would go to. */
    public static Path directory() {
        Path d = directory;
        return d != null ? d : defaultDirectory();
    }

    /**
     * Writes the trace with the command line and the JVM, and returns the log file; when the run directory cannot
     * take it (deleted, read-only) the default folder is tried. Throws IOException only when neither can.
     */
    static Path write(Throwable error, List<String> args) throws IOException {
        StringWriter text = new StringWriter();
        try (PrintWriter w = new PrintWriter(text)) {
            w.println("hopmixer internal error at " + LocalDateTime.now());
            w.println("command: hopmixer " + String.join(" ", args));
            w.println("java: " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
            w.println();
            error.printStackTrace(w);
        }
        IOException first = null;
        for (Path dir : directory().equals(defaultDirectory()) ? List.of(defaultDirectory()) : List.of(directory(), defaultDirectory())) {
            try {
                return create(dir, text.toString());
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        throw first;
    }

    private static Path create(Path dir, String text) throws IOException {
        Files.createDirectories(dir);
        String stamp = LocalDateTime.now().format(STAMP);
        for (int n = 0; ; n++) {
            Path file = dir.resolve("hopmixer-error-" + stamp + (n == 0 ? "" : "-" + n) + ".log");
            try {
                return Files.writeString(Files.createFile(file), text);
            } catch (FileAlreadyExistsException e) {
                if (n > 100) throw e;
            }
        }
    }
}
