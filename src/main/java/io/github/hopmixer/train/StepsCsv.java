package io.github.hopmixer.train;

import io.github.hopmixer.io.AtomicFile;
import io.github.hopmixer.io.FileErrors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code steps.csv} (step, epoch, batch, loss, lr) and {@code summary.csv}: rewound to a checkpoint on resume. */
final class StepsCsv {
    static final String HEADER = "step,epoch,batch,loss,lr";

    private StepsCsv() {}

    /** Keeps the rows of steps up to {@code keepUpTo}; a cut or garbled row (a run killed mid-write) is dropped. */
    static void truncate(Path file, long keepUpTo) {
        rewrite(file, HEADER, 5, keepUpTo);
    }

    /**
     * Rewrites {@code file} with {@code header} and the rows whose first column is at most {@code keepUpTo}, keeping
     * only rows of {@code columns} numeric fields. Written to a temporary file and renamed (see {@link AtomicFile}),
     * so a kill mid-rewrite loses nothing.
     */
    static void rewrite(Path file, String header, int columns, long keepUpTo) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            List<String> keep = new ArrayList<>();
            keep.add(header);
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                    Long first = firstIfWellFormed(line, columns);
                    if (first != null && first <= keepUpTo) keep.add(line);
                }
            }
            AtomicFile.write(file, keep);
        } catch (IOException e) {
            throw FileErrors.failure("cannot rewrite " + file, e);
        }
    }

    private static Long firstIfWellFormed(String line, int columns) {
        String[] f = line.split(",", -1);
        if (f.length != columns) return null;
        try {
            for (int i = 1; i < f.length; i++) Double.parseDouble(f[i]);
            return Long.parseLong(f[0]);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
