package nnet.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import nnet.runtime.io.AtomicFiles;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code train --plot loss.png|loss.svg}, drawn by XChart: the loss of each epoch (the mean of its
 * steps) for the training rows and the held-out rows, on a logarithmic axis (linear when a loss is not
 * positive), one curve each, and with several losses one per head beside their sum; below it the
 * figure that says how good the run is (the one {@code --monitor} watches when it is not a loss, else
 * accuracy, or R² for regression), per head. The epoch early stopping kept is marked in both panels
 * (a vertical line, and a point in the legend). SVG when the name ends in {@code .svg} (VectorGraphics2D,
 * XChart's own), PNG otherwise; written atomically.
 */
final class LossPlot {
    static final int WIDTH = 900, LOSS_HEIGHT = 460, METRIC_HEIGHT = 320;
    /** About this many characters of a title fit the width at its font. */
    private static final int TITLE_CHARACTERS = WIDTH / 8;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};
    /** The kept epoch's marker and line: a color no curve and no text has, so it can be found in the picture. */
    static final Color KEPT = new Color(0x222222);
    private static final BasicStroke DASHED = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0);

    private LossPlot() {}

    /**
     * @param kept      the epoch early stopping kept, or 0 (no marker)
     * @param losses    the losses trained, for the title ({@code binary_cross_entropy}, {@code a: mse * 0.5 + b: ...})
     * @param monitored what early stopping watched ({@code val_auc}), or null
     */
    static void write(Path file, List<EpochLoop.Report> history, int kept, String network, String losses, String monitored) {
        System.setProperty("java.awt.headless", "true");
        List<XYChart> charts = new ArrayList<>(List.of(lossChart(history, kept, network, losses)));
        String metric = metricShown(history, monitored);
        if (metric != null) charts.add(metricChart(history, kept, metric));
        int height = LOSS_HEIGHT + (charts.size() > 1 ? METRIC_HEIGHT : 0);
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".svg")) {
            VectorGraphics2D g = new VectorGraphics2D();
            paint(g, charts);
            AtomicFiles.write(file, out -> new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, WIDTH, height)).writeTo(out));
        } else {
            BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            paint(g, charts);
            g.dispose();
            AtomicFiles.write(file, out -> ImageIO.write(image, "png", out));
        }
    }

    /** The panels one under the other. */
    private static void paint(Graphics2D g, List<XYChart> charts) {
        charts.get(0).paint(g, WIDTH, LOSS_HEIGHT);
        if (charts.size() > 1) {
            g.translate(0, LOSS_HEIGHT);
            charts.get(1).paint(g, WIDTH, METRIC_HEIGHT);
        }
    }

    private static XYChart lossChart(List<EpochLoop.Report> history, int kept, String network, String losses) {
        XYChart c = chart(LOSS_HEIGHT, fit(network + ": loss per epoch (" + losses + ")"), "loss");
        boolean positive = true;
        List<XYSeries> all = new ArrayList<>();
        all.add(series(c, "training", history, r -> r.training().loss(), 0, false));
        boolean heldOut = !history.isEmpty() && history.get(0).heldOut() != null;
        if (heldOut) all.add(series(c, "held-out", history, r -> r.heldOut().loss(), 1, true));
        List<Evaluation.Head> heads = history.isEmpty() ? List.of() : history.get(0).training().heads();
        if (heads.size() > 1)
            for (int h = 0; h < heads.size(); h++) {
                int head = h;
                all.add(series(c, heads.get(h).output() + " training", history, r -> r.training().heads().get(head).loss(), h + 2, false));
                if (heldOut) all.add(series(c, heads.get(h).output() + " held-out", history, r -> r.heldOut().heads().get(head).loss(), h + 2, true));
            }
        for (XYSeries s : all) positive &= s.getYMin() > 0;
        c.getStyler().setYAxisLogarithmic(positive);
        c.getStyler().setYAxisLogarithmicDecadeOnly(false); // a label at 2, 3, ... 9 times each power of 10: losses often span less than a decade
        c.getStyler().setyAxisTickLabelsFormattingFunction(v -> String.format(Locale.ROOT, "%.3g", v));
        if (kept > 0) markKept(c, history, kept, heldOut ? r -> r.heldOut().loss() : r -> r.training().loss());
        return c;
    }

    /** The figure of the metric panel: what early stopping watched unless a loss, else accuracy, else R²; null when the heads have none. */
    private static String metricShown(List<EpochLoop.Report> history, String monitored) {
        if (history.isEmpty()) return null;
        List<String> names = history.get(0).training().metricNames();
        if (monitored != null) {
            String m = monitored.startsWith("val_") ? monitored.substring(4) : monitored;
            m = m.substring(m.lastIndexOf('_') + 1);
            if (names.contains(m)) return m;
        }
        return names.contains("accuracy") ? "accuracy" : names.contains("r2") ? "r2" : names.isEmpty() ? null : names.get(0);
    }

    private static XYChart metricChart(List<EpochLoop.Report> history, int kept, String metric) {
        XYChart c = chart(METRIC_HEIGHT, metric + " per epoch" + (history.get(0).training().heads().size() > 1 ? ", per head" : ""), metric);
        boolean heldOut = history.get(0).heldOut() != null;
        List<Evaluation.Head> heads = history.get(0).training().heads();
        for (int h = 0; h < heads.size(); h++) {
            if (!heads.get(h).metrics().containsKey(metric)) continue;
            int head = h;
            String of = heads.size() > 1 ? heads.get(h).output() + " " : "";
            int color = heads.size() > 1 ? h + 2 : 0;
            series(c, of + "training", history, r -> r.training().heads().get(head).metrics().getOrDefault(metric, Double.NaN), color, false);
            if (heldOut) series(c, of + "held-out", history, r -> r.heldOut().heads().get(head).metrics().getOrDefault(metric, Double.NaN), heads.size() > 1 ? color : 1, true);
        }
        if (kept > 0) markKept(c, history, kept, r -> (heldOut ? r.heldOut() : r.training()).metric(metric));
        return c;
    }

    private static XYChart chart(int height, String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(height).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        XYStyler s = c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(0xe0e0e0));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setXAxisDecimalPattern("#"); // epochs are whole numbers
        s.setXAxisTickMarkSpacingHint(60);
        s.setMarkerSize(5);
        return c;
    }

    /** A curve over the epochs; held-out ones dashed, in the color of their training curve (or red beside a blue one). */
    private static XYSeries series(XYChart c, String name, List<EpochLoop.Report> history, ToDoubleFunction<EpochLoop.Report> y, int color, boolean dashed) {
        double[] xs = new double[history.size()], ys = new double[history.size()];
        for (int e = 0; e < xs.length; e++) {
            xs[e] = history.get(e).epoch();
            ys[e] = y.applyAsDouble(history.get(e));
        }
        XYSeries s = c.addSeries(name, xs, ys);
        s.setLineColor(COLORS[color % COLORS.length]);
        s.setMarkerColor(COLORS[color % COLORS.length]);
        s.setMarker(SeriesMarkers.CIRCLE);
        if (dashed) s.setLineStyle(DASHED);
        return s;
    }

    /** The kept epoch: a vertical line, and a point on the watched curve named in the legend. */
    private static void markKept(XYChart c, List<EpochLoop.Report> history, int kept, ToDoubleFunction<EpochLoop.Report> y) {
        EpochLoop.Report at = history.stream().filter(r -> r.epoch() == kept).findFirst().orElse(null);
        if (at == null) return;
        XYSeries point = c.addSeries("kept: epoch " + kept, new double[] {kept}, new double[] {y.applyAsDouble(at)});
        point.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        point.setMarker(SeriesMarkers.DIAMOND);
        point.setMarkerColor(KEPT);
        c.getStyler().setAnnotationLineColor(KEPT);
        c.getStyler().setAnnotationLineStroke(new BasicStroke(1f));
        c.addAnnotation(new AnnotationLine(kept, true, false));
    }

    /** A title cut to fit the width, its end replaced by an ellipsis. */
    private static String fit(String title) {
        return title.length() <= TITLE_CHARACTERS ? title : title.substring(0, TITLE_CHARACTERS - 1) + "…";
    }
}
