package io.github.hopmixer.science;

import io.github.hopmixer.io.Png;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The energy landscape of a two-entry visible layer (S = 2, C = 1) with the trajectories drawn on it: a heat map
 * of E(x1, x2) with iso-energy lines, rendered with java.awt because XChart has neither contour plots nor lines over
 * its heat map. Columns: symmetric, broken; rows: the window holding the trajectories, and the notebook's window
 * [−0.02, 0.02]² where LayerNorm's ε (√ε ≈ 0.003) shapes E. LN of two entries depends only on x1 − x2, so E is
 * constant along diagonals: the landscape is a set of diagonal bands.
 */
public final class LandscapeImage {
    private static final int PLOT = 320, LEFT = 70, TOP = 44, RIGHT = 100, BOTTOM = 50, LEVELS = 16;
    private static final int PW = LEFT + PLOT + RIGHT, PH = TOP + PLOT + BOTTOM;
    private static final Color[] VIRIDIS = {new Color(0x440154), new Color(0x3b528b), new Color(0x21918c),
            new Color(0x5ec962), new Color(0xfde725)};

    private record Window(double x0, double x1, double y0, double y1) {}

    private LandscapeImage() {}

    public static void write(Path file, EnergyExperiment.Run symmetric, EnergyExperiment.Run broken) {
        if (symmetric.network().visible().n() != 2) throw new IllegalArgumentException("a landscape needs a 2-entry visible layer");
        Png.write(file, () -> ImageIO.write(draw(symmetric, broken), "png", file.toFile()));
    }

    private static BufferedImage draw(EnergyExperiment.Run symmetric, EnergyExperiment.Run broken) {
        BufferedImage img = new BufferedImage(2 * PW, 2 * PH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        EnergyExperiment.Run[] runs = {symmetric, broken};
        for (int col = 0; col < 2; col++) {
            EnergyExperiment.Run run = runs[col];
            String name = run.caseLabel() + ", " + run.setup().coupling();
            panel(g, col * PW, 0, run, fit(run), name + ": trajectories");
            panel(g, col * PW, PH, run, new Window(-0.02, 0.02, -0.02, 0.02), name + ": notebook window");
        }
        g.dispose();
        return img;
    }

    /** The square window holding every trajectory, padded by 8 %. */
    private static Window fit(EnergyExperiment.Run run) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Trajectory tr : run.trajectories()) for (double[] x : tr.x()) for (double v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double pad = 0.08 * (hi - lo) + 1e-3;
        return new Window(lo - pad, hi + pad, lo - pad, hi + pad);
    }

    private static void panel(Graphics2D g, int ox, int oy, EnergyExperiment.Run run, Window w, String title) {
        double[][] e = new double[PLOT][PLOT];
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int py = 0; py < PLOT; py++) {
            for (int px = 0; px < PLOT; px++) {
                double v = run.network().energy(new double[] {xAt(w, px + 0.5), yAt(w, py + 0.5)});
                e[py][px] = v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double span = max > min ? max - min : 1;
        for (int py = 0; py < PLOT; py++) {
            for (int px = 0; px < PLOT; px++) {
                double t = (e[py][px] - min) / span;
                Color c = viridis(t);
                int lv = level(t);
                boolean edge = (px + 1 < PLOT && level((e[py][px + 1] - min) / span) != lv)
                        || (py + 1 < PLOT && level((e[py + 1][px] - min) / span) != lv);
                if (edge) c = new Color(c.getRed() * 3 / 5, c.getGreen() * 3 / 5, c.getBlue() * 3 / 5);
                g.setColor(c);
                g.fillRect(ox + LEFT + px, oy + TOP + py, 1, 1);
            }
        }
        // Trajectories: white paths, open circle at the start, red dot at the end.
        g.setClip(ox + LEFT, oy + TOP, PLOT, PLOT);
        for (Trajectory tr : run.trajectories()) {
            Path2D.Double p = new Path2D.Double();
            for (int i = 0; i < tr.x().length; i++) {
                double sx = ox + LEFT + (tr.x()[i][0] - w.x0) / (w.x1 - w.x0) * PLOT, sy = oy + TOP + (w.y1 - tr.x()[i][1]) / (w.y1 - w.y0) * PLOT;
                if (i == 0) p.moveTo(sx, sy);
                else p.lineTo(sx, sy);
            }
            g.setStroke(new BasicStroke(1.6f));
            g.setColor(Color.WHITE);
            g.draw(p);
            double[] a = tr.x()[0], b = tr.x()[tr.x().length - 1];
            g.drawOval((int) (ox + LEFT + (a[0] - w.x0) / (w.x1 - w.x0) * PLOT) - 4, (int) (oy + TOP + (w.y1 - a[1]) / (w.y1 - w.y0) * PLOT) - 4, 8, 8);
            g.setColor(Color.RED);
            g.fillOval((int) (ox + LEFT + (b[0] - w.x0) / (w.x1 - w.x0) * PLOT) - 4, (int) (oy + TOP + (w.y1 - b[1]) / (w.y1 - w.y0) * PLOT) - 4, 8, 8);
        }
        g.setClip(null);
        // Frame, ticks, titles.
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.BLACK);
        g.drawRect(ox + LEFT, oy + TOP, PLOT, PLOT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 4; i++) {
            int px = ox + LEFT + i * PLOT / 4, py = oy + TOP + i * PLOT / 4;
            g.drawLine(px, oy + TOP + PLOT, px, oy + TOP + PLOT + 4);
            g.drawLine(ox + LEFT - 4, py, ox + LEFT, py);
            String xs = fmt(w.x0 + i * (w.x1 - w.x0) / 4), ys = fmt(w.y1 - i * (w.y1 - w.y0) / 4);
            g.drawString(xs, px - g.getFontMetrics().stringWidth(xs) / 2, oy + TOP + PLOT + 17);
            g.drawString(ys, ox + LEFT - 6 - g.getFontMetrics().stringWidth(ys), py + 4);
        }
        g.drawString("x1 (token 1)", ox + LEFT + PLOT / 2 - 30, oy + TOP + PLOT + 36);
        g.rotate(-Math.PI / 2);
        g.drawString("x2 (token 2)", -(oy + TOP + PLOT / 2 + 30), ox + 16);
        g.rotate(Math.PI / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.drawString(title, ox + 10, oy + 24);
        // Colour bar.
        int bx = ox + LEFT + PLOT + 18;
        for (int py = 0; py < PLOT; py++) {
            g.setColor(viridis(1 - (py + 0.5) / PLOT));
            g.fillRect(bx, oy + TOP + py, 16, 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(bx, oy + TOP, 16, PLOT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString("E " + fmt(max), bx - 4, oy + TOP - 4);
        g.drawString(fmt(min), bx, oy + TOP + PLOT + 14);
    }

    private static double xAt(Window w, double px) { return w.x0 + px / PLOT * (w.x1 - w.x0); }

    private static double yAt(Window w, double py) { return w.y1 - py / PLOT * (w.y1 - w.y0); }

    private static int level(double t) { return Math.min(LEVELS - 1, (int) (t * LEVELS)); }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.3g", v); }

    static Color viridis(double t) {
        t = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int i = Math.min(VIRIDIS.length - 2, (int) t);
        double f = t - i;
        Color a = VIRIDIS[i], b = VIRIDIS[i + 1];
        return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }
}
