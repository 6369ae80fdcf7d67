package io.github.hopmixer.cli;

import io.github.hopmixer.train.Manifest;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Whether a run directory holds the run that given train flags would resume: the comparison of typed flags with
 * run.json that {@code train --resume} makes, without starting train. A sweep uses it on finished cells, which it
 * never resumes, so that another run copied into a cell's folder is not taken for the cell's.
 */
public final class RunMatch {
    private RunMatch() {}

    /** Why {@code runDir}'s run is not the one {@code trainArgs} (train flags with --resume) describe; empty when it is, or has no run.json. */
    public static Optional<String> mismatch(List<String> trainArgs, Path runDir) {
        if (!Manifest.exists(runDir)) return Optional.empty(); // a run from before run.json: nothing to compare, as train does
        TrainCommand t = new TrainCommand();
        CommandLine cl = new CommandLine(t);
        try {
            cl.parseArgs(trainArgs.toArray(String[]::new));
            new RunFlags(cl.getCommandSpec()).adopt(Manifest.read(runDir), runDir);
            return Optional.empty();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            // train's message ends with advice for train ("Resume without ..."); the sweep gives its own
            String m = e.getMessage();
            int cut = m.indexOf("; ");
            return Optional.of(cut > 0 ? m.substring(0, cut) : m);
        }
    }
}
