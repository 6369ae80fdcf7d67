package io.github.hopmixer.science;

import io.github.hopmixer.io.Png;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** E(t) per initial state, symmetric and broken side by side, one PNG per (case, form). */
public final class EnergyPlots {
    private EnergyPlots() {}

    public static void energyOverTime(Path file, EnergyExperiment.Run symmetric, EnergyExperiment.Run broken) {
        Png.write(file, () -> ImageIO.write(sideBySide(symmetric, broken), "png", file.toFile()));
    }

    private static BufferedImage sideBySide(EnergyExperiment.Run symmetric, EnergyExperiment.Run broken) {
        BufferedImage left = BitmapEncoder.getBufferedImage(chart(symmetric));
        BufferedImage right = BitmapEncoder.getBufferedImage(chart(broken));
        BufferedImage out = new BufferedImage(left.getWidth() + right.getWidth(), Math.max(left.getHeight(), right.getHeight()),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth(), 0, null);
        g.dispose();
        return out;
    }

    private static XYChart chart(EnergyExperiment.Run run) {
        NotebookSetup s = run.setup();
        String radii = s.broken()
                ? String.format(Locale.ROOT, "|W1| (%.1f, %.1f), |W2| (%.1f, %.1f)", s.rs1(), s.rc1(), s.rs2(), s.rc2())
                : String.format(Locale.ROOT, "|W| (%.1f, %.1f), tied", s.rs1(), s.rc1());
        XYChart c = new XYChartBuilder().width(640).height(480)
                .title(run.caseLabel() + ", " + s.coupling() + ": " + radii)
                .xAxisTitle("t").yAxisTitle(s.broken() ? "E (with the notebook's pseudo-energy term)" : "E").build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setChartTitleFont(c.getStyler().getChartTitleFont().deriveFont(13f));
        List<Trajectory> trs = run.trajectories();
        for (int i = 0; i < trs.size(); i++) {
            XYSeries ser = c.addSeries("state " + i, trs.get(i).t(), trs.get(i).energy());
            ser.setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

}
