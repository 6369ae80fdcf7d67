package io.github.hopmixer.sweep;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** The command line that starts hopmixer again: this JVM's binary, options and class path (a jar or classes). */
public final class JavaCommand {
    private JavaCommand() {}

    public static List<String> hopmixer(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // A debugger agent would make every child wait on the same port.
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp")) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.github.hopmixer.cli.Main"));
        cmd.addAll(args);
        return cmd;
    }
}
