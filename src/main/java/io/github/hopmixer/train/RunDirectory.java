package io.github.hopmixer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The run-directory contract: a directory holds one run, described by its {@code run.json}. {@code train --output}
 * takes only a directory that holds no run; {@code --resume} takes a run directory (or a checkpoint inside one) and
 * continues in it. These checks read and never write, so a refused command leaves every file as it was.
 */
public final class RunDirectory {
    /** Files whose presence means a directory already holds a run. */
    static final List<String> RUN_FILES = List.of(Manifest.FILE, "summary.csv", "steps.csv", "checkpoints");

    private RunDirectory() {}

    /**
     * What {@code --resume} named: the run directory, the checkpoint to start from ({@code null}: the run's
     * newest, or step 0 if it has none), and its manifest ({@code null} for a run made before manifests).
     */
    public record Target(Path run, Path checkpoint, Manifest manifest) {
        /** The checkpoint to continue from, if there is one; an incomplete newest one is refused, never skipped. */
        public Optional<Path> start() {
            return checkpoint != null ? Optional.of(checkpoint) : Checkpoint.newestComplete(run, "--resume");
        }
    }

    /** The first of {@link #RUN_FILES} that {@code dir} holds, if any. */
    public static Optional<String> runFile(Path dir) {
        return RUN_FILES.stream().filter(f -> Files.exists(dir.resolve(f))).findFirst();
    }

    /** Refuses an output directory that is a file or already holds a run; {@code flag} names how it was chosen. */
    public static void requireFresh(Path dir, String flag) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(flag + " " + dir + " is a file, not a directory; give a directory for the run");
        }
        runFile(dir).ifPresent(f -> {
            throw new IllegalArgumentException(flag + " " + dir + " already holds a run (" + f + "): continue it with --resume "
                    + dir + ", or start a new run with a fresh --output");
        });
    }

    /** Resolves {@code --resume PATH}: a run directory, its checkpoints folder, or one checkpoint inside it. */
    public static Target forResume(Path path) {
        if (!Files.exists(path)) throw new IllegalArgumentException("--resume " + path + ": no such run directory or checkpoint");
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("--resume " + path + " is a file; give the run directory (or a checkpoint directory in it)");
        }
        if (Manifest.exists(path)) return new Target(path, null, Manifest.read(path));
        Path parent = path.toAbsolutePath().normalize().getParent();
        if (path.getFileName() != null && path.getFileName().toString().equals("checkpoints") && parent != null) {
            return forResume(parent);
        }
        if (Checkpoint.complete(path) && CheckpointFiles.step(path) >= 0 && parent != null
                && parent.getFileName().toString().equals("checkpoints")) {
            Path run = parent.getParent();
            return new Target(run, path, Manifest.exists(run) ? Manifest.read(run) : null);
        }
        if (Checkpoint.complete(path)) {
            throw new IllegalArgumentException("--resume " + path + " is a checkpoint outside a run directory (no "
                    + "checkpoints/ folder with a run.json around it); resume the run it came from");
        }
        if (Files.isDirectory(path.resolve("checkpoints"))) return new Target(path, null, null); // a run from before run.json
        throw new IllegalArgumentException("--resume " + path + " holds no run (no " + Manifest.FILE + ", no checkpoints/)");
    }

    /**
     * Undoes a new run that failed before its first step (a full disk, a refusal found late): its {@code run.json},
     * {@code summary.csv}, {@code steps.csv}, a {@code .lock} it created and the directory if it created it and it is
     * now empty, so the same command with other flags can use the directory. Called with the lock held, after
     * {@link #requireFresh} found none of these files, so nothing from before the run is deleted. Returns whether it
     * undid the run; a run that took a step (or wrote a checkpoint) is kept for its record.
     */
    public static boolean discardUnstarted(Path dir, boolean createdDir, boolean createdLock) {
        try {
            Path steps = dir.resolve("steps.csv");
            if (Files.exists(dir.resolve("checkpoints")) || Files.exists(steps)
                    && Files.readAllLines(steps, java.nio.charset.StandardCharsets.ISO_8859_1).size() > 1) return false;
            for (String f : List.of(Manifest.FILE, "summary.csv", "steps.csv")) Files.deleteIfExists(dir.resolve(f));
            if (createdLock) Files.deleteIfExists(dir.resolve(RunLock.FILE)); // its holder is this process, about to exit
            if (createdDir) {
                try (var s = Files.list(dir)) {
                    if (s.findAny().isEmpty()) Files.delete(dir);
                }
            }
            return true;
        } catch (IOException | java.io.UncheckedIOException e) {
            return false; // best effort: the error that brought us here is the one to report
        }
    }

    /** Whether a run with {@code epochs} epochs is complete at {@code pos}. */
    public static boolean finished(Checkpoint.Position pos, int epochs) {
        return pos.epoch() >= epochs && pos.batchIndex() == 0;
    }
}
