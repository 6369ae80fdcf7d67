package io.github.hopmixer.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The sbatch script a Slurm sweep writes, and the array index ranges. */
class SlurmScriptTest {
    @TempDir
    Path tmp;

    @Test
    void ranges() {
        assertEquals("0-7", SlurmLauncher.ranges(List.of(0, 1, 2, 3, 4, 5, 6, 7)));
        assertEquals("0,2,5-9,11", SlurmLauncher.ranges(List.of(0, 2, 5, 6, 7, 8, 9, 11)));
        assertEquals("3", SlurmLauncher.ranges(List.of(3)));
    }

    @Test
    void scriptContent() throws Exception {
        Sweep s = Sweep.create(tmp.resolve("my sweep"), SweepStateTest.grid(1, 2, 3), 2);
        var o = new SlurmLauncher.Options(null, "gpu", "04:00:00", "1", null, 8, "16G", 2,
                List.of("--account=proj42", "--qos=short"), List.of("module load java/25"), null);
        Path f = SlurmLauncher.write(s, List.of(0, 1, 2), o);
        assertEquals(s.dir().resolve("slurm/sweep.sbatch"), f);
        List<String> l = Files.readAllLines(f);
        String abs = s.dir().toAbsolutePath().normalize().toString();
        assertEquals("#!/bin/bash", l.getFirst());
        for (String want : List.of("#SBATCH --array=0-2%2", "#SBATCH --output=" + abs + "/slurm/%A_%a.out", "#SBATCH --partition=gpu",
                "#SBATCH --time=04:00:00", "#SBATCH --gpus=1", "#SBATCH --cpus-per-task=8", "#SBATCH --mem=16G", "#SBATCH --account=proj42",
                "#SBATCH --qos=short", "module load java/25")) {
            assertTrue(l.contains(want), want + " in\n" + String.join("\n", l));
        }
        assertFalse(String.join("\n", l).contains("--gres"), "unset options are left to the cluster");
        // every #SBATCH line comes before the first command, or sbatch ignores it
        int lastDirective = 0, firstCommand = l.size();
        for (int i = 1; i < l.size(); i++) {
            if (l.get(i).startsWith("#SBATCH")) lastDirective = i;
            else if (!l.get(i).startsWith("#") && firstCommand == l.size()) firstCommand = i;
        }
        assertTrue(lastDirective < firstCommand);
        String last = l.getLast();
        assertTrue(last.endsWith(" io.github.hopmixer.cli.Main sweep '" + abs + "' --cell \"$SLURM_ARRAY_TASK_ID\""), last);
        assertTrue(last.startsWith(ProcessHandle.current().info().command().orElseThrow()), last);
        assertTrue(last.contains(" -cp "), last);

        // only the cells not done, and a launcher command of the user's choosing
        var o2 = new SlurmLauncher.Options("j", null, null, null, "gpu:a100:1", null, null, null, List.of(), List.of(), "/opt/hopmixer/scripts/hopmixer");
        String body = SlurmLauncher.script(s, List.of(1, 2), o2);
        assertTrue(body.contains("#SBATCH --array=1-2\n"), body);
        assertTrue(body.contains("#SBATCH --gres=gpu:a100:1\n"), body);
        assertTrue(body.contains("#SBATCH --job-name=j\n"), body);
        assertTrue(body.endsWith("/opt/hopmixer/scripts/hopmixer sweep '" + abs + "' --cell \"$SLURM_ARRAY_TASK_ID\"\n"), body);
    }

    @Test
    void quoting() {
        assertEquals("/usr/bin/java", SlurmLauncher.quote("/usr/bin/java"));
        assertEquals("'a b'", SlurmLauncher.quote("a b"));
        assertEquals("'it'\\''s'", SlurmLauncher.quote("it's"));
        assertEquals("'$HOME'", SlurmLauncher.quote("$HOME"));
    }

    @Test
    void missingSbatchIsOneLine() throws Exception {
        Path sweep = tmp.resolve("s");
        List<String> cmd = JavaCommand.hopmixer(null, List.of("sweep", sweep.toString(), "--models", "paramixer_nano", "--seeds", "1",
                "--datasets", "fashion-mnist", "--launcher", "slurm"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", tmp.resolve("no-bin").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor());
        List<String> errs = out.lines().filter(x -> x.startsWith("hopmixer: ")).toList();
        assertEquals(1, errs.size(), out);
        assertTrue(errs.getFirst().contains("cannot run sbatch") && errs.getFirst().contains(sweep.resolve("slurm/sweep.sbatch").toString()), out);
        assertFalse(out.contains("\tat "), out);
        assertTrue(Files.isRegularFile(sweep.resolve("slurm/sweep.sbatch")), "the script stays for a manual sbatch");
    }

    @Test
    void aJarIsCopiedIntoTheSweepSoARebuildCannotBreakRunningCells() throws Exception {
        Files.createDirectories(tmp.resolve("target"));
        Path jar = Files.writeString(tmp.resolve("target/hopmixer.jar"), "v1", java.nio.file.StandardOpenOption.CREATE_NEW);
        String old = System.getProperty("java.class.path");
        try {
            System.setProperty("java.class.path", jar.toString());
            Path sweep = Files.createDirectories(tmp.resolve("sw"));
            String cp = JavaCommand.classPath(sweep);
            assertEquals(sweep.resolve(JavaCommand.JAR).toAbsolutePath().toString(), cp);
            assertEquals("v1", Files.readString(Path.of(cp)));
            Files.writeString(jar, "v2"); // a rebuild while the sweep runs
            assertEquals("v1", Files.readString(Path.of(JavaCommand.classPath(sweep))), "copied once per sweep process");
            System.setProperty("java.class.path", cp); // a Slurm task running from the copy uses it as is
            assertEquals(cp, JavaCommand.classPath(sweep));
        } finally {
            System.setProperty("java.class.path", old);
        }
        assertEquals(old, JavaCommand.classPath(tmp), "a class path of folders (tests, IDEs) is used as it is");
    }
}
