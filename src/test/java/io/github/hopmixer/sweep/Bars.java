package io.github.hopmixer.sweep;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** A tiny ImageFolder the sweep tests write: 8×8 PNGs of two classes told apart by where a bright bar is. */
final class Bars {
    private Bars() {}

    static Path write(Path root, int perClassTrain, int perClassTest) throws IOException {
        Random r = new Random(3);
        for (String split : List.of("train", "test")) {
            int n = split.equals("train") ? perClassTrain : perClassTest;
            for (int cls = 0; cls < 2; cls++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(cls == 0 ? "top" : "bottom"));
                for (int i = 0; i < n; i++) {
                    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 8; y++)
                        for (int x = 0; x < 8; x++) {
                            boolean bar = cls == 0 ? y < 3 : y > 4;
                            int v = Math.min(255, Math.max(0, (bar ? 190 : 60) + (int) (r.nextGaussian() * 40)));
                            img.setRGB(x, y, v << 16 | v << 8 | v);
                        }
                    ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
                }
            }
        }
        return root;
    }

    /** A command's stdout and exit code, run in this JVM. */
    record Run(int code, String out, String err) {}

    static Run hopmixer(String... args) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.StringWriter();
        java.io.PrintStream old = System.out;
        try (var ps = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8)) {
            System.setOut(ps);
            var cl = io.github.hopmixer.cli.Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(old);
        }
    }
}
