package io.github.hopmixer.cli;

import io.github.hopmixer.testing.CliRun;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/** A tiny ImageFolder data set, a checkpoint trained on it through the CLI ({@code testing.CliRun}), and a helper to snapshot folders. */
final class CliFixture {
    private CliFixture() {}

    /** The data set (train/ and test/ of classes a, b: 8×8 RGB PNGs) and the run directory holding the checkpoint. */
    record Trained(Path data, Path run) {}

    static Trained train(Path dir) {
        Path data = dir.resolve("good");
        Random r = new Random(5);
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("a", "b")) {
                for (int i = 0; i < 4; i++) png(data.resolve(split).resolve(cls).resolve(i + ".png"), 8, 8, r);
            }
        }
        Path run = dir.resolve("run");
        CliRun.Result t = CliRun.run("train", "--model", "paramixer_nano", "--dataset", "folder", "--data-dir", data.toString(), "--img-size", "8",
                "--epochs", "1", "--batch-size", "4", "--threads", "1", "--hflip", "0", "--no-progress", "--output", run.toString());
        if (t.code() != 0) throw new AssertionError("fixture training failed: " + t.err());
        return new Trained(data, run);
    }

    static Path png(Path file, int w, int h, Random r) {
        try {
            Files.createDirectories(file.getParent());
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, r.nextInt(1 << 24));
            ImageIO.write(img, "png", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PNG whose IHDR (with a valid CRC) claims width×height; a tiny IDAT and IEND follow. */
    static byte[] pngHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(b, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        chunk(b, "IDAT", new byte[0]);
        chunk(b, "IEND", new byte[0]);
        return b.array();
    }

    private static void chunk(ByteBuffer b, String type, byte[] data) {
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt(data.length).put(t).put(data).putInt((int) crc.getValue());
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The committed reproduction sweep: a sweep running beside the tests writes there, no command under test does. */
    private static final Path LIVE_SWEEP = Path.of("results", "reproduction", "sweep");

    /** Every file and folder under the roots with a hash of its bytes: equal snapshots mean nothing changed or was lost. */
    static TreeMap<String, String> snapshot(Path... roots) {
        TreeMap<String, String> out = new TreeMap<>();
        for (Path root : roots) {
            if (!Files.exists(root)) continue;
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.toList()) {
                    if (p.startsWith(LIVE_SWEEP)) continue;
                    out.put(p.toString(), Files.isDirectory(p) ? "dir" : fingerprint(p));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Small files by content; large ones (checkpoints) by size and modification time, which any rewrite changes. */
    private static String fingerprint(Path p) throws IOException {
        long size = Files.size(p);
        if (size > 1 << 20) return size + "@" + Files.getLastModifiedTime(p).toMillis();
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
