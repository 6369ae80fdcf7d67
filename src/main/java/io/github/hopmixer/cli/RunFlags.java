package io.github.hopmixer.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.github.hopmixer.train.Manifest;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * A command's flags as a run's settings: written to {@code run.json} under their long names, read back on resume,
 * and checked with the name the user typed ({@code -b} or {@code --batch-size}) in every message.
 */
final class RunFlags {
    /** Flags that say how or where to run, not what: a resume may give other values. */
    static final Set<String> PER_INVOCATION = Set.of("--device", "--threads", "--no-progress", "--log-every",
            "--keep-checkpoints", "--checkpoint-every", "--data-dir");
    /** Of those, the ones about this machine and this terminal: a resume without them takes today's defaults. */
    static final Set<String> ENVIRONMENT = Set.of("--device", "--threads", "--no-progress", "--log-every");
    /** Flags that are not settings of a run at all. */
    static final Set<String> NOT_SETTINGS = Set.of("--output", "--resume", "--help", "--version");

    private final CommandSpec spec;
    private final ParseResult parsed;

    RunFlags(CommandSpec spec) {
        this.spec = spec;
        this.parsed = spec.commandLine().getParseResult();
    }

    /** The option's name as the user typed it, or its long name if it was not typed. */
    String typed(String longName) {
        OptionSpec o = spec.findOption(longName);
        for (String arg : parsed.originalArgs()) {
            for (String n : o.names()) if (arg.equals(n) || arg.startsWith(n + "=")) return n;
        }
        return longName;
    }

    boolean given(String longName) {
        return parsed.hasMatchedOption(longName);
    }

    /** "--lr nan", "-b 0": the flag and value as typed, for messages. */
    String shown(String longName) {
        OptionSpec o = spec.findOption(longName);
        var matched = parsed.matchedOption(longName);
        String value = matched != null && !matched.stringValues().isEmpty() ? matched.stringValues().getLast()
                : String.valueOf((Object) o.getValue()); // the cast: else javac infers char[] and picks valueOf(char[])
        return typed(longName) + " " + value;
    }

    /** Fails with one line naming the flag as typed unless {@code ok}. */
    void require(boolean ok, String longName, String rule) {
        if (!ok) throw new IllegalArgumentException(shown(longName) + ": " + rule);
    }

    /** Every setting, by long name, as JSON (paths absolute). */
    JsonObject settings() {
        JsonObject o = new JsonObject();
        for (OptionSpec opt : spec.options()) {
            if (!NOT_SETTINGS.contains(opt.longestName())) o.add(opt.longestName(), toJson(opt.getValue()));
        }
        return o;
    }

    /**
     * Takes a resumed run's settings from its manifest: a flag not typed gets the manifest's value (except the
     * {@link #ENVIRONMENT} ones, which get today's defaults); a typed flag
     * must equal it, unless it is {@link #PER_INVOCATION} or a larger {@code --epochs} (returned, else null).
     */
    Integer adopt(Manifest m, Path run) {
        Integer longer = null;
        for (OptionSpec opt : spec.options()) {
            String name = opt.longestName();
            if (NOT_SETTINGS.contains(name) || !m.settings().has(name)) continue;
            Object recorded = fromJson(m.settings().get(name), opt.type());
            if (!given(name)) {
                if (!ENVIRONMENT.contains(name)) opt.setValue(recorded);
                continue;
            }
            if (PER_INVOCATION.contains(name) || same(opt.getValue(), recorded)) continue;
            if (name.equals("--epochs") && (Integer) opt.getValue() > (Integer) recorded) {
                longer = (Integer) opt.getValue();
                continue;
            }
            String why = name.equals("--epochs") ? "a run cannot be shortened"
                    : DATA_ORDER.contains(name) ? "it would change the data order or the step count"
                    : "it would change the run's settings";
            JsonElement was = m.settings().get(name);
            throw new IllegalArgumentException(shown(name) + " differs from run " + run + " (" + Manifest.FILE + ": "
                    + name + " " + (was.isJsonPrimitive() ? was.getAsString() : was) + "); " + why + ". Resume without " + typed(name)
                    + ", or start a new run with a fresh --output");
        }
        return longer;
    }

    /** Flags that decide which images come in which batch, or how many steps there are. */
    private static final Set<String> DATA_ORDER = Set.of("--batch-size", "--seed", "--dataset", "--train-limit", "--model",
            "--img-size", "--crop-pad", "--hflip", "--aa", "--reprob", "--mixup", "--cutmix", "--mixup-prob",
            "--mixup-switch-prob", "--drop-path", "--epochs");

    private static boolean same(Object typed, Object recorded) {
        if (typed instanceof Path a && recorded instanceof Path b) return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        return Objects.equals(typed, recorded);
    }

    static JsonElement toJson(Object v) {
        return switch (v) {
            case null -> JsonNull.INSTANCE;
            case Number n -> new JsonPrimitive(n);
            case Boolean b -> new JsonPrimitive(b);
            case Path p -> new JsonPrimitive(p.toAbsolutePath().normalize().toString());
            default -> new JsonPrimitive(v.toString());
        };
    }

    static Object fromJson(JsonElement e, Class<?> type) {
        if (e == null || e.isJsonNull()) return null;
        if (type == int.class || type == Integer.class) return e.getAsInt();
        if (type == long.class || type == Long.class) return e.getAsLong();
        if (type == double.class || type == Double.class) return e.getAsDouble();
        if (type == boolean.class || type == Boolean.class) return e.getAsBoolean();
        if (type == Path.class) return Path.of(e.getAsString());
        if (type == String.class) return e.getAsString();
        throw new IllegalArgumentException("cannot read a " + type.getSimpleName() + " setting from " + Manifest.FILE);
    }
}
