package nnet.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.runtime.math.LossFunction;
import nnet.runtime.Network;
import nnet.runtime.jar.PredictOutput;

/**
 * How a network does on labelled rows (training rows, held-out rows, a test set): the mean loss,
 * as training computes it (the weighted sum of several losses, each sample times its weight), the
 * penalty trained beside it, and per loss (a head) its own loss and the figures that fit it
 * ({@link Metrics}): for labels (every target 0 or 1) the fraction of rows its output gets right, a
 * confusion matrix, AUC, precision, recall and F1; for mse, MSE, MAE and R². A row is right when the
 * argmax of every class row is the target's 1 (a loss on class rows, {@code cross_entropy}), else
 * when every value is on the target's side of 0.5.
 *
 * @param heads a head per loss statement, in their order
 */
record Evaluation(int rows, double loss, double penalty, List<Head> heads) {
    /** Rows per forward batch and per loss batch (fewer for wide rows, {@link nnet.runtime.io.InputRows#batchRows}): bounded memory whatever the file's size. */
    private static final int CHUNK = 1024;

    /**
     * One loss's output.
     *
     * @param loss      its own mean loss (before its statement's weight), or NaN when not computed
     * @param right     rows right, or -1 when the targets are not labels
     * @param confusion {@code confusion[target][predicted]} counts of class rows (two classes, 0 and 1,
     *                  for a single sigmoid-like output), or null
     * @param metrics   the figures that fit the loss, by name ({@link Metrics#NAMES}; accuracy among them)
     * @param classes   the names of the classes, when the output's units have names (LANGUAGE.md §4, Names), else null
     */
    record Head(String output, double loss, int right, int[][] confusion, Map<String, Double> metrics, List<String> classes) {}

    /** The loss and every figure: a backward pass over every row for the loss, a forward pass for the figures. */
    static Evaluation of(Network net, TrainingData data, PredictOutput.LossOutputs outputs) {
        double sum = 0, penalty = 0;
        double[] headSums = new double[net.losses().size()];
        int chunk = data.inputs().batchRows(CHUNK);
        for (int from = 0; from < data.rows(); from += chunk) {
            int to = Math.min(data.rows(), from + chunk);
            // the generated code computes the loss exactly as training does (softmax and sigmoid fused), as predicting runs
            // (dropout off, batchnorm's moving statistics); weights do not change
            sum += (double) net.loss(data.inputs().range(from, to), Arrays.copyOfRange(data.targets(), from, to), data.weights(from, to)) * (to - from);
            penalty += (double) net.penalty() * (to - from);
            float[] heads = net.headLosses();
            for (int h = 0; h < heads.length; h++) headSums[h] += (double) heads[h] * (to - from);
        }
        for (int h = 0; h < headSums.length; h++) headSums[h] /= data.rows();
        return of(net, data, predictions(net, data), sum / data.rows(), headSums, penalty / data.rows(), outputs);
    }

    /** The figures alone (the loss NaN): a forward pass over the rows, no backward pass. */
    static Evaluation figures(Network net, TrainingData data, PredictOutput.LossOutputs outputs) {
        double[] none = new double[net.losses().size()];
        Arrays.fill(none, Double.NaN);
        return of(net, data, predictions(net, data), Double.NaN, none, Double.NaN, outputs);
    }

    /**
     * From predictions already made (a training epoch's steps made them): {@code predicted[row]} the
     * losses' outputs in a row, as a target row holds their targets; the losses as computed.
     */
    static Evaluation of(Network net, TrainingData data, float[][] predicted, double loss, double[] headLosses, double penalty, PredictOutput.LossOutputs outputs) {
        List<Network.Loss> losses = net.losses();
        List<Head> heads = new ArrayList<>();
        for (int h = 0, at = 0; h < losses.size(); at += losses.get(h).size(), h++) {
            Network.Loss l = losses.get(h);
            float[][] y = columns(predicted, at, l.size()), t = columns(data.targets(), at, l.size());
            heads.add(head(net, l, y, t, headLosses[h], outputs));
        }
        return new Evaluation(data.rows(), loss, penalty, List.copyOf(heads));
    }

    /** Each row's losses' outputs in a row, by forward passes of bounded size. */
    private static float[][] predictions(Network net, TrainingData data) {
        List<String> outputs = net.losses().stream().map(Network.Loss::output).toList();
        float[][] out = new float[data.rows()][];
        int chunk = data.inputs().batchRows(CHUNK);
        for (int from = 0; from < data.rows(); from += chunk) {
            int to = Math.min(data.rows(), from + chunk);
            float[][][] ys = net.forwardBatch(data.inputs().range(from, to), outputs);
            for (int r = from; r < to; r++) {
                int size = 0;
                for (float[] y : ys[r - from]) size += y.length;
                out[r] = new float[size];
                int at = 0;
                for (float[] y : ys[r - from]) {
                    System.arraycopy(y, 0, out[r], at, y.length);
                    at += y.length;
                }
            }
        }
        return out;
    }

