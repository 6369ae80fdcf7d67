package io.github.hopmixer.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reader and atomic writer for the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format.
 *
 * <p>Layout: an unsigned little-endian 64-bit header length {@code N}; {@code N} bytes of UTF-8
 * JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} plus an
 * optional {@code "__metadata__"} object of string → string (padded with trailing spaces so that
 * {@code 8 + N} is a multiple of 8); then the byte buffer, in which every tensor occupies
 * {@code [begin, end)} (offsets relative to the buffer start), little-endian, row-major. The
 * tensors must cover the buffer exactly, without gaps or overlaps.
 *
 * <p>An instance is the content of one file: {@link #metadata()} and {@link #tensors()} (in header
 * order). Instances are immutable.
 */
public final class SafeTensors {

    /** The reserved header key holding the string → string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    /** Largest header accepted when reading (same limit as the reference implementation). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private final Map<String, String> metadata;
    private final Map<String, TensorData> tensors;

    /** Wraps already validated content; the maps are copied and made unmodifiable. */
    public SafeTensors(Map<String, TensorData> tensors, Map<String, String> metadata) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The {@code __metadata__} entries (empty when the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Name → tensor, in the order of the header. */
    public Map<String, TensorData> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}; throws {@link IllegalArgumentException} when absent. */
    public TensorData tensor(String name) {
        TensorData t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "' (have " + tensors.keySet() + ")");
        }
        return t;
    }

    /** Writes this content to {@code path}; see {@link #write(Path, Map, Map)}. */
    public void write(Path path) throws IOException {
        write(path, tensors, metadata);
    }

    // =====================================================================================
    // writing
    // =====================================================================================

    /** Called by the writer after each tensor's bytes; lets tests inject failures. */
    @FunctionalInterface
    interface WriteHook {
        void afterTensor(String name) throws IOException;
    }

    /**
     * Atomically writes a safetensors file. Tensors are laid out in sorted name order (so output is
     * byte-for-byte repeatable); the header puts {@code __metadata__} first (omitted when
     * {@code metadata} is null or empty). The bytes go to a temporary file in the target's
     * directory, which is {@code force}d to disk and then moved over {@code path} with
     * {@code ATOMIC_MOVE}; on any failure the temporary file is deleted and an existing file at
     * {@code path} is left untouched.
     *
     * @throws IllegalArgumentException for a null or reserved tensor name or null metadata entries
     * @throws IOException              when the file cannot be written (message names the file)
     */
    public static void write(Path path, Map<String, TensorData> tensors, Map<String, String> metadata)
            throws IOException {
        write(path, tensors, metadata, name -> { });
    }

    static void write(Path path, Map<String, TensorData> tensors, Map<String, String> metadata, WriteHook hook)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tensors, "tensors");
        TreeMap<String, TensorData> sorted = new TreeMap<>();
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || e.getValue() == null) {
                throw new IllegalArgumentException("null tensor name or tensor (name=" + name + ")");
            }
            if (METADATA_KEY.equals(name)) {
                throw new IllegalArgumentException("tensor name '" + METADATA_KEY + "' is reserved");
            }
            sorted.put(name, e.getValue());
        }
        TreeMap<String, String> meta = new TreeMap<>();
        if (metadata != null) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("null metadata key or value (key=" + e.getKey() + ")");
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        byte[] header = header(sorted, meta);

        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = createTemp(dir, target.getFileName().toString());
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, prefix);
                writeFully(ch, ByteBuffer.wrap(header));
                for (Map.Entry<String, TensorData> e : sorted.entrySet()) {
                    writeFully(ch, e.getValue().buffer());
                    hook.afterTensor(e.getKey());
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } catch (IOException e) {
            throw new IOException("cannot write safetensors file " + target + ": " + e, e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException suppressed) {
                    // best effort; the original failure is what matters
                }
            }
        }
        syncDirectory(dir);
    }

    /** The JSON header, space-padded so that {@code 8 + length} is a multiple of 8. */
    private static byte[] header(TreeMap<String, TensorData> sorted, TreeMap<String, String> meta) {
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.setHtmlSafe(false);
            w.beginObject();
            if (!meta.isEmpty()) {
                w.name(METADATA_KEY).beginObject();
                for (Map.Entry<String, String> e : meta.entrySet()) {
                    w.name(e.getKey()).value(e.getValue());
                }
                w.endObject();
            }
            long offset = 0;
            for (Map.Entry<String, TensorData> e : sorted.entrySet()) {
                TensorData t = e.getValue();
                long end = offset + t.byteLength();
                w.name(e.getKey()).beginObject();
                w.name("dtype").value(t.dtype());
                w.name("shape").beginArray();
                for (long d : t.shape()) {
                    w.value(d);
                }
                w.endArray();
                w.name("data_offsets").beginArray().value(offset).value(end).endArray();
                w.endObject();
                offset = end;
            }
            w.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // StringWriter does not throw
        }
        byte[] json = sw.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static Path createTemp(Path dir, String fileName) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + fileName + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            } catch (IOException e) {
                throw new IOException("cannot write safetensors file " + dir.resolve(fileName)
                        + ": cannot create temporary file in " + dir + ": " + e, e);
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Makes the rename durable where the platform allows opening a directory (Linux); best effort. */
    private static void syncDirectory(Path dir) {
        try (FileChannel dc = FileChannel.open(dir, StandardOpenOption.READ)) {
            dc.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not supported on this platform/file system
        }
    }

    // =====================================================================================
    // reading
    // =====================================================================================

    /** A parsed but not yet validated header entry. */
    private record Entry(String name, String dtype, long[] shape, long begin, long end) { }

    /**
     * Reads and validates a whole safetensors file.
     *
     * @throws IOException naming the file and the problem when it is truncated, its header is not
     *                     valid JSON / UTF-8, a dtype is unsupported, the data offsets are out of
     *                     range, overlap or leave bytes uncovered, or a tensor's byte length does
     *                     not match its shape and dtype
     */
    public static SafeTensors read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw bad(path, "file is " + size + " bytes long, shorter than the 8-byte header length");
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, prefix, 0, path);
            long n = prefix.getLong(0);
            if (n < 0 || n > size - 8) {
                throw bad(path, "header length " + Long.toUnsignedString(n) + " is larger than the "
                        + (size - 8) + " bytes that follow the length prefix");
            }
            if (n > MAX_HEADER_BYTES) {
                throw bad(path, "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8, path);
            String json;
            try {
                json = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(hb.flip()).toString();
            } catch (CharacterCodingException e) {
                throw bad(path, "header is not valid UTF-8");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parseHeader(path, json, metadata);

            long bufferStart = 8 + n;
            long bufferLen = size - bufferStart;
            validateOffsets(path, entries, bufferLen);

            Map<String, TensorData> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                int len = (int) (e.end - e.begin);
                ByteBuffer data = ByteBuffer.allocate(len);
                readFully(ch, data, bufferStart + e.begin, path);
                tensors.put(e.name, new TensorData(e.dtype, e.shape, data.array()));
            }
            return new SafeTensors(tensors, metadata);
        }
    }

    private static List<Entry> parseHeader(Path path, String json, Map<String, String> metadata) throws IOException {
        if (json.isEmpty() || json.charAt(0) != '{') {
            throw bad(path, "invalid JSON header: it does not start with '{'");
        }
        List<Entry> entries = new ArrayList<>();
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            r.beginObject();
            Set<String> seen = new HashSet<>();
            while (r.hasNext()) {
                String name = r.nextName();
                if (!seen.add(name)) {
                    throw bad(path, "invalid JSON header: duplicate key '" + name + "'");
                }
                if (METADATA_KEY.equals(name)) {
                    if (r.peek() == JsonToken.NULL) {
                        r.nextNull();
                        continue;
                    }
                    r.beginObject();
                    while (r.hasNext()) {
                        String k = r.nextName();
                        if (r.peek() != JsonToken.STRING) {
                            throw bad(path, "invalid JSON header: metadata value of '" + k + "' is not a string");
                        }
                        metadata.put(k, r.nextString());
                    }
                    r.endObject();
                } else {
                    entries.add(parseEntry(path, name, r));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw bad(path, "invalid JSON header: unexpected content after the top-level object");
            }
        } catch (FormatException e) {
            throw e;
        } catch (IOException e) {
            throw bad(path, "invalid JSON header: " + e.getMessage(), e);
        } catch (IllegalStateException | NumberFormatException e) {
            throw bad(path, "invalid JSON header: " + e.getMessage(), e);
        }
        return entries;
    }

    private static Entry parseEntry(Path path, String name, JsonReader r) throws IOException {
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        r.beginObject();
        while (r.hasNext()) {
            switch (r.nextName()) {
                case "dtype" -> dtype = r.nextString();
                case "shape" -> shape = longArray(r);
                case "data_offsets" -> offsets = longArray(r);
                default -> r.skipValue();
            }
        }
        r.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw bad(path, "invalid JSON header: tensor '" + name + "' lacks "
                    + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        if (!TensorData.isSupported(dtype)) {
            throw bad(path, "tensor '" + name + "' has unknown or unsupported dtype '" + dtype
                    + "' (supported: F32, F64, I64, I32, U8)");
        }
        if (offsets.length != 2) {
            throw bad(path, "tensor '" + name + "' has " + offsets.length + " data_offsets, expected 2");
        }
        for (long d : shape) {
            if (d < 0) {
                throw bad(path, "tensor '" + name + "' has a negative dimension in shape " + Arrays.toString(shape));
            }
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] longArray(JsonReader r) throws IOException {
        List<Long> values = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            values.add(r.nextLong());
        }
        r.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static void validateOffsets(Path path, List<Entry> entries, long bufferLen) throws IOException {
        for (Entry e : entries) {
            if (e.begin < 0 || e.end < e.begin) {
                throw bad(path, "tensor '" + e.name + "' has invalid data_offsets [" + e.begin + ", " + e.end + "]");
            }
            if (e.end > bufferLen) {
                throw bad(path, "tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end
                        + "] are out of range of the " + bufferLen + "-byte data buffer");
            }
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin < expected) {
                throw bad(path, "tensor '" + e.name + "' data_offsets [" + e.begin + ", " + e.end
                        + "] overlap tensor '" + previous.name + "' [" + previous.begin + ", " + previous.end + "]");
            }
            if (e.begin > expected) {
                throw bad(path, "data buffer bytes [" + expected + ", " + e.begin
                        + ") are not covered by any tensor (gap before '" + e.name + "')");
            }
            expected = e.end;
            previous = e;
        }
        if (expected != bufferLen) {
            throw bad(path, "data buffer is " + bufferLen + " bytes but the tensors cover only "
                    + expected + " (trailing bytes not covered by any tensor)");
        }
        for (Entry e : entries) {
            long needed;
            try {
                needed = Math.multiplyExact(TensorData.numel(e.shape), TensorData.elementSize(e.dtype));
            } catch (ArithmeticException ex) {
                throw bad(path, "tensor '" + e.name + "' shape " + Arrays.toString(e.shape) + " overflows");
            }
            if (needed != e.end - e.begin) {
                throw bad(path, "tensor '" + e.name + "' of dtype " + e.dtype + " and shape " + Arrays.toString(e.shape)
                        + " needs " + needed + " bytes but its data_offsets span " + (e.end - e.begin));
            }
            if (needed > Integer.MAX_VALUE - 8) {
                throw bad(path, "tensor '" + e.name + "' is " + needed + " bytes, too large for one Java array");
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position, Path path) throws IOException {
        long pos = position;
        while (b.hasRemaining()) {
            int k = ch.read(b, pos);
            if (k < 0) {
                throw bad(path, "unexpected end of file at byte " + pos);
            }
            pos += k;
        }
    }

    private static FormatException bad(Path path, String problem) {
        return new FormatException("safetensors file " + path + ": " + problem, null);
    }

    private static FormatException bad(Path path, String problem, Throwable cause) {
        return new FormatException("safetensors file " + path + ": " + problem, cause);
    }

    /** Thrown by {@link #read(Path)} when a file is not a valid safetensors file. */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        FormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
