package io.github.hopmixer.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Why a file operation failed, in words. Java's file system exceptions carry the reason in their type and often
 * only the path in their message, so "cannot create X: " + e.getMessage() says "cannot create X: X".
 */
public final class FileErrors {
    private FileErrors() {}

    /** "permission denied", "not a directory", "No space left on device": the reason, never the path again. */
    public static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException a -> "permission denied";
            case NotDirectoryException n -> "not a directory";
            case NoSuchFileException n -> "no such file or directory";
            case FileAlreadyExistsException x -> "already exists";
            case DirectoryNotEmptyException n -> "directory not empty";
            case FileSystemException f when f.getReason() != null -> f.getReason().equals("Not a directory") ? "not a directory" : f.getReason();
            case FileSystemException f -> "file system error";
            default -> e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage() : "input/output error";
        };
    }

    /** {@link Files#createDirectories}, failing with {@code what + ": " + reason}; a file in the way is named as such. */
    public static Path createDirectories(Path dir, String what) {
        try {
            return Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) { // dir itself is a file: "already exists" would puzzle
            throw new UncheckedIOException(what + ": it is a file, not a folder", e);
        } catch (IOException e) {
            throw failure(what, e);
        }
    }

    /** {@code what + ": " + reason}, e.g. "cannot write --csv x.csv: permission denied", keeping {@code e} as cause. */
    public static UncheckedIOException failure(String what, IOException e) {
        return new UncheckedIOException(what + ": " + reason(e), e);
    }
}
