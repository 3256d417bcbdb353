package nnet.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import nnet.runtime.LossFunction;
import nnet.runtime.Network;

/**
 * How a network does on labelled rows (training rows, held-out rows, a test set): the mean loss,
 * as training computes it, and, when the targets are labels (every value 0 or 1), the fraction
 * of rows it gets right and a confusion matrix. A row is right when the argmax of every class
 * row is the target's 1 (a loss on class rows, {@code cross_entropy}), else when every value is
 * on the target's side of 0.5. Regression targets have no accuracy.
 *
 * @param right     rows right, or -1 when the targets are not labels
 * @param confusion {@code confusion[target][predicted]} counts of class rows (two classes, 0 and 1,
 *                  for a single sigmoid-like output), or null
 */
record Evaluation(int rows, double loss, int right, int[][] confusion) {
    /** Rows per forward batch and per loss batch: bounded memory whatever the file's size. */
    private static final int CHUNK = 1024;

    static Evaluation of(Network net, String output, LossFunction loss, TrainingData data) {
        return of(net, output, loss, data, true);
    }

    /** The same; without {@code withLoss} the loss is NaN and costs nothing (a backward pass over every row, otherwise). */
    static Evaluation of(Network net, String output, LossFunction loss, TrainingData data, boolean withLoss) {
        double sum = withLoss ? 0 : Double.NaN;
        for (int from = 0; withLoss && from < data.rows(); from += CHUNK) {
            int to = Math.min(data.rows(), from + CHUNK);
            // the generated backward pass computes the loss exactly as training does (softmax and sigmoid fused); weights do not change
            sum += (double) net.computeGradients(Arrays.copyOfRange(data.inputs(), from, to), Arrays.copyOfRange(data.targets(), from, to)) * (to - from);
        }
        double meanLoss = sum / data.rows();
        for (float[] t : data.targets()) for (float v : t) if (v != 0 && v != 1) return new Evaluation(data.rows(), meanLoss, -1, null);
        int[] shape = net.shape(output);
        int classes = shape[shape.length - 1], size = data.targets()[0].length;
        boolean argmax = loss.targets == LossFunction.Targets.CLASS_ROWS && classes > 1;
        int[][] confusion = argmax ? new int[classes][classes] : size == 1 ? new int[2][2] : null;
        int right = 0;
        for (int from = 0; from < data.rows(); from += CHUNK) {
            int to = Math.min(data.rows(), from + CHUNK);
            float[][][] ys = net.forwardBatch(Arrays.copyOfRange(data.inputs(), from, to), List.of(output));
            for (int r = from; r < to; r++)
                if (correct(ys[r - from][0], data.targets()[r], argmax ? classes : 1, confusion)) right++;
        }
        return new Evaluation(data.rows(), meanLoss, right, confusion);
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

    boolean hasAccuracy() {
        return right >= 0;
    }

    double accuracy() {
        return (double) right / rows;
    }

    /** {@code 97.5% (39 of 40)}. */
    String accuracyText() {
        return String.format(Locale.ROOT, "%.1f%% (%d of %d)", 100 * accuracy(), right, rows);
    }

    /** For people: loss, accuracy, and the confusion matrix with a row per target class. */
    String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("rows: ").append(rows).append('\n');
        sb.append("loss: ").append(String.format(Locale.ROOT, "%.6g", loss)).append('\n');
        if (hasAccuracy()) sb.append("accuracy: ").append(accuracyText()).append('\n');
        if (confusion != null) {
            int width = 4;
            for (int[] row : confusion) for (int v : row) width = Math.max(width, Integer.toString(v).length() + 1);
            sb.append("confusion (rows: target class, columns: predicted class):\n");
            sb.append(" ".repeat(width + 1));
            for (int c = 0; c < confusion.length; c++) sb.append(pad(Integer.toString(c), width));
            sb.append('\n');
            for (int a = 0; a < confusion.length; a++) {
                sb.append(pad(Integer.toString(a), width)).append(' ');
                for (int v : confusion[a]) sb.append(pad(Integer.toString(v), width));
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    /** For tools: {@code {"rows": N, "loss": L, "accuracy": A, "right": R, "confusion": [[...], ...]}} (accuracy and confusion null when absent). */
    String json() {
        List<String> fields = new ArrayList<>();
        fields.add("\"rows\": " + rows);
        fields.add("\"loss\": " + number(loss));
        fields.add("\"accuracy\": " + (hasAccuracy() ? number(accuracy()) : "null"));
        fields.add("\"right\": " + (hasAccuracy() ? Integer.toString(right) : "null"));
        if (confusion == null) fields.add("\"confusion\": null");
        else {
            List<String> rowsOut = new ArrayList<>();
            for (int[] row : confusion) rowsOut.add(Arrays.toString(row));
            fields.add("\"confusion\": [" + String.join(", ", rowsOut) + "]");
        }
        return "{" + String.join(", ", fields) + "}";
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
