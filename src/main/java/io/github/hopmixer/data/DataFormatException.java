package io.github.hopmixer.data;

import java.nio.file.Path;

/**
 * A data file or directory that cannot be used as asked: missing, truncated, corrupt or inconsistent.
 * The message always names the file or directory, so a user can fix it without a stack trace.
 */
public class DataFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    public DataFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public DataFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem + describe(cause), cause);
    }

    private static String describe(Throwable cause) {
        if (cause == null || cause.getMessage() == null || cause.getMessage().isBlank()) return "";
        return " (" + cause.getMessage() + ")";
    }
}
