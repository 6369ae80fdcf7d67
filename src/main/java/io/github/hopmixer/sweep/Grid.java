package io.github.hopmixer.sweep;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.hopmixer.model.Family;
import io.github.hopmixer.model.Models;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A sweep's grid: models × λ (asymmixer only; other families get one cell) × seeds × data sets, plus the train
 * flags every cell shares. Cells are numbered seed-major, so a half-finished sweep has every configuration's
 * first seed before any second one.
 */
public record Grid(List<String> models, List<Double> lambdas, List<Long> seeds, List<DatasetSpec> datasets, List<String> trainArgs) {

    /** Flags each cell sets itself: a grid that sets them would run the same cell twice or write elsewhere. */
    static final Set<String> RESERVED = Set.of("--model", "--dataset", "--data-dir", "--seed", "--lcoeff", "--output", "--resume");

    public Grid {
        models = List.copyOf(models);
        lambdas = List.copyOf(lambdas);
        seeds = List.copyOf(seeds);
        datasets = List.copyOf(datasets);
        trainArgs = List.copyOf(trainArgs);
        if (models.isEmpty()) throw new IllegalArgumentException("the grid has no models; give --models, e.g. --models paramixer_nano,symmixer_nano");
        if (seeds.isEmpty()) throw new IllegalArgumentException("the grid has no seeds; give --seeds, e.g. --seeds 1,2,3");
        if (datasets.isEmpty()) throw new IllegalArgumentException("the grid has no data sets; give --datasets, e.g. --datasets fashion-mnist");
        for (Double l : lambdas) {
            if (l == null || !(l >= 0) || Double.isInfinite(l)) throw new IllegalArgumentException("--lambdas: every λ must be a finite number ≥ 0, got " + l);
        }
        for (String m : models) checkModel(m, lambdas);
        for (String a : trainArgs) {
            String flag = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (RESERVED.contains(flag)) {
                throw new IllegalArgumentException("--train-args: " + flag + " is set by the sweep for each cell; use --models, --lambdas, --seeds, --datasets instead");
            }
        }
        if (Set.copyOf(seeds).size() != seeds.size()) throw new IllegalArgumentException("--seeds lists a seed twice: " + seeds);
        if (datasets.stream().map(DatasetSpec::label).distinct().count() != datasets.size()) {
            throw new IllegalArgumentException("--datasets: two data sets have the same label; name them, e.g. cifar10-jpg=folder:/work/data/cifar10");
        }
    }

    private static void checkModel(String m, List<Double> lambdas) {
        if (family(m) == Family.ASYMMIXER) {
            if (lambdas.isEmpty() && !m.matches(".*_l\\d+")) {
                throw new IllegalArgumentException("--models " + m + ": asymmixer needs λ values (--lambdas 1e-2,1e-4) or a λ suffix such as " + m + "_l03");
            }
            Models.get(m.matches(".*_l\\d+") ? m : asymBase(m) + "_l00");
        } else {
            Models.get(m);
        }
    }

    static Family family(String model) {
        String prefix = model.contains("_") ? model.substring(0, model.indexOf('_')) : model;
        for (Family f : Family.values()) if (f.prefix.equals(prefix)) return f;
        throw new IllegalArgumentException("--models: unknown model '" + model + "'; run 'hopmixer models' for the list");
    }

    /** asymmixer_nano_l03 → asymmixer_nano: cells of every λ share the base name. */
    static String asymBase(String model) {
        return model.replaceFirst("_l\\d+$", "");
    }

