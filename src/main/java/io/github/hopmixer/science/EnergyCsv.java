package io.github.hopmixer.science;

import io.github.hopmixer.io.FileErrors;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The CSV files of {@code hopmixer energy}: E(t) along every trajectory, and the rise frequencies. */
public final class EnergyCsv {
    private EnergyCsv() {}

    /** energy.csv: case (setup and form), coupling (symmetric|broken), state, t, E. */
    public static void writeEnergy(Path file, List<EnergyExperiment.Run> runs) {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("case,coupling,state,t,E");
            for (EnergyExperiment.Run r : runs) {
                for (int s = 0; s < r.trajectories().size(); s++) {
                    Trajectory tr = r.trajectories().get(s);
                    for (int i = 0; i < tr.t().length; i++) {
                        w.printf(Locale.ROOT, "%s,%s,%d,%.4f,%.9g%n", r.caseLabel(), r.setup().coupling(), s, tr.t()[i], tr.energy()[i]);
                    }
                }
            }
        } catch (IOException e) {
            throw FileErrors.failure("cannot write " + file, e);
        }
    }

    /** rise-frequency.csv: case, form, coupling, draws, rising (beyond the error bound), climbing (by more than 1e-3). */
    public static void writeRises(Path file, List<RiseFrequency.Result> results) {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("case,form,coupling,draws,rising,climbing,share_rising");
            for (RiseFrequency.Result r : results) {
                w.printf(Locale.ROOT, "%s,%s,%s,%d,%d,%d,%.3f%n", r.caseName(), r.form().label, r.coupling(), r.draws(), r.rising(),
                        r.climbing(), r.share());
            }
        } catch (IOException e) {
            throw FileErrors.failure("cannot write " + file, e);
        }
    }
}
