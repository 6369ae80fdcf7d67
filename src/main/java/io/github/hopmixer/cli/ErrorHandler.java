package io.github.hopmixer.cli;

import io.github.hopmixer.data.DataFormatException;
import io.github.hopmixer.io.FileErrors;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.List;
import java.util.Locale;

/**
 * How errors reach the user: always one line on standard error. A bad flag (picocli's parse errors) names the
 * flag and points at {@code --help}; a bad input (data file, setting, missing file) is its message; anything
 * else is a bug, reported as "internal error" with the full trace in an {@link ErrorLog} file.
 * {@code HOPMIXER_DEBUG=1} also prints traces.
 */
final class ErrorHandler {

    /** Exit codes: 2 for a bad flag or input (picocli's usage code), 1 for an internal error. */
    static final int USER_ERROR = 2, INTERNAL_ERROR = 1;

    private ErrorHandler() {
    }

    static void install(CommandLine cl) {
        cl.setParameterExceptionHandler(ErrorHandler::badFlag);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> failed(e, cmd.getErr(), args(parsed)));
        // picocli passes Errors (OutOfMemoryError, StackOverflowError) straight through: catch them here.
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        cl.setExecutionStrategy(parsed -> {
            try {
                return runLast.execute(parsed);
            } catch (Error e) {
                return failed(e, cl.getErr(), args(parsed));
            }
        });
    }

    private static int badFlag(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        StringBuilder line = new StringBuilder("hopmixer: ").append(oneLine(e.getMessage()));
        if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions())).append("?)");
        }
        line.append("; see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help'");
        cmd.getErr().println(line);
        cmd.getErr().flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Reports a failure of a running command and returns its exit code. */
    static int failed(Throwable e, PrintWriter err, List<String> args) {
        String user = userMessage(e);
        if (user != null) {
            err.println("hopmixer: " + user);
            if (System.getenv("HOPMIXER_DEBUG") != null) e.printStackTrace(err);
            err.flush();
            return USER_ERROR;
        }
        String where;
        try {
            where = "the full trace is in " + ErrorLog.write(e, args);
        } catch (IOException | RuntimeException io) {
            where = "its trace could not be written to " + ErrorLog.directory() + " (" + oneLine(io.getMessage())
                    + "); run with HOPMIXER_DEBUG=1 to see it";
        }
        err.println("hopmixer: internal error: " + describe(e) + "; " + where);
        if (System.getenv("HOPMIXER_DEBUG") != null) e.printStackTrace(err);
        err.flush();
        return INTERNAL_ERROR;
    }

    /** The one-line message of an error the user can fix, or null when the error is a bug. */
    static String userMessage(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) return null;
        // A wrapper around a bug (a loader thread's NullPointerException) is the bug, not a user error.
        if ((e instanceof IllegalArgumentException || e instanceof IllegalStateException)
                && isBug(e.getCause())) {
            return null;
        }
        return switch (e) {
            case FileSystemException f -> fileProblem(f);
            case UncheckedIOException u when u.getCause() instanceof FileSystemException f && m.equals(u.getCause().toString()) -> fileProblem(f);
            case DataFormatException d -> clean(m);
            case IllegalArgumentException i -> clean(m);
            case IllegalStateException i -> clean(m);
            case UncheckedIOException u -> clean(m);
            case IOException io -> clean(m);
            default -> null;
        };
    }

    /** Programming errors; a parser's exception (Gson's JsonParseException) wrapped with the file's name is not one. */
    private static boolean isBug(Throwable cause) {
        return cause instanceof Error || cause instanceof NullPointerException || cause instanceof IndexOutOfBoundsException
                || cause instanceof ClassCastException || cause instanceof ArithmeticException
                || cause instanceof ArrayStoreException || cause instanceof NegativeArraySizeException
                || cause instanceof UnsupportedOperationException || cause instanceof java.util.ConcurrentModificationException
                || ((cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) && isBug(cause.getCause()));
    }

    /** A file system error as "file: reason", without Java's class names. */
    private static String fileProblem(FileSystemException f) {
        String reason = FileErrors.reason(f);
        String file = f.getFile() != null ? f.getFile() : "?";
        return oneLine(file + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + reason);
    }

    /** "null pointer (Cannot invoke ...)" for a NullPointerException: what went wrong, without Java's class names. */
    static String describe(Throwable e) {
        String name = e.getClass().getSimpleName().replaceAll("(Exception|Error)$", "");
        String words = name.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        if (words.isBlank()) words = "unexpected failure";
        String m = e.getMessage();
        if (m == null || m.isBlank()) return words;
        m = oneLine(m).replaceAll("[\\w.$]*(Exception|Error)\\b:? ?", "");
        return words + " (" + (m.length() > 200 ? m.substring(0, 200) + "…" : m) + ")";
    }

    /** One line, without the qualified Java class names a wrapped cause's toString() adds. */
    private static String clean(String m) {
        return oneLine(m).replaceAll("\\b(?:[a-z]\\w*\\.)+[A-Z]\\w*(?:Exception|Error): ", "");
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static List<String> args(ParseResult parsed) {
        return parsed == null ? List.of() : parsed.originalArgs();
    }
}
