package io.github.hopmixer.sweep;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.hopmixer.io.AtomicFile;
import io.github.hopmixer.io.FileErrors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A sweep folder: {@code sweep.json} (the grid, fixed at creation) and one run directory per cell. */
public final class Sweep {
    public static final String FILE = "sweep.json";
    /** Written next to a cell's run while a sweep's child trains it: {@code pid start-millis host}. */
    static final String PID_FILE = "sweep.pid";

    public enum State {
        NOT_STARTED("not started"), STARTED("in progress"), RUNNING("running"), DONE("done"),
        /** A finished run whose run.json is not this cell's (another model, seed, data set or flags). */
        FOREIGN("holding another run"),
        /** summary.csv cannot be read. */
        DAMAGED("damaged");
        public final String text;
        State(String text) { this.text = text; }
    }

    /** A cell's state, the epochs in its summary.csv, the process training it (RUNNING only), and why it is FOREIGN or DAMAGED. */
    public record Status(State state, int epochsDone, long pid, String why) {
        public Status(State state, int epochsDone, long pid) {
            this(state, epochsDone, pid, null);
        }

        public String text(int epochs) {
            return switch (state) {
                case FOREIGN -> "holds another run: " + why;
                case DAMAGED -> "damaged: " + why;
                case DONE -> "done";
                case NOT_STARTED -> "not started";
                case STARTED -> "in progress, " + epochsDone + "/" + epochs + " epochs";
                case RUNNING -> "running (pid " + pid + "), " + epochsDone + "/" + epochs + " epochs";
            };
        }
    }

    private final Path dir;
    private final Grid grid;
    private final int epochs;
    private final List<Cell> cells;

    private Sweep(Path dir, Grid grid, int epochs) {
        this.dir = dir;
        this.grid = grid;
        this.epochs = epochs;
        this.cells = grid.cells();
    }

    /** Opens an existing sweep folder. */
    public static Sweep open(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException(dir + " is not a sweep folder (no " + FILE + "); start one with hopmixer sweep " + dir + " --models ... --seeds ... --datasets ...");
        }
        try {
            String json = Files.readString(f);
            Grid g = Grid.fromJson(json, f.toString());
            var o = JsonParser.parseString(json).getAsJsonObject();
            if (!o.has("epochs")) throw new IllegalArgumentException(f + " has no \"epochs\"; it was not written by hopmixer sweep");
            JsonElement e = o.get("epochs");
            // checked by hand: getAsInt would take 2.5 as 2 and fail on a list with Gson's class names
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble()) || e.getAsDouble() < 1
                    || e.getAsDouble() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(f + ": \"epochs\" must be a whole number ≥ 1; got " + e);
            }
            return new Sweep(dir, g, e.getAsInt());
        } catch (IOException e) {
            throw FileErrors.failure("cannot read " + f, e);
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new IllegalArgumentException(f + " is not a valid sweep file: " + e.getMessage());
        }
    }

    /** Creates the sweep folder for {@code grid}, or opens it when it holds the same grid; another grid is refused. */
    public static Sweep create(Path dir, Grid grid, int epochs) {
        return create(dir, grid, epochs, true);
    }

    /** As {@link #create(Path, Grid, int)}, with the same checks; {@code write} false (a dry run) leaves the disk as it is. */
    public static Sweep create(Path dir, Grid grid, int epochs, boolean write) {
        Path f = dir.resolve(FILE);
        if (Files.exists(f)) {
            Sweep old = open(dir);
            if (!old.grid.equals(grid) || old.epochs != epochs) {
                throw new IllegalArgumentException(dir + " holds another sweep (" + f + "); run 'hopmixer sweep " + dir
                        + "' without grid flags to continue it, or give a new folder for this grid");
            }
            return old;
        }
        try {
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    if (s.findAny().isPresent()) throw new IllegalArgumentException(dir + " is not empty and holds no " + FILE + "; give a new or empty folder for the sweep");
                }
            }
            if (!write) return new Sweep(dir, grid, epochs);
            Files.createDirectories(dir);
            AtomicFile.write(f, java.util.List.of(grid.toJson(epochs).stripTrailing()));
        } catch (IOException e) {
            throw FileErrors.failure("cannot create the sweep folder " + dir, e);
        }
        return new Sweep(dir, grid, epochs);
    }

    public Path dir() { return dir; }
    public Grid grid() { return grid; }
    public int epochs() { return epochs; }
    public List<Cell> cells() { return cells; }

    public Path cellDir(Cell c) {
        return dir.resolve(c.relativeDir());
    }

    public Cell cell(int index) {
        if (index < 0 || index >= cells.size()) {
            throw new IllegalArgumentException("--cell " + index + ": the sweep in " + dir + " has cells 0 to " + (cells.size() - 1));
        }
        return cells.get(index);
    }

    /**
     * Done: summary.csv has every epoch and run.json (if any) is this cell's. Started: the run wrote run.json or a
     * checkpoint. Damaged: summary.csv cannot be read.
     */
    public Status status(Cell c) {
        Path d = cellDir(c);
        int done;
        try {
            done = SummaryCsv.read(d.resolve("summary.csv")).size();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            return new Status(State.DAMAGED, 0, 0, e.getMessage());
        }
        if (done >= epochs) {
            // An unfinished run of another cell is refused by train on resume; a finished one is never resumed, so it is checked here.
            List<String> resume = c.trainCommand(d, true, null);
            Optional<String> other = io.github.hopmixer.cli.RunMatch.mismatch(resume.subList(1, resume.size()), d);
            return other.isPresent() ? new Status(State.FOREIGN, done, 0, other.get()) : new Status(State.DONE, done, 0);
        }
        Optional<Long> pid = runningPid(d);
        if (pid.isPresent()) return new Status(State.RUNNING, done, pid.get());
        return new Status(started(d) ? State.STARTED : State.NOT_STARTED, done, 0);
    }

    static boolean started(Path d) {
        if (Files.exists(d.resolve("run.json"))) return true;
        try (var s = Files.list(d.resolve("checkpoints"))) {
            return s.anyMatch(p -> !p.getFileName().toString().startsWith("."));
        } catch (IOException e) {
            return false;
        }
    }

    /** The live process named in the cell's pid file, if it is on this host and still the same process. */
    static Optional<Long> runningPid(Path d) {
        try {
            String[] f = Files.readString(d.resolve(PID_FILE)).strip().split("\\s+");
            long pid = Long.parseLong(f[0]), start = Long.parseLong(f[1]);
            if (f.length > 2 && !f[2].equals(host())) return Optional.empty();
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(ph -> ph.info().startInstant().map(i -> Math.abs(i.toEpochMilli() - start) < 2000).orElse(true))
                    .map(ProcessHandle::pid);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
