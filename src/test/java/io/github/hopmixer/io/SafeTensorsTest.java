package io.github.hopmixer.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ round trips

    @Test
    void roundTripsEveryDtypeAndMetadata() throws IOException {
        Map<String, TensorData> in = new LinkedHashMap<>();
        in.put("w.f32", TensorData.f32(new long[]{2, 3}, new float[]{1f, -2.5f, 3e-8f, Float.MAX_VALUE, Float.NaN, -0f}));
        in.put("w.f64", TensorData.f64(new long[]{3}, new double[]{Math.PI, -1e300, Double.NEGATIVE_INFINITY}));
        in.put("idx.i64", TensorData.i64(new long[]{2, 1}, new long[]{Long.MIN_VALUE, 42}));
        in.put("idx.i32", TensorData.i32(new long[]{4}, new int[]{-1, 0, 1, Integer.MAX_VALUE}));
        in.put("img.u8", TensorData.u8(new long[]{1, 2, 2}, new byte[]{0, 1, (byte) 200, (byte) 255}));
        in.put("scalar", TensorData.f64(new long[]{}, new double[]{7.0}));
        in.put("empty", TensorData.f32(new long[]{0, 5}, new float[0]));
        Map<String, String> meta = Map.of("model", "paramixer_s16_224", "epoch", "12", "ünïcode", "värde \"q\"");
        Path p = dir.resolve("rt.safetensors");

        SafeTensors.write(p, in, meta);
        SafeTensors st = SafeTensors.read(p);

        assertEquals(meta, st.metadata());
        assertEquals(new TreeSet<>(in.keySet()).stream().toList(), List.copyOf(st.tensors().keySet()),
                "tensors are written (and read back) in sorted name order");
        for (var e : in.entrySet()) {
            assertEquals(e.getValue(), st.tensor(e.getKey()), e.getKey());
        }
        assertArrayEquals(new float[]{1f, -2.5f, 3e-8f, Float.MAX_VALUE, Float.NaN, -0f}, st.tensor("w.f32").toFloats());
        assertArrayEquals(new double[]{Math.PI, -1e300, Double.NEGATIVE_INFINITY}, st.tensor("w.f64").toDoubles());
        assertArrayEquals(new long[]{Long.MIN_VALUE, 42}, st.tensor("idx.i64").toLongs());
        assertArrayEquals(new int[]{-1, 0, 1, Integer.MAX_VALUE}, st.tensor("idx.i32").toInts());
        assertArrayEquals(new long[]{0, 1, 200, 255}, st.tensor("img.u8").toLongs());
        assertArrayEquals(new long[]{1, 2, 2}, st.tensor("img.u8").shape());
        assertEquals(1, st.tensor("scalar").numel());
        assertEquals(0, st.tensor("empty").numel());

        // conversions between dtypes
        assertArrayEquals(new double[]{1, -2.5, (double) 3e-8f, Float.MAX_VALUE, Double.NaN, -0.0}, st.tensor("w.f32").toDoubles());
        assertArrayEquals(new float[]{(float) Math.PI, (float) -1e300, Float.NEGATIVE_INFINITY}, st.tensor("w.f64").toFloats());
        assertArrayEquals(new double[]{-1, 0, 1, Integer.MAX_VALUE}, st.tensor("idx.i32").toDoubles());
        assertArrayEquals(new long[]{3, Long.MIN_VALUE, Long.MIN_VALUE}, SafeTensors.read(p).tensor("w.f64").toLongs());
        assertArrayEquals(new float[]{0, 1, 200, 255}, st.tensor("img.u8").toFloats());

        // the header is space-padded so that the data buffer starts 8-byte aligned
        assertEquals(0, headerLength(Files.readAllBytes(p)) % 8);
        // deterministic output
        Path q = dir.resolve("rt2.safetensors");
        SafeTensors.write(q, new LinkedHashMap<>(in), meta);
        assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(q));
    }

    @Test
    void noMetadataWritesNoMetadataKey() throws IOException {
        Path p = dir.resolve("nometa.safetensors");
        SafeTensors.write(p, Map.of("a", TensorData.f32(new long[]{1}, new float[]{1})), null);
        String header = headerText(Files.readAllBytes(p));
        assertFalse(header.contains("__metadata__"), header);
        assertTrue(SafeTensors.read(p).metadata().isEmpty());
    }

    @Test
    void writeRejectsReservedName() {
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("x.safetensors"),
                Map.of("__metadata__", TensorData.f32(new long[]{1}, new float[]{1})), Map.of()));
    }

    @Test
    void tensorDataValidatesSizeAndDtype() {
        assertThrows(IllegalArgumentException.class, () -> TensorData.f32(new long[]{2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new TensorData("BF16", new long[]{1}, new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> new TensorData("F32", new long[]{-1}, new byte[0]));
    }

    // ------------------------------------------------------------------ spec layout

    /** A file assembled byte by byte from the spec, independent of our writer. */
    @Test
    void readsHandAssembledFile() throws IOException {
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[8,16]},"
                + "\"c\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[16,19]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // 8-byte little-endian header length
        for (int i = 0; i < 8; i++) {
            out.write((int) ((long) padded >>> (8 * i)) & 0xFF);
        }
        out.write(header, 0, header.length);
        for (int i = header.length; i < padded; i++) {
            out.write(' ');
        }
        // a = [1.0f, -2.0f]: IEEE-754 0x3F800000, 0xC0000000, little-endian
        out.writeBytes(new byte[]{0x00, 0x00, (byte) 0x80, 0x3F, 0x00, 0x00, 0x00, (byte) 0xC0});
        // b = [[258]] = 0x0102 little-endian
        out.writeBytes(new byte[]{0x02, 0x01, 0, 0, 0, 0, 0, 0});
        // c = [7, 8, 255]
        out.writeBytes(new byte[]{7, 8, (byte) 255});
        Path p = dir.resolve("hand.safetensors");
        Files.write(p, out.toByteArray());

        SafeTensors st = SafeTensors.read(p);
        assertEquals(Map.of("format", "pt"), st.metadata());
        assertEquals(List.of("a", "b", "c"), List.copyOf(st.tensors().keySet()));
        assertArrayEquals(new float[]{1f, -2f}, st.tensor("a").toFloats());
        assertEquals("I64", st.tensor("b").dtype());
        assertArrayEquals(new long[]{1, 1}, st.tensor("b").shape());
        assertArrayEquals(new long[]{258}, st.tensor("b").toLongs());
        assertArrayEquals(new long[]{7, 8, 255}, st.tensor("c").toLongs());

        // and our writer produces exactly the spec layout for the same content
        Path w = dir.resolve("ours.safetensors");
        SafeTensors.write(w, st.tensors(), st.metadata());
        byte[] ours = Files.readAllBytes(w);
        long n = headerLength(ours);
        assertEquals(0, n % 8);
        assertEquals(8 + n + 19, ours.length);
        byte[] expectedData = new byte[19];
        System.arraycopy(out.toByteArray(), 8 + padded, expectedData, 0, 19);
        byte[] data = new byte[19];
        System.arraycopy(ours, (int) (8 + n), data, 0, 19);
        assertArrayEquals(expectedData, data);
        assertEquals(json, headerText(ours).strip(), "header JSON (metadata first, sorted tensors)");
    }

    // ------------------------------------------------------------------ corrupt files

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] assemble(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private IOException corrupt(String name, byte[] bytes, String... expectedFragments) throws IOException {
        Path p = file(name, bytes);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(p));
        assertTrue(e instanceof SafeTensors.FormatException, e.toString());
        assertTrue(e.getMessage().contains(p.toString()), "message names the file: " + e.getMessage());
        for (String f : expectedFragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void rejectsFileShorterThanEightBytes() throws IOException {
        corrupt("short.safetensors", new byte[]{1, 0, 0}, "shorter than the 8-byte");
        corrupt("empty.safetensors", new byte[0], "shorter than the 8-byte");
    }

    @Test
    void rejectsHeaderLongerThanFile() throws IOException {
        byte[] b = assemble("{}", 0);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
        corrupt("longheader.safetensors", b, "header length 1000", "larger than");
        byte[] huge = assemble("{}", 0);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L); // 2^64-1 unsigned
        corrupt("hugeheader.safetensors", huge, "18446744073709551615", "larger than");
    }

    @Test
    void rejectsInvalidJson() throws IOException {
        corrupt("json1.safetensors", assemble("{\"a\": {\"dtype\": \"F32\", ", 0), "invalid JSON");
        corrupt("json2.safetensors", assemble("[1, 2, 3]", 0), "invalid JSON");
        corrupt("json3.safetensors", assemble("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "invalid JSON", "duplicate");
        corrupt("json4.safetensors", assemble("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "invalid JSON", "data_offsets");
        corrupt("json5.safetensors", assemble("{\"__metadata__\":{\"k\":1}}", 0), "invalid JSON", "not a string");
        corrupt("json6.safetensors", assemble("{} {}", 0), "invalid JSON");
        byte[] badUtf8 = assemble("{\"\u00e9\":1}", 0);
        badUtf8[10] = (byte) 0xFF;
        corrupt("utf8.safetensors", badUtf8, "UTF-8");
    }

    @Test
    void rejectsUnknownDtype() throws IOException {
        corrupt("dtype.safetensors", assemble("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                "'a'", "dtype 'Q7'");
    }

    @Test
    void rejectsOffsetsOutOfRange() throws IOException {
        corrupt("range.safetensors", assemble("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4),
                "'a'", "out of range");
        corrupt("reversed.safetensors", assemble("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4),
                "'a'", "invalid data_offsets");
    }

    @Test
    void rejectsOverlappingOffsets() throws IOException {
        corrupt("overlap.safetensors", assemble("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
    }

    @Test
    void rejectsOffsetsNotCoveringBuffer() throws IOException {
        corrupt("gap.safetensors", assemble("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "not covered", "[4, 8)");
        corrupt("trailing.safetensors", assemble("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 9),
                "cover only 4", "trailing");
    }

    @Test
    void rejectsShapeSizeMismatch() throws IOException {
        corrupt("size.safetensors", assemble("{\"a\":{\"dtype\":\"F64\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16),
                "'a'", "needs 32 bytes", "span 16");
    }

    // ------------------------------------------------------------------ atomic write

    private static Map<String, TensorData> someTensors(float v) {
        Map<String, TensorData> m = new LinkedHashMap<>();
        m.put("a", TensorData.f32(new long[]{2}, new float[]{v, v}));
        m.put("b", TensorData.f64(new long[]{1}, new double[]{v}));
        return m;
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(q -> q.getFileName().toString().endsWith(".tmp")).collect(Collectors.toCollection(ArrayList::new));
        }
    }

    @Test
    void failedWriteLeavesOldFileAndNoTemp() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        SafeTensors.write(p, someTensors(1f), Map.of("epoch", "1"));
        byte[] before = Files.readAllBytes(p);

        // failure in the middle of the data (as from a full disk)
        IOException e = assertThrows(IOException.class, () -> SafeTensors.write(p, someTensors(2f), Map.of("epoch", "2"),
                name -> {
                    if (name.equals("a")) {
                        throw new IOException("No space left on device");
                    }
                }));
        assertTrue(e.getMessage().contains(p.getFileName().toString()) && e.getMessage().contains("No space left"),
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(List.of(), leftovers());

        // unchecked failure during serialisation also cleans up
        assertThrows(IllegalStateException.class, () -> SafeTensors.write(p, someTensors(3f), Map.of(),
                name -> { throw new IllegalStateException("boom"); }));
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(List.of(), leftovers());
        assertEquals("1", SafeTensors.read(p).metadata().get("epoch"));

        // a successful rewrite replaces the file and leaves no temp file
        SafeTensors.write(p, someTensors(4f), Map.of("epoch", "4"));
        assertEquals("4", SafeTensors.read(p).metadata().get("epoch"));
        assertArrayEquals(new float[]{4f, 4f}, SafeTensors.read(p).tensor("a").toFloats());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void unwritableTargetLocationFailsCleanly() throws IOException {
        // the "directory" is a regular file: no temp file can be created there
        Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
        IOException e = assertThrows(IOException.class,
                () -> SafeTensors.write(notADir.resolve("m.safetensors"), someTensors(1f), Map.of()));
        assertTrue(e.getMessage().contains("m.safetensors"), e.getMessage());
        assertEquals("x", Files.readString(notADir));

        // the target is a non-empty directory: the final move fails, the temp file is removed
        Path targetDir = Files.createDirectory(dir.resolve("occupied.safetensors"));
        Files.writeString(targetDir.resolve("keep"), "k");
        assertThrows(IOException.class, () -> SafeTensors.write(targetDir, someTensors(1f), Map.of()));
        assertEquals("k", Files.readString(targetDir.resolve("keep")));
        assertEquals(List.of(), leftovers());
    }

    // ------------------------------------------------------------------ PyTorch parity fixtures

    private static final String[] FIXTURES = {
            "vanillamixer_tiny", "paramixer_tiny", "symmixer_tiny", "asymmixer_tiny_l01",
            "paramixer_tiny_ni2", "symmixer_tiny_ni3", "vanillamixer_tiny_ni2", "mixer_tiny"};

    @Test
    void readsEveryParityFixture() throws Exception {
        URL url = SafeTensorsTest.class.getResource("/parity");
        assertTrue(url != null, "parity fixtures on the test classpath");
        Path parity = Path.of(url.toURI());
        Set<String> files;
        try (Stream<Path> s = Files.list(parity)) {
            files = s.map(q -> q.getFileName().toString()).filter(n -> n.endsWith(".safetensors"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> expected = Stream.of(FIXTURES).map(n -> n + ".safetensors").collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, files);

        Set<String> fixed = Set.of("input", "target", "logits", "loss");
        for (String f : files) {
            SafeTensors st = SafeTensors.read(parity.resolve(f));
            String model = f.substring(0, f.length() - ".safetensors".length());
            Map<String, String> meta = st.metadata();
            assertEquals(model, meta.get("model"), f);
            for (String key : List.of("lcoeff", "n_iter", "smoothing", "torch_version")) {
                assertTrue(meta.containsKey(key), f + " metadata " + key);
            }
            assertEquals(model.equals("asymmixer_tiny_l01") ? 0.1 : 0.0, Double.parseDouble(meta.get("lcoeff")), f);
            assertEquals(model.endsWith("_ni2") ? 2 : model.endsWith("_ni3") ? 3 : 1, Integer.parseInt(meta.get("n_iter")), f);
            assertEquals(0.1, Double.parseDouble(meta.get("smoothing")), f);

            assertArrayEquals(new long[]{3, 2, 8, 8}, st.tensor("input").shape(), f);
            assertEquals("I64", st.tensor("target").dtype(), f);
            assertArrayEquals(new long[]{3}, st.tensor("target").shape(), f);
            for (long t : st.tensor("target").toLongs()) {
                assertTrue(t >= 0 && t < 5, f + " target " + t);
            }
            assertArrayEquals(new long[]{3, 5}, st.tensor("logits").shape(), f);
            assertArrayEquals(new long[]{1}, st.tensor("loss").shape(), f);
            for (double v : st.tensor("logits").toDoubles()) {
                assertTrue(Double.isFinite(v), f + " logits finite");
            }
            assertTrue(Double.isFinite(st.tensor("loss").toDoubles()[0]) && st.tensor("loss").toDoubles()[0] > 0, f);

            List<String> params = st.tensors().keySet().stream()
                    .filter(n -> !fixed.contains(n) && !n.startsWith("grad.")).toList();
            for (String n : params) {
                TensorData p = st.tensor(n);
                TensorData g = st.tensor("grad." + n);
                assertEquals("F64", p.dtype(), f + " " + n);
                assertEquals("F64", g.dtype(), f + " grad." + n);
                assertArrayEquals(p.shape(), g.shape(), f + " grad shape of " + n);
            }
            for (String n : st.tensors().keySet()) {
                if (n.startsWith("grad.")) {
                    assertTrue(params.contains(n.substring(5)), f + " orphan gradient " + n);
                } else if (!n.equals("target")) {
                    assertEquals("F64", st.tensor(n).dtype(), f + " " + n);
                }
            }
            for (String common : List.of("stem.proj.weight", "stem.proj.bias", "norm.weight", "norm.bias", "head.weight", "head.bias")) {
                assertTrue(params.contains(common), f + " has " + common);
            }
            assertArrayEquals(new long[]{8, 2, 4, 4}, st.tensor("stem.proj.weight").shape(), f);
            assertArrayEquals(new long[]{5, 8}, st.tensor("head.weight").shape(), f);
        }

        // exact parameter sets of two representative models
        Map<String, long[]> para = new LinkedHashMap<>();
        Map<String, long[]> timm = new LinkedHashMap<>();
        for (Map<String, long[]> m : List.of(para, timm)) {
            m.put("stem.proj.weight", new long[]{8, 2, 4, 4});
            m.put("stem.proj.bias", new long[]{8});
            m.put("norm.weight", new long[]{8});
            m.put("norm.bias", new long[]{8});
            m.put("head.weight", new long[]{5, 8});
            m.put("head.bias", new long[]{5});
        }
        for (int b = 0; b < 2; b++) {
            String k = "blocks." + b + ".";
            para.put(k + "norm.weight", new long[]{4, 8});
            para.put(k + "norm.bias", new long[]{4, 8});
            para.put(k + "mlp_tokens.fc1.weight", new long[]{4, 4});
            para.put(k + "mlp_tokens.fc2.weight", new long[]{4, 4});
            para.put(k + "mlp_channels.fc1.weight", new long[]{32, 8});
            para.put(k + "mlp_channels.fc2.weight", new long[]{8, 32});
            for (String nrm : List.of("norm1", "norm2")) {
                timm.put(k + nrm + ".weight", new long[]{8});
                timm.put(k + nrm + ".bias", new long[]{8});
            }
            timm.put(k + "mlp_tokens.fc1.weight", new long[]{4, 4});
            timm.put(k + "mlp_tokens.fc1.bias", new long[]{4});
            timm.put(k + "mlp_tokens.fc2.weight", new long[]{4, 4});
            timm.put(k + "mlp_tokens.fc2.bias", new long[]{4});
            timm.put(k + "mlp_channels.fc1.weight", new long[]{32, 8});
            timm.put(k + "mlp_channels.fc1.bias", new long[]{32});
            timm.put(k + "mlp_channels.fc2.weight", new long[]{8, 32});
            timm.put(k + "mlp_channels.fc2.bias", new long[]{8});
        }
        checkParams(SafeTensors.read(parity.resolve("paramixer_tiny.safetensors")), para, fixed);
        checkParams(SafeTensors.read(parity.resolve("mixer_tiny.safetensors")), timm, fixed);
    }

    private static void checkParams(SafeTensors st, Map<String, long[]> expected, Set<String> fixed) {
        Set<String> params = st.tensors().keySet().stream()
                .filter(n -> !fixed.contains(n) && !n.startsWith("grad.")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(expected.keySet()), params, st.metadata().get("model"));
        expected.forEach((n, shape) -> assertArrayEquals(shape, st.tensor(n).shape(), n));
    }

    // ------------------------------------------------------------------ helpers

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static String headerText(byte[] file) {
        return new String(file, 8, (int) headerLength(file), StandardCharsets.UTF_8);
    }
}
