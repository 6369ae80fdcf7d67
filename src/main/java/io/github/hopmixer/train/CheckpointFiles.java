package io.github.hopmixer.train;

import io.github.hopmixer.io.FileErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The {@code checkpoints/} folder of a run: its {@code step-N} directories, ordered and pruned by step. */
final class CheckpointFiles {
    private CheckpointFiles() {}

    /** The {@code step-N} directories (complete or not), in no particular order. */
    static List<Path> list(Path root) {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> step(p) >= 0 && Files.isDirectory(p)).toList();
        } catch (IOException e) {
            throw FileErrors.failure("cannot list checkpoints in " + root, e);
        }
    }

    /** The step a {@code step-N} directory holds, or -1 for any other name. */
    static long step(Path p) {
        String n = p.getFileName().toString();
        if (!n.startsWith("step-")) return -1;
        try {
            return Long.parseLong(n.substring(5));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * After {@code current} was written: removes checkpoints of later steps (a timeline the run was rewound from:
     * deterministic replay writes them again), temporary directories left by a killed run, and all but the
     * {@code keep} newest by step. The one just written is always the newest, so it is never removed.
     */
    static void prune(Path root, long current, int keep) throws IOException {
        List<Path> kept = new ArrayList<>();
        for (Path p : list(root)) {
            if (step(p) > current) retire(p);
            else kept.add(p);
        }
        kept.sort(Comparator.comparingLong(CheckpointFiles::step).reversed());
        for (int i = Math.max(1, keep); i < kept.size(); i++) retire(kept.get(i));
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("\\.step-\\d+\\.(tmp|del)")).toList()) Checkpoint.deleteTree(p);
        }
    }

    /**
     * Deletes a checkpoint directory by first renaming it out of the {@code step-N} namespace, so that a kill
     * mid-delete never leaves a half-deleted {@code step-N} behind (the leftover is removed at the next prune).
     */
    static void retire(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        Path trash = dir.resolveSibling("." + dir.getFileName() + ".del");
        Checkpoint.deleteTree(trash);
        Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
        Checkpoint.deleteTree(trash);
    }
}
