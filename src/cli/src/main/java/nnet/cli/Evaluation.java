package nnet.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import nnet.runtime.LossFunction;
import nnet.runtime.Network;

/**
 * How a network does on labelled rows (training rows, held-out rows, a test set): the mean loss,
 * as training computes it (the weighted sum of several losses), and for each loss whose targets
 * are labels (every value 0 or 1), the fraction of rows its output gets right and a confusion
 * matrix. A row is right when the argmax of every class row is the target's 1 (a loss on class
 * rows, {@code cross_entropy}), else when every value is on the target's side of 0.5. Regression
 * targets have no accuracy.
 *
 * @param heads a head per loss statement, in their order
 */
record Evaluation(int rows, double loss, List<Head> heads) {
    /** Rows per forward batch and per loss batch (fewer for wide rows, {@link nnet.runtime.InputRows#batchRows}): bounded memory whatever the file's size. */
    private static final int CHUNK = 1024;

    /**
     * One loss's output.
     *
     * @param right     rows right, or -1 when the targets are not labels
     * @param confusion {@code confusion[target][predicted]} counts of class rows (two classes, 0 and 1,
     *                  for a single sigmoid-like output), or null
     * @param classes   the names of the classes, when the output's units have names (LANGUAGE.md §4, Names), else null
     */
    record Head(String output, int right, int[][] confusion, List<String> classes) {}

    static Evaluation of(Network net, TrainingData data) {
        return of(net, data, true);
    }

    /** The same; without {@code withLoss} the loss is NaN and costs nothing (a backward pass over every row, otherwise). */
    static Evaluation of(Network net, TrainingData data, boolean withLoss) {
        double sum = withLoss ? 0 : Double.NaN;
        int chunk = data.inputs().batchRows(CHUNK);
        for (int from = 0; withLoss && from < data.rows(); from += chunk) {
            int to = Math.min(data.rows(), from + chunk);
            // the generated code computes the loss exactly as training does (softmax and sigmoid fused), as predicting runs
            // (dropout off, batchnorm's moving statistics); weights do not change
            sum += (double) net.loss(data.inputs().range(from, to), Arrays.copyOfRange(data.targets(), from, to)) * (to - from);
        }
        List<Network.Loss> losses = net.losses();
        int[] at = new int[losses.size()], right = new int[losses.size()];
        int[][][] confusion = new int[losses.size()][][];
        List<String> labelled = new ArrayList<>(); // the heads whose targets are labels, run in one forward pass
        for (int h = 0, offset = 0; h < at.length; offset += losses.get(h).size(), h++) {
            at[h] = offset;
            right[h] = labels(data, offset, losses.get(h).size()) ? 0 : -1;
            if (right[h] < 0) continue;
            labelled.add(losses.get(h).output());
            int classes = classes(losses.get(h));
            confusion[h] = classes > 1 ? new int[classes][classes] : losses.get(h).size() == 1 ? new int[2][2] : null;
        }
        for (int from = 0; !labelled.isEmpty() && from < data.rows(); from += chunk) {
            int to = Math.min(data.rows(), from + chunk);
            float[][][] ys = net.forwardBatch(data.inputs().range(from, to), labelled);
            for (int h = 0, shown = 0; h < at.length; h++) {
                if (right[h] < 0) continue;
                int size = losses.get(h).size();
                for (int r = from; r < to; r++)
                    if (correct(ys[r - from][shown], Arrays.copyOfRange(data.targets()[r], at[h], at[h] + size), Math.max(1, classes(losses.get(h))), confusion[h])) right[h]++;
                shown++;
            }
        }
        List<Head> heads = new ArrayList<>();
        for (int h = 0; h < at.length; h++) heads.add(new Head(losses.get(h).output(), right[h], confusion[h], classNames(net, losses.get(h), confusion[h])));
        return new Evaluation(data.rows(), sum / data.rows(), List.copyOf(heads));
    }

    /** The names of an output's units when they name its classes (one class row), else null. */
    private static List<String> classNames(Network net, Network.Loss l, int[][] confusion) {
        String[] names = net.unitNames(l.output());
        return names != null && confusion != null && classes(l) == names.length ? List.of(names) : null;
    }

    /** Whether every target value of {@code [at, at + size)} is 0 or 1. */
    private static boolean labels(TrainingData data, int at, int size) {
        for (float[] t : data.targets())
            for (int k = at; k < at + size; k++) if (t[k] != 0 && t[k] != 1) return false;
        return true;
    }

    /** A loss on class rows: its classes (argmax); else 0 (each value on its side of 0.5). */
    private static int classes(Network.Loss l) {
        int classes = l.shape()[l.shape().length - 1];
        return l.function().targets == LossFunction.Targets.CLASS_ROWS && classes > 1 ? classes : 0;
    }

