package io.github.hopmixer.sweep;

import io.github.hopmixer.io.FileErrors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Submits a sweep to Slurm as a job array: {@code SWEEP/slurm/sweep.sbatch}, one array task per cell that is not
 * done, each running {@code hopmixer sweep SWEEP --cell $SLURM_ARRAY_TASK_ID} (which resumes, starts or skips it).
 */
public final class SlurmLauncher {

    /** sbatch settings; null or empty ones are left to the cluster's defaults. */
    public record Options(String jobName, String partition, String time, String gpus, String gres, Integer cpusPerTask, String mem,
                          Integer maxParallel, List<String> sbatchArgs, List<String> setup, String hopmixerCmd) {}

    private SlurmLauncher() {}

    /** The array indices of {@code cells} as Slurm writes them: 0-7 or 0,2,5-9. */
    static String ranges(List<Integer> idx) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < idx.size(); ) {
            int j = i;
            while (j + 1 < idx.size() && idx.get(j + 1) == idx.get(j) + 1) j++;
            if (!s.isEmpty()) s.append(',');
            s.append(idx.get(i));
            if (j > i) s.append('-').append(idx.get(j));
            i = j + 1;
        }
        return s.toString();
    }

    /** The batch script for the given cell indices. */
    public static String script(Sweep sweep, List<Integer> indices, Options o) {
        return script(sweep, indices, o, true);
    }

    /** The batch script; {@code copyJar} false (a dry run) names the jar copy in the sweep folder without making it. */
    public static String script(Sweep sweep, List<Integer> indices, Options o, boolean copyJar) {
        Path dir = sweep.dir().toAbsolutePath().normalize();
        List<String> l = new ArrayList<>();
        l.add("#!/bin/bash");
        l.add("# hopmixer sweep " + dir + ": one array task per cell not yet done; resubmitting resumes the rest.");
        l.add("#SBATCH --job-name=" + (o.jobName() != null ? o.jobName() : "hopmixer-" + dir.getFileName()));
        l.add("#SBATCH --array=" + ranges(indices) + (o.maxParallel() != null ? "%" + o.maxParallel() : ""));
        l.add("#SBATCH --output=" + dir.resolve("slurm") + "/%A_%a.out");
        l.add("#SBATCH --chdir=" + Path.of("").toAbsolutePath());
        if (o.partition() != null) l.add("#SBATCH --partition=" + o.partition());
        if (o.time() != null) l.add("#SBATCH --time=" + o.time());
        if (o.gpus() != null) l.add("#SBATCH --gpus=" + o.gpus());
        if (o.gres() != null) l.add("#SBATCH --gres=" + o.gres());
        if (o.cpusPerTask() != null) l.add("#SBATCH --cpus-per-task=" + o.cpusPerTask());
        if (o.mem() != null) l.add("#SBATCH --mem=" + o.mem());
        for (String a : o.sbatchArgs()) l.add("#SBATCH " + a);
        l.add("set -euo pipefail");
        l.addAll(o.setup());
        l.add("echo \"hopmixer sweep: cell $SLURM_ARRAY_TASK_ID on $(hostname), job $SLURM_JOB_ID\"");
        String cell = " sweep " + quote(dir.toString()) + " --cell \"$SLURM_ARRAY_TASK_ID\"";
        l.add(o.hopmixerCmd() != null ? o.hopmixerCmd() + cell
                : String.join(" ", JavaCommand.hopmixer(sweep.dir(), List.of(), copyJar).stream().map(SlurmLauncher::quote).toList()) + cell);
        return String.join("\n", l) + "\n";
    }

    /** Where the script is written. */
    public static Path file(Sweep sweep) {
        return sweep.dir().resolve("slurm").resolve("sweep.sbatch");
    }

    /** Writes the script; returns its path. */
    public static Path write(Sweep sweep, List<Integer> indices, Options o) {
        Path f = file(sweep);
        try {
            Files.createDirectories(f.getParent());
            Files.writeString(f, script(sweep, indices, o));
            return f;
        } catch (IOException e) {
            throw FileErrors.failure("cannot write " + f, e);
        }
    }

    /** {@code sbatch --parsable SCRIPT}; returns the job id; a missing sbatch or a rejection is one line. */
    public static String submit(Path script) {
        Process p;
        try {
            p = new ProcessBuilder("sbatch", "--parsable", script.toString()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run sbatch (" + e.getMessage() + "): is Slurm installed and this a login node? The script is "
                    + script + "; submit it with sbatch there");
        }
        try {
            byte[] stdout = p.getInputStream().readAllBytes(), stderr = p.getErrorStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("sbatch did not answer in 120 s; is slurmctld up? The script is " + script);
            }
            String out = new String(stdout, StandardCharsets.UTF_8).strip(), err = new String(stderr, StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0 || out.isEmpty()) {
                String why = err.isEmpty() ? out : err.lines().filter(s -> !s.isBlank()).reduce((a, b) -> b).orElse(err);
                throw new IllegalStateException("sbatch rejected " + script + " (exit " + p.exitValue() + "): " + why);
            }
            return out.contains(";") ? out.substring(0, out.indexOf(';')) : out;
        } catch (IOException e) {
            throw new UncheckedIOException("sbatch: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for sbatch");
        }
    }

    /** A word for bash: single-quoted unless it is plainly safe. */
    static String quote(String s) {
        return s.matches("[A-Za-z0-9_./=:,+@%-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
