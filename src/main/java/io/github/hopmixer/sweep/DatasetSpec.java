package io.github.hopmixer.sweep;

import io.github.hopmixer.data.Datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A sweep's data set, written {@code [label=]name[:dir]}: {@code fashion-mnist}, {@code cifar10:/data/cifar},
 * {@code folder:/work/data/cifar10} (label {@code cifar10}, the folder's name), {@code cifar10-jpg=folder:/work/data/cifar10}.
 */
public record DatasetSpec(String label, String name, String dir) {

    public static DatasetSpec parse(String spec) {
        String s = spec.strip(), label = null;
        int eq = s.indexOf('=');
        if (eq >= 0) {
            label = s.substring(0, eq).strip();
            s = s.substring(eq + 1).strip();
        }
        int colon = s.indexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon), dir = colon < 0 ? null : s.substring(colon + 1);
        if (!Datasets.NAMES.contains(name)) {
            throw new IllegalArgumentException("--datasets '" + spec + "': unknown data set '" + name + "'; write [label=]name[:dir] with name one of "
                    + Datasets.NAMES + ", e.g. fashion-mnist or cifar10-jpg=folder:/work/data/cifar10");
        }
        if (name.equals("folder") && (dir == null || dir.isBlank())) {
            throw new IllegalArgumentException("--datasets '" + spec + "': a folder data set needs its directory, e.g. folder:/work/data/cifar10");
        }
        if (dir != null && dir.isBlank()) dir = null;
        if (label == null || label.isEmpty()) {
            label = name.equals("folder") ? fileName(dir) : name;
        }
        if (!label.matches("[A-Za-z0-9._+-]+")) {
            throw new IllegalArgumentException("--datasets '" + spec + "': label '" + label + "' must be letters, digits, '.', '_', '+' or '-' "
                    + "(it names a folder); give one with label=" + s);
        }
        return new DatasetSpec(label, name, dir);
    }

    private static String fileName(String dir) {
        Path p = Path.of(dir).normalize().getFileName();
        return p == null ? "folder" : p.toString();
    }

    /** The train flags that select this data set. */
    public List<String> trainArgs() {
        List<String> a = new ArrayList<>(List.of("--dataset", name));
        if (dir != null) a.addAll(List.of("--data-dir", dir));
        return a;
    }

    /** The spec as written back to sweep.json: always with its label, so renaming a folder does not rename cells. */
    @Override
    public String toString() {
        return label + "=" + name + (dir != null ? ":" + dir : "");
    }
}