    /** {@code classes == 1}: every value on the right side of 0.5; else the argmax of every class row is the target's 1. Counts into {@code confusion}. */
    private static boolean correct(float[] y, float[] t, int classes, int[][] confusion) {
        boolean all = true;
        if (classes == 1) {
            for (int k = 0; k < y.length; k++) {
                boolean predicted = y[k] > 0.5f, actual = t[k] == 1;
                if (confusion != null) confusion[actual ? 1 : 0][predicted ? 1 : 0]++;
                all &= predicted == actual;
            }
            return all;
        }
        for (int from = 0; from < y.length; from += classes) {
            int best = from, actual = from;
            for (int j = from + 1; j < from + classes; j++) {
                if (y[j] > y[best]) best = j;
                if (t[j] == 1) actual = j;
            }
            confusion[actual - from][best - from]++;
            all &= t[best] == 1;
        }
        return all;
    }

    /** Whether some loss's targets are labels. */
    boolean hasAccuracy() {
        return heads.stream().anyMatch(h -> h.right >= 0);
    }

    private List<Head> labelled() {
        return heads.stream().filter(h -> h.right >= 0).toList();
    }

    /** The fraction of rows right; with several labelled losses, the mean of their outputs' (the progress line's and the log's figure). */
    double accuracy() {
        return labelled().stream().mapToDouble(h -> (double) h.right / rows).average().orElse(Double.NaN);
    }

    /** {@code 97.5% (39 of 40)}; with several labelled losses each, by output: {@code y1 97.5% (39 of 40), y2 ...}. */
    String accuracyText() {
        List<Head> labelled = labelled();
        if (labelled.size() == 1) return accuracyText(labelled.get(0));
        return String.join(", ", labelled.stream().map(h -> h.output + " " + accuracyText(h)).toList());
    }

    private String accuracyText(Head h) {
        return String.format(Locale.ROOT, "%.1f%% (%d of %d)", 100.0 * h.right / rows, h.right, rows);
    }

    /** For people: loss, accuracy, and the confusion matrix with a row per target class (each loss's, by output, when there are several). */
    String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("rows: ").append(rows).append('\n');
        sb.append("loss: ").append(String.format(Locale.ROOT, "%.6g", loss)).append('\n');
        for (Head h : heads) {
            String of = heads.size() == 1 ? "" : " of " + h.output;
            if (h.right >= 0) sb.append("accuracy").append(of).append(": ").append(accuracyText(h)).append('\n');
            if (h.confusion != null) confusion(sb, h.confusion, h.classes, of);
        }
        return sb.toString();
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
     * For tools: {@code {"rows": N, "loss": L, "accuracy": A, "right": R, "confusion": [[...], ...]}}
     * (accuracy and confusion null when absent); with several losses, accuracy is their mean, right
     * and confusion null, and {@code "outputs"} holds each loss's {@code {"output", "accuracy", "right", "confusion"}}.
     */
    String json() {
        List<String> fields = new ArrayList<>();
        fields.add("\"rows\": " + rows);
        fields.add("\"loss\": " + number(loss));
        fields.add("\"accuracy\": " + (hasAccuracy() ? number(accuracy()) : "null"));
        Head only = heads.size() == 1 ? heads.get(0) : new Head(null, -1, null, null);
        fields.addAll(headFields(only));
        if (heads.size() > 1) {
            List<String> outs = new ArrayList<>();
            for (Head h : heads) {
                List<String> f = new ArrayList<>(List.of("\"output\": \"" + h.output + "\"", "\"accuracy\": " + (h.right >= 0 ? number((double) h.right / rows) : "null")));
                f.addAll(headFields(h));
                outs.add("{" + String.join(", ", f) + "}");
            }
            fields.add("\"outputs\": [" + String.join(", ", outs) + "]");
        }
        return "{" + String.join(", ", fields) + "}";
    }

    private static List<String> headFields(Head h) {
        List<String> fields = new ArrayList<>();
        fields.add("\"right\": " + (h.right >= 0 ? Integer.toString(h.right) : "null"));
        if (h.confusion == null) fields.add("\"confusion\": null");
        else {
            List<String> rowsOut = new ArrayList<>();
            for (int[] row : h.confusion) rowsOut.add(Arrays.toString(row));
            fields.add("\"confusion\": [" + String.join(", ", rowsOut) + "]");
        }
        if (h.classes != null) fields.add("\"classes\": [" + String.join(", ", h.classes.stream().map(Json::str).toList()) + "]");
        return fields;
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
