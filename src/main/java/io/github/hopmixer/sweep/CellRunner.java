package io.github.hopmixer.sweep;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs one cell as a child JVM (so a crash there cannot take the sweep down), its output appended to
 * {@code CELL/train.log}: skips it when done, resumes it when started, starts it otherwise.
 */
public final class CellRunner {
    /** REFUSED: the cell cannot run as its folder is (another run, damaged files, flags train refuses); a retry would fail again. */
    public enum Outcome { SKIPPED, FINISHED, FAILED, BUSY, REFUSED }

    /** Running cells and their pid files. */
    private static final Map<Process, Path> LIVE = new ConcurrentHashMap<>();
    private static volatile boolean stopping;

    static {
        // Ctrl-C or a SIGTERM to the sweep stops its cells too; they resume from their last checkpoint next time.
        // The hook cleans up itself: the threads waiting on the cells may not run again before the JVM halts.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Map<Process, Path> live;
            synchronized (LIVE) {
                stopping = true; // no cell starts after this
                live = Map.copyOf(LIVE);
            }
            live.keySet().forEach(Process::destroy);
            for (var e : live.entrySet()) {
                try {
                    if (!e.getKey().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) e.getKey().destroyForcibly();
                    Files.deleteIfExists(e.getValue());
                } catch (InterruptedException | IOException x) {
                    return;
                }
            }
        }));
    }

    private CellRunner() {}

    /** Runs {@code c}; {@code threads} is passed as --threads unless the grid's train flags set it (null: none). */
    public static Outcome run(Sweep sweep, Cell c, Integer threads, PrintStream out) {
        if (stopping) return Outcome.FAILED; // a stopped sweep neither starts nor announces another cell
        String tag = String.format(Locale.ROOT, "[%d/%d] %s", c.index() + 1, sweep.cells().size(), c.name());
        Sweep.Status st = sweep.status(c);
        switch (st.state()) {
            case DONE -> {
                out.println(tag + ": done, skipped");
                return Outcome.SKIPPED;
            }
            case RUNNING -> {
                out.println(tag + ": being trained by process " + st.pid() + " (another sweep?); left to it");
                return Outcome.BUSY;
            }
            case FOREIGN, DAMAGED -> {
                // nothing is started and nothing in the folder is touched: it may be someone's finished run
                out.println(tag + ": REFUSED, " + st.text(sweep.epochs()) + "; move " + sweep.cellDir(c) + " away to train the cell");
                return Outcome.REFUSED;
            }
            default -> { }
        }
        Path dir = sweep.cellDir(c), log = dir.resolve("train.log");
        boolean resume = st.state() == Sweep.State.STARTED;
        List<String> cmd = JavaCommand.hopmixer(sweep.dir(), c.trainCommand(dir, resume, threads));
        long t0 = System.nanoTime();
        int code;
        try {
            Files.createDirectories(dir);
            Files.writeString(log, (resume ? "\n== hopmixer sweep: resuming\n" : "== hopmixer sweep: starting\n") + String.join(" ", cmd) + "\n",
                    java.nio.charset.StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            out.println(tag + ": " + (resume ? "resuming at " + st.epochsDone() + "/" + sweep.epochs() + " epochs" : "starting"));
            Path pidFile = dir.resolve(Sweep.PID_FILE);
            Process p;
            synchronized (LIVE) {
                if (stopping) return Outcome.FAILED;
                p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(new File("/dev/null")).start();
                LIVE.put(p, pidFile);
            }
            try {
                long start = p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(System.currentTimeMillis());
                Files.writeString(pidFile, p.pid() + " " + start + " " + Sweep.host() + "\n");
                code = p.waitFor();
            } finally {
                LIVE.remove(p);
                Files.deleteIfExists(pidFile);
            }
        } catch (IOException e) {
            out.println(tag + ": FAILED to start: " + e.getMessage());
            return Outcome.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println(tag + ": interrupted; it resumes on the next run of the sweep");
            return Outcome.FAILED;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        synchronized (LIVE) {
            if (stopping) {
                out.println(tag + ": stopped with the sweep; it resumes on the next run");
                return Outcome.FAILED;
            }
        }
        var rows = SummaryCsv.read(dir.resolve("summary.csv"));
        if (code != 0 || rows.size() < sweep.epochs()) {
            String why = lastError(log).map(e -> ": " + e).orElse("");
            out.printf(Locale.ROOT, "%s: FAILED (exit %d, %d/%d epochs in summary.csv)%s; see %s%n", tag, code, rows.size(), sweep.epochs(), why, log);
            // exit 2 is train refusing its flags or input before training: the same command would be refused again
            return code == 2 ? Outcome.REFUSED : Outcome.FAILED;
        }
        var last = rows.getLast();
        out.printf(Locale.ROOT, "%s: done in %.0f s, top-1 %.2f%%, eval loss %.4f%n", tag, secs, last.top1(), last.evalLoss());
        return Outcome.FINISHED;
    }

    /** The last {@code hopmixer: } line of the log, which is train's one-line reason for failing. */
    static java.util.Optional<String> lastError(Path log) {
        try (var lines = Files.lines(log, java.nio.charset.StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.startsWith("hopmixer: ")).reduce((a, b) -> b).map(l -> l.substring("hopmixer: ".length()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return java.util.Optional.empty();
        }
    }
}
