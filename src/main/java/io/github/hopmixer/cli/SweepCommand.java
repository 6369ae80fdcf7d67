package io.github.hopmixer.cli;

import io.github.hopmixer.io.FileErrors;
import io.github.hopmixer.sweep.Cell;
import io.github.hopmixer.sweep.CellRunner;
import io.github.hopmixer.sweep.DatasetSpec;
import io.github.hopmixer.sweep.Grid;
import io.github.hopmixer.sweep.LocalLauncher;
import io.github.hopmixer.sweep.SlurmLauncher;
import io.github.hopmixer.sweep.Sweep;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code hopmixer sweep}: a grid of training runs, one run directory per cell, run here or on Slurm. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a grid of training runs (models × λ × seeds × data sets), each cell its own run directory "
                + "SWEEP_DIR/<dataset>/<model>[-l<λ>]/seed<N>/. Done cells are skipped and started ones resumed, so a killed "
                + "sweep continues where it stopped when run again; 'hopmixer sweep SWEEP_DIR' alone continues the grid there.",
                "",
                "Example: hopmixer sweep runs/s1 --models paramixer_nano,asymmixer_nano --lambdas 1e-2,0 --seeds 1,2,3 "
                        + "--datasets fashion-mnist,cifar10-jpg=folder:/work/data/cifar10 --train-args \"--epochs 2\" --parallel 2",
                ""})
