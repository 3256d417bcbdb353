package nnet.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** An {@link Evaluation} as {@code nnetc evaluate} prints it: text for people, or one JSON object for tools. */
final class EvaluationText {
    private EvaluationText() {}

    /** Loss, penalty, each head's figures, and the confusion matrix with a row per target class (each loss's, by output, when there are several). */
    static String text(Evaluation e) {
        StringBuilder sb = new StringBuilder();
        sb.append("rows: ").append(e.rows()).append('\n');
        sb.append("loss: ").append(String.format(Locale.ROOT, "%.6g", e.loss())).append('\n');
        if (e.penalty() != 0 && Double.isFinite(e.penalty()))
            sb.append("penalty: ").append(String.format(Locale.ROOT, "%.6g", e.penalty())).append(" (trained with the loss: the weight and activity penalties)\n");
        for (Evaluation.Head h : e.heads()) {
            String of = e.heads().size() == 1 ? "" : " of " + h.output();
            if (e.heads().size() > 1 && Double.isFinite(h.loss())) sb.append("loss").append(of).append(": ").append(String.format(Locale.ROOT, "%.6g", h.loss())).append('\n');
            for (var m : h.metrics().entrySet()) {
                sb.append(m.getKey()).append(of).append(": ");
                if (m.getKey().equals("accuracy")) sb.append(String.format(Locale.ROOT, "%.1f%% (%d of %d)", 100.0 * h.right() / e.rows(), h.right(), e.rows()));
                else sb.append(Double.isNaN(m.getValue()) ? "undefined (" + undefined(m.getKey()) + ")" : String.format(Locale.ROOT, "%.4f", m.getValue()));
                sb.append('\n');
            }
            if (h.confusion() != null) confusion(sb, h.confusion(), h.classes(), of);
        }
        return sb.toString();
    }

    private static String undefined(String metric) {
        return metric.equals("auc") ? "the targets hold one class only" : "no rows";
    }

    /** The matrix under a line of class labels: their names when the output's units have them, else 0, 1, ... */
    private static void confusion(StringBuilder sb, int[][] confusion, List<String> classes, String of) {
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < confusion.length; c++) labels.add(classes != null ? classes.get(c) : Integer.toString(c));
        int width = 4;
        for (int[] row : confusion) for (int v : row) width = Math.max(width, Integer.toString(v).length() + 1);
        for (String label : labels) width = Math.max(width, label.length() + 2); // two spaces between names that hold spaces
        sb.append("confusion").append(of).append(" (rows: target class, columns: predicted class):\n");
        sb.append(" ".repeat(width + 1));
        for (String label : labels) sb.append(pad(label, width));
        sb.append('\n');
        for (int a = 0; a < confusion.length; a++) {
            sb.append(pad(labels.get(a), width)).append(' ');
            for (int v : confusion[a]) sb.append(pad(Integer.toString(v), width));
            sb.append('\n');
        }
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    /**
     * {@code {"rows": N, "loss": L, "penalty": P, "accuracy": A, "right": R, "confusion": [[...], ...], "auc": ..., ...}}
     * (accuracy and confusion null when absent; the other figures present when some head has them, each
     * the mean over the heads that do); with several losses, right and confusion are null, and
     * {@code "outputs"} holds each loss's {@code {"output", "accuracy", "right", "confusion", "loss", "auc", ...}}.
     */
    static String json(Evaluation e) {
        List<String> fields = new ArrayList<>();
        fields.add("\"rows\": " + e.rows());
        fields.add("\"loss\": " + number(e.loss()));
        fields.add("\"penalty\": " + number(e.penalty()));
        fields.add("\"accuracy\": " + (e.hasAccuracy() ? number(e.accuracy()) : "null"));
        Evaluation.Head only = e.heads().size() == 1 ? e.heads().get(0) : new Evaluation.Head(null, Double.NaN, -1, null, java.util.Map.of(), null);
        fields.addAll(headFields(only));
        for (String m : e.metricNames()) if (!m.equals("accuracy")) fields.add("\"" + m + "\": " + number(e.metric(m)));
        if (e.heads().size() > 1) {
            List<String> outs = new ArrayList<>();
            for (Evaluation.Head h : e.heads()) {
                List<String> f = new ArrayList<>(List.of("\"output\": \"" + h.output() + "\"", "\"accuracy\": " + (h.right() >= 0 ? number((double) h.right() / e.rows()) : "null")));
                f.addAll(headFields(h));
                f.add("\"loss\": " + number(h.loss()));
                h.metrics().forEach((m, v) -> {
                    if (!m.equals("accuracy")) f.add("\"" + m + "\": " + number(v));
                });
                outs.add("{" + String.join(", ", f) + "}");
            }
            fields.add("\"outputs\": [" + String.join(", ", outs) + "]");
        }
        return "{" + String.join(", ", fields) + "}";
    }

    private static List<String> headFields(Evaluation.Head h) {
        List<String> fields = new ArrayList<>();
        fields.add("\"right\": " + (h.right() >= 0 ? Integer.toString(h.right()) : "null"));
        if (h.confusion() == null) fields.add("\"confusion\": null");
        else {
            List<String> rowsOut = new ArrayList<>();
            for (int[] row : h.confusion()) rowsOut.add(Arrays.toString(row));
            fields.add("\"confusion\": [" + String.join(", ", rowsOut) + "]");
        }
        if (h.classes() != null) fields.add("\"classes\": [" + String.join(", ", h.classes().stream().map(Json::str).toList()) + "]");
        return fields;
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
