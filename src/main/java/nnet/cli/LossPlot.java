package nnet.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import nnet.runtime.AtomicFiles;

/** {@code train --plot loss.png}: the loss of every step as a line, drawn with the JDK's java.awt (headless), written atomically. */
final class LossPlot {
    static final int WIDTH = 800, HEIGHT = 450, MARGIN = 60;

    private LossPlot() {}

    static void write(Path file, List<Float> losses, String title) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        float max = 0, min = Float.POSITIVE_INFINITY;
        for (float v : losses) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        if (losses.isEmpty() || max <= 0) max = 1;
        float low = Math.min(0, min);
        int plotW = WIDTH - 2 * MARGIN, plotH = HEIGHT - 2 * MARGIN;
        g.setColor(Color.DARK_GRAY);
        g.drawRect(MARGIN, MARGIN, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString(title, MARGIN, MARGIN - 20);
        g.drawString(String.format("%.3g", max), 5, MARGIN + 5);
        g.drawString(String.format("%.3g", low), 5, MARGIN + plotH);
        g.drawString("step " + losses.size(), MARGIN + plotW - 60, MARGIN + plotH + 20);
        g.drawString("step 1", MARGIN, MARGIN + plotH + 20);
        Path2D.Float line = new Path2D.Float();
        for (int i = 0; i < losses.size(); i++) {
            float x = MARGIN + (losses.size() == 1 ? 0 : (float) i / (losses.size() - 1) * plotW);
            float y = MARGIN + plotH - (losses.get(i) - low) / (max - low) * plotH;
            if (i == 0) line.moveTo(x, y);
            else line.lineTo(x, y);
        }
        g.setColor(new Color(0x1f77b4));
        g.setStroke(new BasicStroke(1.5f));
        g.draw(line);
        g.dispose();
        AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
    }
}
