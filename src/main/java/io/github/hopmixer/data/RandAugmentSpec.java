package io.github.hopmixer.data;

import java.util.Locale;

/**
 * RandAugment settings in timm's terms, parsed from strings such as {@code rand-m9-mstd0.5-inc1}:
 * {@code n} ops per image (chosen with replacement), each applied with probability {@code p} (0.5)
 * at magnitude {@code m} of 10, perturbed by a normal of std {@code mstd} (above 100 means uniform
 * in [0, m]) and clipped to [0, mmax]; {@code inc1} picks the increasing-severity op set.
 */
public record RandAugmentSpec(int ops, double magnitude, double magnitudeStd, double magnitudeMax, double prob,
                              boolean increasing) {

    public RandAugmentSpec {
        // Messages name --aa, the train flag that carries these settings.
        if (ops < 0) throw new IllegalArgumentException("--aa: RandAugment op count n must be >= 0, got " + ops);
        if (!(magnitude >= 0) || !(magnitudeMax > 0) || Double.isInfinite(magnitude) || Double.isInfinite(magnitudeMax)) {
            throw new IllegalArgumentException("--aa: RandAugment magnitude m must be >= 0 and its maximum mmax > 0, got m"
                    + magnitude + ", mmax" + magnitudeMax);
        }
        if (!(magnitudeStd >= 0)) throw new IllegalArgumentException("--aa: RandAugment magnitude std mstd must be >= 0, got " + magnitudeStd);
        if (!(prob >= 0 && prob <= 1)) throw new IllegalArgumentException("--aa: RandAugment op probability p must be in [0, 1], got " + prob);
    }

    /** No RandAugment. */
    public static RandAugmentSpec none() {
        return new RandAugmentSpec(0, 0, 0, 10, 0.5, true);
    }

    /**
     * Parses timm's syntax: {@code rand} then dash-separated {@code m<magnitude>}, {@code n<ops>},
     * {@code mstd<std>}, {@code mmax<max>}, {@code p<prob>}, {@code inc<0|1>}; "none" or "" is off.
     */
    public static RandAugmentSpec parse(String spec) {
        String text = spec.strip().toLowerCase(Locale.ROOT);
        if (text.isEmpty() || text.equals("none")) return none();
        String[] parts = text.split("-");
        if (!parts[0].equals("rand")) {
            throw new IllegalArgumentException("--aa " + spec + ": a RandAugment spec must start with 'rand', e.g. rand-m9-mstd0.5-inc1");
        }
        int ops = 2;
        double magnitude = 10, std = 0, max = 10, prob = 0.5;
        boolean increasing = false;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            int split = 0;
            while (split < part.length() && Character.isLetter(part.charAt(split))) split++;
            String key = part.substring(0, split), value = part.substring(split);
            try {
                switch (key) {
                    case "m" -> magnitude = Double.parseDouble(value);
                    case "n" -> ops = Integer.parseInt(value);
                    case "mstd" -> std = Double.parseDouble(value) > 100 ? Double.POSITIVE_INFINITY : Double.parseDouble(value);
                    case "mmax" -> max = Double.parseDouble(value);
                    case "p" -> prob = Double.parseDouble(value);
                    case "inc" -> increasing = Integer.parseInt(value) != 0;
                    default -> throw new IllegalArgumentException("--aa " + spec + ": unknown RandAugment option '" + part
                            + "'; expected m, n, mstd, mmax, p or inc");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--aa " + spec + ": bad number in RandAugment option '" + part + "'");
            }
        }
        return new RandAugmentSpec(ops, magnitude, std, max, prob, increasing);
    }

    public boolean enabled() {
        return ops > 0 && prob > 0;
    }

    /** timm's spelling of these settings. */
    @Override
    public String toString() {
        if (!enabled()) return "none";
        return "rand-m" + format(magnitude) + "-n" + ops + "-mstd" + (Double.isInfinite(magnitudeStd) ? "101" : format(magnitudeStd))
                + "-mmax" + format(magnitudeMax) + "-p" + format(prob) + "-inc" + (increasing ? 1 : 0);
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
