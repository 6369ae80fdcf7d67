package io.github.hopmixer.sweep;

import java.io.IOException;
import java.nio.file.Path;

/** A tiny ImageFolder the sweep tests write: 8×8 PNGs of two classes told apart by where a bright bar is. */
final class Bars {
    private Bars() {}

    static Path write(Path root, int perClassTrain, int perClassTest) throws IOException {
        return io.github.hopmixer.testing.BarImages.write(root, perClassTrain, perClassTest);
    }
}
