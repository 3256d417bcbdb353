package nnet.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures papers report, computed as scikit-learn computes them (its functions named at each),
 * from a head's predictions and targets, one row per sample. For labels (every target 0 or 1):
 * accuracy, AUC (the area under the ROC curve, exact by ranking with ties averaged), precision,
 * recall and F1; for several values or classes, each per value or class and averaged (macro). For
 * regression: MSE, MAE and R². Precision and recall of a class never predicted (or never present)
 * are 0, as scikit-learn's {@code zero_division} default gives them; an AUC needs both classes among
 * the targets and is NaN otherwise (scikit-learn raises).
 */
final class Metrics {
    private Metrics() {}

    /** Names in the order they are shown: the classification figures, then the regression ones. */
    static final java.util.List<String> NAMES = java.util.List.of("accuracy", "auc", "precision", "recall", "f1", "mse", "mae", "r2");

    /** Whether a higher value is better (AUC, accuracy, ...), not a lower one (losses, errors). */
    static boolean higherIsBetter(String metric) {
        return !metric.equals("loss") && !metric.equals("mse") && !metric.equals("mae") && !metric.equals("penalty");
    }

    /**
     * Independent probabilities ({@code binary_cross_entropy}): {@code p[row][value]} against 0/1 targets,
     * each value a binary problem (a value is predicted 1 above 0.5), averaged over the values (macro, as
     * scikit-learn averages a multilabel target; one value is the usual binary case). Accuracy is not
     * here: a row is right when all its values are (the caller counts it).
     */
    static Map<String, Double> binary(float[][] p, float[][] t) {
        int values = p.length == 0 ? 0 : p[0].length;
        Macro macro = new Macro();
        for (int k = 0; k < values; k++) {
            float[] score = new float[p.length];
            boolean[] positive = new boolean[p.length], predicted = new boolean[p.length];
            for (int r = 0; r < p.length; r++) {
                score[r] = p[r][k];
                positive[r] = t[r][k] == 1;
                predicted[r] = p[r][k] > 0.5f;
            }
            macro.add(auc(score, positive), positive, predicted, true);
        }
        return macro.figures();
    }

    /**
     * Class rows ({@code cross_entropy}): {@code p[row]} holds probabilities of {@code classes} classes
     * per class row (several class rows per sample are pooled, each a sample), {@code t[row]} one-hot
     * rows. The class predicted is the argmax (the first, for ties). AUC one class against the rest on
     * the probabilities, averaged over the classes present among the targets (scikit-learn's
     * {@code roc_auc_score(multi_class="ovr", average="macro")}); precision, recall and F1 averaged
     * over the classes among the targets or the predictions ({@code average="macro"}).
     */
    static Map<String, Double> classes(float[][] p, float[][] t, int classes) {
        int positions = p.length == 0 ? 0 : p[0].length / classes, n = p.length * positions;
        int[] actual = new int[n], predicted = new int[n];
        float[][] score = new float[classes][n];
        for (int r = 0, i = 0; r < p.length; r++)
            for (int q = 0; q < positions; q++, i++) {
                int from = q * classes, best = 0, truth = 0;
                for (int c = 0; c < classes; c++) {
                    score[c][i] = p[r][from + c];
                    if (p[r][from + c] > p[r][from + best]) best = c;
                    if (t[r][from + c] == 1) truth = c;
                }
                actual[i] = truth;
                predicted[i] = best;
            }
        Macro macro = new Macro();
        for (int c = 0; c < classes; c++) {
            boolean[] positive = new boolean[n], chosen = new boolean[n];
            for (int i = 0; i < n; i++) {
                positive[i] = actual[i] == c;
                chosen[i] = predicted[i] == c;
            }
            macro.add(auc(score[c], positive), positive, chosen, false);
        }
        return macro.figures();
    }

    /**
     * The means over labels (values or classes) of AUC (over the labels that have one) and of
     * precision, recall and F1: over every value of a multilabel target, as scikit-learn counts its
     * columns, and over the classes among the targets or the predictions, as it finds a multiclass
     * target's labels.
     */
    private static final class Macro {
        private double auc, precision, recall, f1;
        private int aucs, labels;

        /** @param always whether the label counts though no target and no prediction has it */
        void add(double labelAuc, boolean[] positive, boolean[] predicted, boolean always) {
            long tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < positive.length; i++) {
                if (positive[i] && predicted[i]) tp++;
                else if (predicted[i]) fp++;
                else if (positive[i]) fn++;
            }
            if (!Double.isNaN(labelAuc)) {
                auc += labelAuc;
                aucs++;
            }
            if (!always && tp + fp + fn == 0) return;
            labels++;
            precision += ratio(tp, tp + fp);
            recall += ratio(tp, tp + fn);
            f1 += ratio(2 * tp, 2 * tp + fp + fn);
        }

        Map<String, Double> figures() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("auc", aucs == 0 ? Double.NaN : auc / aucs);
            m.put("precision", labels == 0 ? Double.NaN : precision / labels);
            m.put("recall", labels == 0 ? Double.NaN : recall / labels);
            m.put("f1", labels == 0 ? Double.NaN : f1 / labels);
            return m;
        }
    }

    /**
     * Regression: the mean squared and absolute errors over every value, and R² per value (column)
     * averaged over them, scikit-learn's {@code r2_score(multioutput="uniform_average")}: a column whose
     * targets are all equal scores 1 when predicted exactly, else 0 ({@code force_finite}).
     */
    static Map<String, Double> regression(float[][] y, float[][] t) {
        int values = y.length == 0 ? 0 : y[0].length;
        double se = 0, ae = 0, r2 = 0;
        for (int k = 0; k < values; k++) {
            double mean = 0;
            for (float[] row : t) mean += row[k];
            mean /= t.length;
            double residual = 0, total = 0;
            for (int r = 0; r < y.length; r++) {
                double d = (double) y[r][k] - t[r][k];
                residual += d * d;
                ae += Math.abs(d);
                total += (t[r][k] - mean) * (t[r][k] - mean);
            }
            se += residual;
            r2 += total == 0 ? (residual == 0 ? 1 : 0) : 1 - residual / total;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mse", se / ((double) y.length * values));
        m.put("mae", ae / ((double) y.length * values));
        m.put("r2", r2 / values);
        return m;
    }

    /**
     * The area under the ROC curve, exactly: the probability that a positive scores above a negative,
     * ties counting one half (Mann–Whitney's U over the ranks, tied scores taking their mean rank), which
     * is what the trapezoids of scikit-learn's {@code roc_auc_score} add up to. NaN without both classes.
     */
    static double auc(float[] score, boolean[] positive) {
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(score[a], score[b]));
        long positives = 0;
        double rankSum = 0;
        for (int from = 0; from < n; ) {
            int to = from;
            while (to < n && Float.compare(score[order[to]], score[order[from]]) == 0) to++;
            double rank = (from + 1 + to) / 2.0; // ranks from+1 .. to, their mean
            for (int i = from; i < to; i++)
                if (positive[order[i]]) {
                    positives++;
                    rankSum += rank;
                }
            from = to;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) return Double.NaN;
        return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }
}
