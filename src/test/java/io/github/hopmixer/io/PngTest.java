package io.github.hopmixer.io;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A plot that cannot be drawn costs the picture only where Java's font stack failed; anything else stays an error. */
class PngTest {
    @TempDir Path dir;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    { Png.warnings = new PrintStream(err, true, StandardCharsets.UTF_8); }

    @AfterEach
    void restore() { Png.warnings = System.err; }

    /** As a JVM without fonts fails: a RuntimeException thrown from AWT's font configuration. */
    private static RuntimeException noFonts() {
        RuntimeException e = new RuntimeException("Fontconfig head is null, check your fonts or fonts configuration");
        e.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("sun.awt.FontConfiguration", "getVersion", "FontConfiguration.java", 1),
                new StackTraceElement("org.knowm.xchart.BitmapEncoder", "saveBitmap", "BitmapEncoder.java", 1)});
        return e;
    }

    @Test
    void drawsIntoANewFolder() throws IOException {
        Path png = dir.resolve("a/b/plot.png");
        assertTrue(Png.write(png, () -> Files.writeString(png, "x")));
        assertTrue(Files.exists(png));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aJvmWithoutFontsWarnsInOneLineAndGoesOn() {
        Path png = dir.resolve("plot.png");
        assertFalse(Png.write(png, () -> { throw noFonts(); }));
        String warning = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, warning.lines().count(), warning);
        assertTrue(warning.startsWith("hopmixer: no plot " + png + ": this JVM cannot draw text"), warning);
        assertTrue(warning.contains("Fontconfig head is null") && warning.contains("fonts-dejavu-core"), warning);
        assertFalse(Files.exists(png));
    }

    @Test
    void aMissingFontLibraryIsTheSame() {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("libfontmanager.so: libfreetype.so.6: cannot open shared object file");
        e.setStackTrace(new StackTraceElement[] {new StackTraceElement("sun.font.FontManagerNativeLibrary", "<clinit>", null, 1)});
        assertFalse(Png.write(dir.resolve("p.png"), () -> { throw e; }));
    }

    @Test
    void otherFailuresAreNotHidden() {
        IllegalStateException bug = new IllegalStateException("a bug in the chart's data");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> Png.write(dir.resolve("p.png"), () -> { throw bug; })));
        UncheckedIOException io = assertThrows(UncheckedIOException.class,
                () -> Png.write(dir.resolve("p.png"), () -> { throw new IOException("disk full"); }));
        assertTrue(io.getMessage().contains("disk full"), io.getMessage());
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }
}
