package nnet.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import nnet.runtime.AtomicFiles;

/**
 * {@code train --plot loss.png|loss.svg}: SVG when the name ends in {@code .svg}, else PNG (as before SVG was written); the loss of every step as a line, and the held-out loss
 * after each epoch as a second line with dots, written atomically. The geometry is computed once;
 * PNG is drawn with the JDK's java.awt (headless), SVG written as text.
 */
final class LossPlot {
    static final int WIDTH = 800, HEIGHT = 450, MARGIN = 60;
    static final String TRAINING_COLOR = "#1f77b4", HELD_OUT_COLOR = "#d62728";

    private LossPlot() {}

    /** Points in image coordinates; labels of the axes. */
    private record Geometry(List<float[]> training, List<float[]> heldOut, String top, String bottom, String lastStep) {}

    static void write(Path file, EpochLoop.Curves curves, String title) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean svg = name.endsWith(".svg");
        Geometry g = geometry(curves);
        String fullTitle = title + (curves.heldOut().isEmpty() ? "" : "; held-out loss per epoch in red");
        if (svg) AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write(svg(g, fullTitle));
            w.flush();
        });
        else AtomicFiles.write(file, out -> ImageIO.write(png(g, fullTitle), "png", out));
    }

    private static Geometry geometry(EpochLoop.Curves c) {
        List<Float> losses = c.steps();
        float max = 0, min = Float.POSITIVE_INFINITY;
        for (float v : losses) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        for (float v : c.heldOut()) if (Float.isFinite(v)) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        if (losses.isEmpty() || max <= 0) max = 1;
        float low = Math.min(0, min), high = max;
        int plotW = WIDTH - 2 * MARGIN, plotH = HEIGHT - 2 * MARGIN, n = losses.size();
        List<float[]> training = new ArrayList<>(), heldOut = new ArrayList<>();
        for (int i = 0; i < n; i++)
            training.add(new float[] {MARGIN + (n == 1 ? 0 : (float) i / (n - 1) * plotW), MARGIN + plotH - (losses.get(i) - low) / (high - low) * plotH});
        for (int e = 0; e < c.heldOut().size(); e++) {
            float v = c.heldOut().get(e);
            if (!Float.isFinite(v)) continue;
            long step = c.heldOutAt().get(e)[0];
            heldOut.add(new float[] {MARGIN + (n <= 1 ? 0 : (float) (step - 1) / (n - 1) * plotW), MARGIN + plotH - (v - low) / (high - low) * plotH});
        }
        return new Geometry(training, heldOut, String.format(Locale.ROOT, "%.3g", high), String.format(Locale.ROOT, "%.3g", low), "step " + n);
    }

    private static BufferedImage png(Geometry geo, String title) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        int plotW = WIDTH - 2 * MARGIN, plotH = HEIGHT - 2 * MARGIN;
        g.setColor(Color.DARK_GRAY);
        g.drawRect(MARGIN, MARGIN, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString(title, MARGIN, MARGIN - 20);
        g.drawString(geo.top(), 5, MARGIN + 5);
        g.drawString(geo.bottom(), 5, MARGIN + plotH);
        g.drawString(geo.lastStep(), MARGIN + plotW - 60, MARGIN + plotH + 20);
        g.drawString("step 1", MARGIN, MARGIN + plotH + 20);
        g.setStroke(new BasicStroke(1.5f));
        g.setColor(Color.decode(TRAINING_COLOR));
        g.draw(line(geo.training()));
        g.setColor(Color.decode(HELD_OUT_COLOR));
        g.draw(line(geo.heldOut()));
        for (float[] p : geo.heldOut()) g.fillOval(Math.round(p[0]) - 3, Math.round(p[1]) - 3, 6, 6);
        g.dispose();
        return img;
    }

    private static Path2D.Float line(List<float[]> points) {
        Path2D.Float line = new Path2D.Float();
        for (int i = 0; i < points.size(); i++) {
            if (i == 0) line.moveTo(points.get(i)[0], points.get(i)[1]);
            else line.lineTo(points.get(i)[0], points.get(i)[1]);
        }
        return line;
    }

    private static String svg(Geometry geo, String title) {
        int plotW = WIDTH - 2 * MARGIN, plotH = HEIGHT - 2 * MARGIN;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#404040\"/>%n", MARGIN, MARGIN, plotW, plotH));
        text(sb, MARGIN, MARGIN - 20, title);
        text(sb, 5, MARGIN + 5, geo.top());
        text(sb, 5, MARGIN + plotH, geo.bottom());
        text(sb, MARGIN + plotW - 60, MARGIN + plotH + 20, geo.lastStep());
        text(sb, MARGIN, MARGIN + plotH + 20, "step 1");
        polyline(sb, geo.training(), TRAINING_COLOR);
        polyline(sb, geo.heldOut(), HELD_OUT_COLOR);
        for (float[] p : geo.heldOut())
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", p[0], p[1], HELD_OUT_COLOR));
        return sb.append("</svg>\n").toString();
    }

    private static void polyline(StringBuilder sb, List<float[]> points, String color) {
        if (points.isEmpty()) return;
        sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.5\" points=\"");
        for (float[] p : points) sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", p[0], p[1]));
        sb.append("\"/>\n");
    }

    private static void text(StringBuilder sb, int x, int y, String s) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">", x, y))
                .append(s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")).append("</text>\n");
    }
}
