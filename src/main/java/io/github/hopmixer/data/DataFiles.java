package io.github.hopmixer.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** File helpers shared by the readers; every failure becomes a {@link DataFormatException} naming the file. */
final class DataFiles {

    private DataFiles() {
    }

    /** Whole file contents, gunzipped when the file starts with the gzip magic 1f 8b (whatever its name). */
    static byte[] readMaybeGzipped(Path file) {
        byte[] raw = read(file);
        if (raw.length < 2 || (raw[0] & 0xff) != 0x1f || (raw[1] & 0xff) != 0x8b) return raw;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DataFormatException(file, "corrupt or truncated gzip data", e);
        }
    }

    static byte[] read(Path file) {
        requireFile(file);
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file, "file not found");
        } catch (IOException e) {
            throw new DataFormatException(file, "cannot read file", e);
        }
    }

    static void requireFile(Path file) {
        if (!Files.exists(file)) throw new DataFormatException(file, "file not found");
        if (!Files.isRegularFile(file)) throw new DataFormatException(file, "not a regular file");
        if (!Files.isReadable(file)) throw new DataFormatException(file, "file not readable");
    }

    static void requireDirectory(Path dir) {
        if (!Files.exists(dir)) throw new DataFormatException(dir, "directory not found");
        if (!Files.isDirectory(dir)) throw new DataFormatException(dir, "not a directory");
    }

    /** Big-endian unsigned 32-bit integer at {@code offset}, as an int (IDX sizes fit). */
    static int bigEndianInt(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) << 24 | (bytes[offset + 1] & 0xff) << 16
                | (bytes[offset + 2] & 0xff) << 8 | bytes[offset + 3] & 0xff;
    }
}