final class SweepCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SWEEP_DIR", description = "The sweep's folder: sweep.json (the grid) and the cells' run directories.")
    Path dir;

    @Option(names = "--grid", paramLabel = "FILE", description = "The grid as JSON: {\"models\": [...], \"lambdas\": [...], \"seeds\": [...], \"datasets\": [...], \"trainArgs\": \"--epochs 2\"}.")
    Path gridFile;

    @Option(names = "--models", split = ",", paramLabel = "M", description = "Model names, e.g. paramixer_nano,symmixer_nano,asymmixer_nano.")
    List<String> models;

    @Option(names = "--lambdas", split = ",", paramLabel = "λ", description = "asymmixer's --lcoeff values, e.g. 1,1e-2,1e-4,0 (other families get one cell).")
    List<Double> lambdas;

    @Option(names = "--seeds", split = ",", paramLabel = "N", description = "Seeds, e.g. 1,2,3.")
    List<Long> seeds;

    @Option(names = "--datasets", split = ",", paramLabel = "D", description = "[label=]name[:dir]: fashion-mnist, cifar10:/data/cifar, cifar10-jpg=folder:/work/data/cifar10.")
    List<String> datasets;

    @Option(names = "--train-args", paramLabel = "FLAGS", description = "Train flags every cell shares, e.g. \"--epochs 10 --batch-size 128 --crop-pad 4\".")
    String trainArgs;

    @Option(names = "--launcher", defaultValue = "local", paramLabel = "local|slurm", description = "Run the cells here, or submit them to Slurm as a job array (default: ${DEFAULT-VALUE}).")
    String launcher;

    @Option(names = "--parallel", paramLabel = "N", description = "Cells at a time: here, with the cores split between them (default 1); on Slurm, the array's limit (default: none).")
    Integer parallel;

    @Option(names = "--threads", paramLabel = "T", description = "Cores for the whole local sweep, split between parallel cells (default: all); with --cell, that cell's threads.")
    Integer threads;

    @Option(names = "--dry-run", description = "List the cells and their state (with --launcher slurm: write the script, do not submit).")
    boolean dryRun;

    @Option(names = "--cell", paramLabel = "I", description = "Run only cell I (0-based; what each Slurm array task runs): skip it if done, resume it if started.")
    Integer cell;

    @Option(names = "--partition", description = "Slurm partition.")
    String partition;

    @Option(names = "--time", description = "Slurm time limit per cell, e.g. 04:00:00.")
    String time;

    @Option(names = "--gpus", description = "Slurm --gpus per cell, e.g. 1.")
    String gpus;

    @Option(names = "--gres", description = "Slurm --gres per cell, e.g. gpu:a100:1.")
    String gres;

    @Option(names = "--cpus-per-task", paramLabel = "N", description = "Slurm cores per cell; the cell's --threads (default: the cluster's).")
    Integer cpusPerTask;

    @Option(names = "--mem", description = "Slurm memory per cell, e.g. 16G.")
    String mem;

    @Option(names = "--sbatch-arg", paramLabel = "ARG", description = "Extra #SBATCH line, repeatable, e.g. --sbatch-arg=--account=proj42 --sbatch-arg=--qos=short.")
    List<String> sbatchArgs = new ArrayList<>();

    @Option(names = "--setup", paramLabel = "LINE", description = "Shell line run before the cell in each array task, repeatable, e.g. \"module load java/25\".")
    List<String> setup = new ArrayList<>();

    @Option(names = "--hopmixer-cmd", paramLabel = "CMD", description = "How array tasks start hopmixer, e.g. /shared/hopmixer/scripts/hopmixer (default: this JVM's command line).")
    String hopmixerCmd;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        if (!launcher.equals("local") && !launcher.equals("slurm")) throw new IllegalArgumentException("--launcher " + launcher + ": expected local or slurm");
        if (parallel != null && parallel < 1) throw new IllegalArgumentException("--parallel " + parallel + ": must be at least 1");
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads " + threads + ": must be at least 1");
        Sweep sweep = open();
        TrainFlags flags = trainFlags(sweep.grid().trainArgs());

        if (cell != null) {
            Cell c = sweep.cell(cell);
            Integer t = flags.setsThreads ? null : threads != null ? threads : slurmCpus();
            var o = CellRunner.run(sweep, c, t, out);
            return o == CellRunner.Outcome.FINISHED || o == CellRunner.Outcome.SKIPPED ? 0 : 1;
        }
        List<Sweep.Status> states = dryRun || launcher.equals("slurm") ? list(sweep, out) : null;
        if (launcher.equals("slurm")) return slurm(sweep, states, out);
        if (dryRun) return 0;
        int n = parallel != null ? parallel : 1;
        int cores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Integer perCell = flags.setsThreads ? null : Math.max(1, cores / n);
        out.printf("sweep %s: %d cells, %d at a time%s%n", sweep.dir(), sweep.cells().size(), n, perCell != null ? ", " + perCell + " threads each" : "");
        return LocalLauncher.run(sweep, n, perCell, out) == 0 ? 0 : 1;
    }

    private Sweep open() {
        boolean flagsGiven = models != null || lambdas != null || seeds != null || datasets != null || trainArgs != null;
        if (gridFile != null && flagsGiven) throw new IllegalArgumentException("--grid and --models/--lambdas/--seeds/--datasets/--train-args: give the grid one way");
        Grid g = null;
        if (gridFile != null) {
            try {
                g = Grid.fromJson(Files.readString(gridFile), gridFile.toString());
            } catch (IOException e) {
                throw new IllegalArgumentException("--grid " + gridFile + ": cannot read it (" + FileErrors.reason(e) + ")");
            }
        } else if (flagsGiven) {
            g = new Grid(orEmpty(models), orEmpty(lambdas), orEmpty(seeds), orEmpty(datasets).stream().map(DatasetSpec::parse).toList(),
                    trainArgs == null ? List.of() : Grid.tokenize(trainArgs));
        }
        if (g == null) return Sweep.open(dir);
        // a dry run writes nothing, not even sweep.json, which would tie the folder to this grid
        return Sweep.create(dir, g, trainFlags(g.trainArgs()).epochs, !dryRun);
    }

    private static <T> List<T> orEmpty(List<T> xs) {
        return xs == null ? List.of() : xs;
    }

    record TrainFlags(int epochs, boolean setsThreads) {}

    /** The shared train flags, checked by train's own parser now rather than in every cell later. */
    static TrainFlags trainFlags(List<String> args) {
        TrainCommand t = new TrainCommand();
        try {
            new CommandLine(t).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException("--train-args " + String.join(" ", args) + ": " + e.getMessage());
        }
        if (t.epochs < 1) throw new IllegalArgumentException("--train-args: --epochs " + t.epochs + " must be at least 1");
        return new TrainFlags(t.epochs, t.threads != null);
    }

    private static Integer slurmCpus() {
        try {
            String s = System.getenv("SLURM_CPUS_PER_TASK");
            return s == null ? null : Integer.valueOf(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Prints every cell's state and a count of each; returns the states in cell order (reading one reads its run). */
    private static List<Sweep.Status> list(Sweep sweep, PrintStream out) {
        int[] counts = new int[Sweep.State.values().length];
        int w = sweep.cells().stream().mapToInt(c -> c.name().length()).max().orElse(10);
        List<Sweep.Status> states = new ArrayList<>();
        for (Cell c : sweep.cells()) {
            Sweep.Status st = sweep.status(c);
            states.add(st);
            counts[st.state().ordinal()]++;
            out.printf("%4d  %-" + w + "s  %s%n", c.index(), c.name(), st.text(sweep.epochs()));
        }
        List<String> parts = new ArrayList<>();
        for (Sweep.State s : Sweep.State.values()) if (counts[s.ordinal()] > 0) parts.add(counts[s.ordinal()] + " " + s.text);
        out.println(sweep.cells().size() + " cells (" + sweep.epochs() + " epochs each): " + String.join(", ", parts));
        return states;
    }

    /** Submits the cells not done; {@code states} are theirs as {@link #list} printed them. */
    private int slurm(Sweep sweep, List<Sweep.Status> states, PrintStream out) {
        // a cell holding another run or a damaged file would only be refused by its task: listed above, not submitted
        List<Integer> todo = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < states.size(); i++) {
            Sweep.State st = states.get(i).state();
            if (st == Sweep.State.FOREIGN || st == Sweep.State.DAMAGED) refused++;
            else if (st != Sweep.State.DONE) todo.add(sweep.cells().get(i).index());
        }
        String refusedLine = "sweep: " + refused + " refused cell" + (refused == 1 ? "" : "s") + " (listed above) not submitted: "
                + "move what their folders hold away, then submit again";
        if (todo.isEmpty()) {
            if (refused > 0) {
                out.println(refusedLine);
                return 1;
            }
            out.println("every cell is done; nothing to submit. 'hopmixer report " + sweep.dir() + "' makes the tables and plots.");
            return 0;
        }
        if (refused > 0) out.println(refusedLine);
        var o = new SlurmLauncher.Options(null, partition, time, gpus, gres, cpusPerTask, mem, parallel, sbatchArgs, setup, hopmixerCmd);
        if (dryRun) {
            out.println("would write " + SlurmLauncher.file(sweep) + " (" + todo.size() + " array tasks) and submit it; --dry-run writes nothing. The script:");
            out.print(SlurmLauncher.script(sweep, todo, o, false));
            return 0;
        }
        Path script = SlurmLauncher.write(sweep, todo, o);
        String job = SlurmLauncher.submit(script);
        out.println("submitted " + script + " as job " + job + " (" + todo.size() + " array tasks); logs in "
                + sweep.dir().resolve("slurm") + "/" + job + "_<cell>.out; watch with squeue -j " + job);
        return 0;
    }
}