    private static float[][] columns(float[][] rows, int at, int size) {
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) out[r] = Arrays.copyOfRange(rows[r], at, at + size);
        return out;
    }

    /** One loss's figures from its outputs {@code y} (raw: logits under cross_entropy unless a softmax) and targets {@code t}. */
    private static Head head(Network net, Network.Loss l, float[][] y, float[][] t, double loss, PredictOutput.LossOutputs outputs) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        int right = -1;
        int[][] confusion = null;
        if (labels(t)) {
            int classes = classes(l);
            confusion = classes > 1 ? new int[classes][classes] : l.size() == 1 ? new int[2][2] : null;
            right = 0;
            for (int r = 0; r < y.length; r++) if (correct(y[r], t[r], Math.max(1, classes), confusion)) right++;
            metrics.put("accuracy", y.length == 0 ? Double.NaN : (double) right / y.length);
            if (l.function() == LossFunction.CROSS_ENTROPY && classes > 1) metrics.putAll(Metrics.classes(probabilities(l, y, outputs), t, classes));
            else if (l.function() != LossFunction.MSE) metrics.putAll(Metrics.binary(y, t));
        }
        if (l.function() == LossFunction.MSE) metrics.putAll(Metrics.regression(y, t));
        return new Head(l.output(), loss, right, confusion, metrics, classNames(net, l, confusion));
    }

    /** The names of an output's units when they name its classes (one class row), else null. */
    private static List<String> classNames(Network net, Network.Loss l, int[][] confusion) {
        String[] names = net.unitNames(l.output());
        return names != null && confusion != null && classes(l) == names.length ? List.of(names) : null;
    }

    /** A cross-entropy's class rows as probabilities (the softmax of logits; a softmax output as it is): AUC ranks these. */
    private static float[][] probabilities(Network.Loss l, float[][] y, PredictOutput.LossOutputs outputs) {
        PredictOutput.Kind kind = outputs.kindOf(l.output());
        if (kind != PredictOutput.Kind.LOGITS) return y;
        int classes = l.shape()[l.shape().length - 1];
        float[][] p = new float[y.length][];
        for (int r = 0; r < y.length; r++) p[r] = PredictOutput.softmax(y[r], classes);
        return p;
    }

    /** Whether every target value is 0 or 1. */
    private static boolean labels(float[][] targets) {
        for (float[] t : targets) for (float v : t) if (v != 0 && v != 1) return false;
        return targets.length > 0;
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

    /** The fraction of rows right; with several labelled losses, the mean of their outputs' (the progress line's and the log's figure). */
    double accuracy() {
        return metric("accuracy");
    }

    /** A figure's mean over the heads that have it (NaN when none has): {@code accuracy}, {@code auc}, ..., {@link Metrics#NAMES}. */
    double metric(String name) {
        return heads.stream().map(h -> h.metrics.get(name)).filter(v -> v != null && !Double.isNaN(v)).mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** The figures some head has, in {@link Metrics#NAMES}' order. */
    List<String> metricNames() {
        return Metrics.NAMES.stream().filter(n -> heads.stream().anyMatch(h -> h.metrics.containsKey(n))).toList();
    }

    /**
     * A figure by the name {@code --monitor} and the log give it (without {@code val_}): {@code loss},
     * {@code penalty}, a figure's mean over the heads ({@code auc}), or one head's ({@code y1_loss},
     * {@code y1_auc}); null when there is no such figure.
     */
    Double figure(String name) {
        if (name.equals("loss")) return loss;
        if (name.equals("penalty")) return penalty;
        if (Metrics.NAMES.contains(name)) return metricNames().contains(name) ? metric(name) : null;
        for (Head h : heads) {
            if (!name.startsWith(h.output + "_")) continue;
            String rest = name.substring(h.output.length() + 1);
            if (rest.equals("loss")) return h.loss;
            if (h.metrics.containsKey(rest)) return h.metrics.get(rest);
        }
        return null;
    }

    /**
     * Every name {@link #figure} knows here: {@code loss}, {@code penalty}, the figures some head has,
     * and with several heads each head's ({@code y1_loss}, {@code y1_auc}, ...).
     */
    List<String> figureNames() {
        List<String> names = new ArrayList<>(List.of("loss", "penalty"));
        names.addAll(metricNames());
        if (heads.size() > 1)
            for (Head h : heads) {
                names.add(h.output + "_loss");
                for (String m : h.metrics.keySet()) names.add(h.output + "_" + m);
            }
        return names;
    }

    /**
     * The figures {@code data} will have, before any are computed (the names of a run's log columns and
     * of what {@code --monitor} may watch): an evaluation of zero predictions, which has the same heads and figures.
     */
    static Evaluation figuresOf(Network net, TrainingData data) {
        float[][] zeros = new float[data.rows()][net.losses().stream().mapToInt(Network.Loss::size).sum()];
        double[] none = new double[net.losses().size()];
        return of(net, data, zeros, Double.NaN, none, Double.NaN, PredictOutput.LossOutputs.NONE);
    }

    /** {@code 97.5% (39 of 40)}; with several labelled losses each, by output: {@code y1 97.5% (39 of 40), y2 ...}. */
    String accuracyText() {
        List<Head> labelled = heads.stream().filter(h -> h.right >= 0).toList();
        if (labelled.size() == 1) return accuracyText(labelled.get(0));
        return String.join(", ", labelled.stream().map(h -> h.output + " " + accuracyText(h)).toList());
    }

    private String accuracyText(Head h) {
        return String.format(java.util.Locale.ROOT, "%.1f%% (%d of %d)", 100.0 * h.right / rows, h.right, rows);
    }

    /** For people: {@link EvaluationText}. */
    String text() {
        return EvaluationText.text(this);
    }

    /** For tools: {@link EvaluationText}. */
    String json() {
        return EvaluationText.json(this);
    }
}