    /** Every cell, numbered from 0 in a fixed order (the Slurm array index). */
    public List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        for (long seed : seeds)
            for (DatasetSpec d : datasets)
                for (String m : models) {
                    if (family(m) != Family.ASYMMIXER) {
                        out.add(new Cell(out.size(), d, m, m, family(m), null, seed, trainArgs));
                    } else if (lambdas.isEmpty()) {
                        out.add(new Cell(out.size(), d, asymBase(m), m, Family.ASYMMIXER, Models.get(m).lambda(), seed, trainArgs));
                    } else {
                        for (double l : lambdas) {
                            String name = asymBase(m) + "_" + Models.lambdaSuffix(l).orElse("l00");
                            out.add(new Cell(out.size(), d, asymBase(m), name, Family.ASYMMIXER, l, seed, trainArgs));
                        }
                    }
                }
        return out;
    }

    // ---- sweep.json ----

    public String toJson(int epochs) {
        JsonObject o = new JsonObject();
        o.add("models", array(models, m -> m));
        o.add("lambdas", array(lambdas, l -> l));
        o.add("seeds", array(seeds, s -> s));
        o.add("datasets", array(datasets, DatasetSpec::toString));
        o.add("trainArgs", array(trainArgs, a -> a));
        o.addProperty("epochs", epochs);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    private static <T> JsonArray array(List<T> xs, Function<T, Object> f) {
        JsonArray a = new JsonArray();
        for (T x : xs) {
            Object v = f.apply(x);
            if (v instanceof Number n) a.add(n);
            else a.add(v.toString());
        }
        return a;
    }

    /**
     * Reads a grid file: {@code models}, {@code seeds}, {@code datasets} (lists), optional {@code lambdas} and
     * {@code trainArgs} (a list of tokens or one string). {@code what} names the file in errors.
     */
    public static Grid fromJson(String json, String what) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            for (String k : o.keySet()) {
                if (!Set.of("models", "lambdas", "seeds", "datasets", "trainArgs", "epochs").contains(k)) {
                    throw new IllegalArgumentException(what + ": unknown key '" + k + "'; expected models, lambdas, seeds, datasets, trainArgs");
                }
            }
            List<String> trainArgs = !o.has("trainArgs") ? List.of()
                    : o.get("trainArgs").isJsonPrimitive() ? tokenize(string(o.get("trainArgs"), what, "trainArgs", "a string of train flags or a list of them"))
                    : strings(o, "trainArgs", what, "a string of train flags or a list of them, e.g. \"--epochs 2\"");
            return new Grid(strings(o, "models", what, "a list of model names, e.g. [\"paramixer_nano\"]"),
                    list(o, "lambdas", what, "a list of numbers, e.g. [1e-2, 0]", e -> number(e, what, "lambdas", "a list of numbers, e.g. [1e-2, 0]").doubleValue()),
                    list(o, "seeds", what, "a list of whole numbers, e.g. [1, 2, 3]", e -> seed(e, what)),
                    strings(o, "datasets", what, "a list of data sets, e.g. [\"fashion-mnist\"]").stream().map(DatasetSpec::parse).toList(), trainArgs);
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a valid grid (" + e.getMessage() + "); expected {\"models\": [...], \"lambdas\": [...], "
                    + "\"seeds\": [...], \"datasets\": [...], \"trainArgs\": \"--epochs 2\"}");
        }
    }

    // Each value's JSON type is checked here: Gson's own casts fail with its class names, which say nothing to a user.

    private static List<String> strings(JsonObject o, String key, String what, String expected) {
        return list(o, key, what, expected, e -> string(e, what, key, expected));
    }

    private static <T> List<T> list(JsonObject o, String key, String what, String expected, Function<JsonElement, T> f) {
        if (!o.has(key)) return List.of();
        if (!o.get(key).isJsonArray()) throw wrongType(what, key, expected, o.get(key));
        List<T> out = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray(key)) out.add(f.apply(e));
        return out;
    }

    private static String string(JsonElement e, String what, String key, String expected) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw wrongType(what, key, expected, e);
        return e.getAsString();
    }

    private static Number number(JsonElement e, String what, String key, String expected) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw wrongType(what, key, expected, e);
        return e.getAsNumber();
    }

    /** A seed names a cell's folder and is train's --seed: a whole number (1.5 must not become seed1). */
    private static long seed(JsonElement e, String what) {
        String expected = "a list of whole numbers, e.g. [1, 2, 3]";
        try {
            return new java.math.BigDecimal(number(e, what, "seeds", expected).toString()).longValueExact();
        } catch (ArithmeticException | NumberFormatException x) {
            throw wrongType(what, "seeds", expected, e);
        }
    }

    private static IllegalArgumentException wrongType(String what, String key, String expected, JsonElement got) {
        String g = got.toString();
        return new IllegalArgumentException(what + ": \"" + key + "\" must be " + expected + "; got " + (g.length() > 60 ? g.substring(0, 57) + "..." : g));
    }

    /** Splits a flag string on blanks; single or double quotes keep blanks inside one token. */
    public static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder t = new StringBuilder();
        boolean any = false;
        char quote = 0;
        for (char c : s.toCharArray()) {
            if (quote != 0) {
                if (c == quote) quote = 0;
                else t.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any || !t.isEmpty()) out.add(t.toString());
                t.setLength(0);
                any = false;
            } else {
                t.append(c);
            }
        }
        if (quote != 0) throw new IllegalArgumentException("--train-args '" + s + "': unclosed quote " + quote);
        if (any || !t.isEmpty()) out.add(t.toString());
        return out;
    }
}
