package nnet.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nnet.runtime.io.AtomicFiles;
import nnet.runtime.Attributions;
import nnet.runtime.DenseChain;
import nnet.runtime.Network;
import nnet.runtime.math.SparseIndex;
import nnet.runtime.UserError;

/**
 * {@code report.html} of {@code nnetc explain}: one self-contained page (inline SVG and CSS, no
 * script, nothing fetched). P-NET's figure as a Sankey diagram: a column per explained node, its
 * {@link #TOP} units by mean absolute attribution as bars of that height, labelled with their names,
 * and between consecutive columns the connections of the dense layer that joins them (width by the
 * weight's size times the left unit's attribution); then per node a bar chart of its top units: the
 * mean absolute attribution (pale) and, inside it, the mean attribution (warm positive, cool negative).
 */
final class ExplainReport {
    private ExplainReport() {}

    /** Units shown per node in the diagram, and in each bar chart. */
    static final int TOP = 10, BARS = 15;
    private static final int COLUMN = 230, BAR = 14, HEIGHT = 420, TOP_MARGIN = 40;

    /** Where a unit's bar is in the diagram. */
    private record Placed(int unit, double x, double y, double h) {}

    static void write(Path file, Network net, Attributions.Request r, List<ExplainFiles.NodeScores> nodes) {
        Map<String, DenseChain.Link> layers;
        try {
            layers = DenseChain.layers(net);
        } catch (UserError e) { // a jar from before explain: no connections drawn
            layers = Map.of();
        }
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(net.name())).append(" explained</title>\n<style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
                .append("svg text{font-size:11px;font-family:sans-serif}.muted{color:#666}</style></head><body>\n");
        h.append("<h1>").append(esc(net.name())).append(": what drives ").append(esc(r.output()))
                .append(r.unit() == Attributions.PREDICTED ? " (each row's predicted unit)" : "[" + Math.max(r.unit(), 0) + "]").append("</h1>\n");
        h.append("<p class=\"muted\">method ").append(esc(r.method().label())).append(", the mean absolute attribution over ").append(nodes.isEmpty() ? 0 : nodes.get(0).rows)
                .append(" row(s); the top ").append(TOP).append(" units of each node, and the connections between them.</p>\n");
        sankey(h, nodes, layers);
        for (ExplainFiles.NodeScores s : nodes) bars(h, s);
        h.append("</body></html>\n");
        byte[] bytes = h.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    private static void sankey(StringBuilder h, List<ExplainFiles.NodeScores> nodes, Map<String, DenseChain.Link> layers) {
        int width = Math.max(1, nodes.size()) * COLUMN + 40;
        h.append("<h2>Top units and their connections</h2>\n<svg id=\"sankey\" width=\"").append(width)
                .append("\" height=\"").append(HEIGHT + TOP_MARGIN + 20).append("\" viewBox=\"0 0 ").append(width).append(' ').append(HEIGHT + TOP_MARGIN + 20).append("\">\n");
        List<List<Placed>> columns = new ArrayList<>();
        for (int c = 0; c < nodes.size(); c++) columns.add(place(nodes.get(c), 20 + c * COLUMN));
        for (int c = 0; c + 1 < nodes.size(); c++) connections(h, nodes.get(c), nodes.get(c + 1), columns.get(c), columns.get(c + 1), layers);
        for (int c = 0; c < nodes.size(); c++) {
            ExplainFiles.NodeScores s = nodes.get(c);
            double x = 20 + c * COLUMN;
            h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"20\" font-weight=\"bold\">%s</text>\n", x, esc(s.node)));
            for (Placed p : columns.get(c)) {
                h.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"%.1f\" fill=\"%s\"><title>%s: %s</title></rect>\n",
                        p.x(), p.y(), p.h(), color(s.score(p.unit())), esc(s.label(p.unit())), ExplainFiles.number(s.score(p.unit()))));
                h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"middle\">%s</text>\n", p.x() + 16, p.y() + p.h() / 2, esc(s.label(p.unit()))));
            }
        }
        h.append("</svg>\n");
    }

    /** A column's top units, stacked with heights by their share of the column's mean absolute attribution. */
    private static List<Placed> place(ExplainFiles.NodeScores s, double x) {
        int[] ranked = s.ranked();
        int shown = Math.min(TOP, ranked.length);
        double total = 0;
        for (int k = 0; k < shown; k++) total += s.absScore(ranked[k]);
        double gap = 6, free = HEIGHT - gap * (shown - 1), y = TOP_MARGIN;
        List<Placed> out = new ArrayList<>();
        for (int k = 0; k < shown; k++) {
            double height = Math.max(3, total > 0 ? free * s.absScore(ranked[k]) / total : free / shown);
            out.add(new Placed(ranked[k], x, y, height));
            y += height + gap;
        }
        return out;
    }

    /** The dense layer's connections between two columns' shown units (either way round), if one joins them. */
    private static void connections(StringBuilder h, ExplainFiles.NodeScores a, ExplainFiles.NodeScores b, List<Placed> left, List<Placed> right, Map<String, DenseChain.Link> layers) {
        DenseChain.Link l = layers.get(b.node);
        boolean forward = l != null && l.input().equals(a.node);
        if (!forward) {
            l = layers.get(a.node);
            if (l == null || !l.input().equals(b.node)) return;
        }
        SparseIndex ix = l.kernel().index();
        List<double[]> flows = new ArrayList<>(); // left y, right y, flow
        double max = 0;
        for (Placed p : left)
            for (Placed q : right) {
                int i = forward ? p.unit() : q.unit(), j = forward ? q.unit() : p.unit();
                for (int k = ix.rowStart()[i]; k < ix.rowStart()[i + 1]; k++)
                    if (ix.colIndex()[k] == j) {
                        double flow = Math.abs(l.kernel().values()[k]) * (forward ? a.absScore(i) : b.absScore(i));
                        flows.add(new double[] {p.y() + p.h() / 2, q.y() + q.h() / 2, flow, p.x() + 12, q.x()});
                        max = Math.max(max, flow);
                    }
            }
        for (double[] f : flows) {
            double w = max > 0 ? 1 + 10 * f[2] / max : 1, mid = (f[3] + f[4]) / 2;
            h.append(String.format(Locale.ROOT, "<path d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f\" fill=\"none\" stroke=\"#7a8fb8\" stroke-opacity=\"0.45\" stroke-width=\"%.1f\"/>\n",
                    f[3], f[0], mid, f[0], mid, f[1], f[4], f[1], w));
        }
    }

    private static void bars(StringBuilder h, ExplainFiles.NodeScores s) {
        int[] ranked = s.ranked();
        int shown = Math.min(BARS, ranked.length);
        double max = shown == 0 ? 0 : s.absScore(ranked[0]);
        int height = shown * (BAR + 4) + 10;
        h.append("<h2>").append(esc(s.node)).append("</h2>\n<svg class=\"bars\" width=\"640\" height=\"").append(height).append("\">\n");
        for (int k = 0; k < shown; k++) {
            int u = ranked[k];
            double v = s.score(u), abs = max > 0 ? 300 * s.absScore(u) / max : 0, w = max > 0 ? 300 * Math.abs(v) / max : 0, y = 5 + k * (BAR + 4);
            h.append(String.format(Locale.ROOT, "<text x=\"200\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>\n", y + BAR / 2.0, esc(s.label(u))));
            h.append(String.format(Locale.ROOT, "<rect x=\"210\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"#dddddd\"/>\n", y, abs, BAR));
            h.append(String.format(Locale.ROOT, "<rect x=\"210\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", y + 3, w, BAR - 6, color(v)));
            h.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"middle\" class=\"muted\">%s (|%s|)</text>\n", 216 + abs, y + BAR / 2.0,
                    ExplainFiles.number(v), ExplainFiles.number(s.absScore(u))));
        }
        h.append("</svg>\n");
    }

    private static String color(double score) {
        return score >= 0 ? "#d9603b" : "#3b7dd9";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
