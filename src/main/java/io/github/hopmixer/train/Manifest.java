package io.github.hopmixer.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.hopmixer.io.AtomicFile;
import io.github.hopmixer.io.FileErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code run.json}, written when a run directory is created: which model on which data, every setting as the flag
 * that sets it ({@code "--batch-size": 16}), the seed, the hopmixer version and the start time. A resume takes its
 * settings from here; a longer {@code --epochs} is recorded in {@code extensions}.
 */
public record Manifest(String model, String dataset, String dataDir, long seed, String version, String started,
                       JsonObject settings, List<Extension> extensions) {
    public static final String FILE = "run.json";
    /** Kept in step with the version {@code hopmixer --version} prints. */
    public static final String VERSION = "0.1.0";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

    /** {@code --epochs} raised from {@code from} to {@code to} when resumed at {@code atStep}. */
    public record Extension(int from, int to, long atStep, String time) {}

    public Manifest {
        settings = settings.deepCopy();
        extensions = extensions == null ? List.of() : List.copyOf(extensions);
    }

    public int epochs() {
        return settings.get("--epochs").getAsInt();
    }

    public Manifest withEpochs(int epochs, long atStep) {
        JsonObject s = settings.deepCopy();
        s.addProperty("--epochs", epochs);
        List<Extension> ext = new ArrayList<>(extensions);
        ext.add(new Extension(epochs(), epochs, atStep, java.time.Instant.now().toString()));
        return new Manifest(model, dataset, dataDir, seed, version, started, s, ext);
    }

    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve(FILE));
    }

    /** Reads {@code dir/run.json}; a file that is not a manifest is a one-line error naming it. */
    public static Manifest read(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            JsonElement json = JsonParser.parseString(Files.readString(file));
            // Checked before Gson builds the record: its constructor would fail on a missing field with JVM text.
            if (!json.isJsonObject() || !json.getAsJsonObject().has("model")
                    || !(json.getAsJsonObject().get("settings") instanceof JsonObject s) || !s.has("--epochs")) {
                throw new IllegalArgumentException("damaged or incomplete: no model or settings");
            }
            Manifest m = GSON.fromJson(json, Manifest.class);
            if (m == null || m.settings() == null || !m.settings().has("--epochs") || m.model() == null) {
                throw new IllegalArgumentException("damaged or incomplete: no model or settings");
            }
            m.epochs();
            return m;
        } catch (IOException e) {
            throw FileErrors.failure("cannot read " + file, e);
        } catch (RuntimeException e) {
            String why = Checkpoint.firstLine(e);
            throw new IllegalArgumentException(file + " is not a hopmixer run manifest (" + why
                    + "); restore it, or start a new run with a fresh --output", e);
        }
    }

    /** Writes {@code dir/run.json} atomically (a temporary file renamed over it). */
    public void write(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            AtomicFile.write(file, List.of(GSON.toJson(this)));
        } catch (IOException e) {
            throw FileErrors.failure("cannot write " + file, e);
        }
    }

    public String toJson() {
        return GSON.toJson(this);
    }
}
