package io.github.hopmixer.testing;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Two classes told apart by where a bright bar is (8×8 grey PNGs, ImageFolder layout, classes top and bottom):
 * learnable in a few steps, not at chance by accident. The tests' one small real-image data set.
 */
public final class BarImages {
    private BarImages() {}

    /** Writes {@code perClassTrain} train and {@code perClassTest} test images a class under {@code root}; returns it. */
    public static Path write(Path root, int perClassTrain, int perClassTest) throws IOException {
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
}
