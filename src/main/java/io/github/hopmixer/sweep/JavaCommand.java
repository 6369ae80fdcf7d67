package io.github.hopmixer.sweep;

import io.github.hopmixer.io.FileErrors;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The command line that starts hopmixer again: this JVM's binary, options and class path. When hopmixer runs
 * from a jar, cells run a copy of it in the sweep folder, so rebuilding hopmixer during a long sweep cannot
 * break or change the cells already running.
 */
public final class JavaCommand {
    public static final String JAR = "hopmixer.jar";
    private static final Set<Path> COPIED = ConcurrentHashMap.newKeySet();

    private JavaCommand() {}

    public static List<String> hopmixer(Path sweepDir, List<String> args) {
        return hopmixer(sweepDir, args, true);
    }

    /** {@code copyJar} false: the command names the jar's copy in the sweep folder but does not make it (a dry run). */
    public static List<String> hopmixer(Path sweepDir, List<String> args, boolean copyJar) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A debugger agent would make every child wait on the same port.
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp")) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", classPath(sweepDir, copyJar), "io.github.hopmixer.cli.Main"));
        cmd.addAll(args);
        return cmd;
    }

    /** This JVM's class path; a single jar is copied (once per process, replaced atomically) into the sweep folder. */
    static String classPath(Path sweepDir) {
        return classPath(sweepDir, true);
    }

    static String classPath(Path sweepDir, boolean copyJar) {
        String cp = System.getProperty("java.class.path");
        if (sweepDir == null || cp.contains(File.pathSeparator) || !cp.endsWith(".jar")) return cp;
        Path jar = Path.of(cp).toAbsolutePath().normalize(), copy = sweepDir.toAbsolutePath().normalize().resolve(JAR);
        if (jar.equals(copy)) return cp;
        if (!copyJar) return copy.toString();
        if (COPIED.add(copy)) {
            try {
                Path tmp = copy.resolveSibling(JAR + "." + ProcessHandle.current().pid() + ".tmp");
                Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
                // A rename: cells still running keep reading the copy they opened.
                Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                COPIED.remove(copy);
                throw FileErrors.failure("cannot copy " + jar + " to " + copy, e);
            }
        }
        return copy.toString();
    }
}
