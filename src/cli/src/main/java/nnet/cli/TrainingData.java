package nnet.cli;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.runtime.io.Csv;
import nnet.runtime.io.DataFiles;
import nnet.runtime.DataFormatException;
import nnet.runtime.io.FilePart;
import nnet.runtime.io.InputRows;
import nnet.runtime.math.LossFunction;
import nnet.runtime.Network;
import nnet.runtime.jar.Predict;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;

/**
 * Samples for {@code grad}, {@code train} and {@code evaluate}: the inputs' files (as {@code predict}
 * reads them) and the target files, checked before any work: one target row per input row, each row
 * the size of its loss's output, and values the loss can take (probabilities for the
 * cross-entropies). For {@code cross_entropy} a target may instead hold one class index per class
 * row (one integer column for an output {@code [10]}, Keras' sparse categorical cross-entropy),
 * read as the one-hot rows it stands for. Problems are reported at {@code file:line}.
 *
 * @param inputs  the rows of each input, read as they are asked for ({@link InputRows#samples} gives a batch as {@link Network#trainStep} takes it)
 * @param targets {@code targets[row]}, one-hot where the file held class indices; with several
 *                losses their targets in a row, as {@link Network#losses()} orders them
 * @param weights {@code weights[row]}, each sample's weight in the loss ({@code --sample-weights}), or null: all 1
 */
record TrainingData(InputRows inputs, float[][] targets, float[] weights) {
    /** A cross-entropy target row may miss 1 by this much (probabilities written with few digits). */
    static final double SUM_TOLERANCE = 1e-3;

    /** @param sampleWeights {@code --sample-weights w.csv} (or {@code TABLE:COLUMN}), or null */
    static TrainingData read(Network net, nnet.runtime.io.InputLayouts layouts, List<String> inputSpecs, List<String> targetSpecs, String sampleWeights) {
        return read(net, layouts, inputSpecs, targetSpecs, sampleWeights, new RowOptions());
    }

    /**
     * The inputs opened (read as rows are asked for: {@link InputRows}), the rows {@code --rows}
     * names of them, and a target row and a sample weight for each of those rows.
     */
    static TrainingData read(Network net, nnet.runtime.io.InputLayouts layouts, List<String> inputSpecs, List<String> targetSpecs, String sampleWeights, RowOptions rowOptions) {
        InputRows in = Predict.openInputs(net, inputSpecs, new nnet.runtime.jar.SourceFacts(nnet.runtime.jar.PredictOutput.LossOutputs.NONE, layouts, java.util.Set.of()));
        try {
            in = rowOptions.select(in);
            float[][] targets = readTargets(net, targetSpecs, in.rows());
            return new TrainingData(in, targets, sampleWeights == null ? null : readWeights(FilePart.parse(sampleWeights), in.rows()));
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * {@code --sample-weights w.csv}: one number of at least 0 per row (per input row, or per
     * {@code --rows} row as targets are; a CSV column, a table's column by name as
     * {@code subjects.csv:weight}, or a NumPy array {@code [N]}; from an {@code .npz} the array
     * {@code sample_weights} or its only one), Keras' {@code sample_weight}.
     */
    static float[] readWeights(FilePart file, int rows) {
        DataFiles.checkReadable(file.file());
        DataFiles.Table table = DataFiles.readTable(file, "sample_weights", "the sample weights");
        if (table.width() != 1) throw new DataFormatException(table.place(0) + ": row has " + table.width() + " columns, but sample weights are one number per row");
        if (table.rows().length != rows)
            throw new UserError(file + " has " + table.rows().length + " rows, but the input has " + rows + ": one sample weight per input row" + (file.part() != null ? " (or per --rows row)" : ""));
        float[] w = new float[rows];
        for (int r = 0; r < rows; r++) {
            w[r] = table.rows()[r][0];
            if (!(w[r] >= 0) || Float.isInfinite(w[r]))
                throw new UserError(table.place(r, 0) + ": sample weight " + Csv.format(w[r]) + " is not a number of at least 0");
        }
        return w;
    }

    /**
     * Each loss's target rows, from {@code name=T.csv} for the loss on output {@code name}, or the
     * one file without a name for every loss not named (P-NET's heads all predict the same label);
     * a sample's target is the losses' in a row, in the order of their statements.
     */
    static float[][] readTargets(Network net, List<String> specs, int rows) {
        List<Network.Loss> losses = net.losses();
        Map<String, FilePart> named = new LinkedHashMap<>();
        FilePart shared = null;
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String name = eq > 0 ? spec.substring(0, eq) : null;
            boolean lossOutput = name != null && losses.stream().anyMatch(l -> l.output().equals(name));
            if (lossOutput) {
                if (named.put(name, FilePart.parse(spec.substring(eq + 1))) != null) throw new UserError("--target " + name + "= is given twice");
            } else if (name != null && !Files.exists(FilePart.parse(spec).file()) || shared != null) {
                throw new UserError("--target " + spec + ": " + (shared == null ? "no loss is on an output '" + name + "'" : "a second target file without a name")
                        + "; the loss" + (losses.size() > 1 ? "es are on " : " is on ") + outputsOf(losses) + " (give one file for every loss, or name=T.csv for each)");
            } else shared = FilePart.parse(spec);
        }
        float[][][] parts = new float[losses.size()][][];
        for (int k = 0; k < parts.length; k++) {
            Network.Loss l = losses.get(k);
            FilePart file = named.getOrDefault(l.output(), shared);
            if (file == null) throw new UserError("no target for the loss on " + l.output() + ": give --target " + l.output() + "=T.csv, or one file for every loss");
            try {
                parts[k] = readTargets(file, l);
            } catch (UserError | DataFormatException e) { // which loss read it, when there are several
                if (losses.size() == 1) throw e;
                throw new UserError(e.getMessage() + " (read as the target of the loss on " + l.output()
                        + (file == shared ? ", the file of every loss not named; give --target " + l.output() + "=T.csv for its own)" : ")"));
            }
            if (parts[k].length != rows)
                throw new UserError(file + " has " + parts[k].length + " rows, but the input has " + rows + ": one target row per input row" + (file.part() != null ? " (or per --rows row)" : ""));
        }
        if (parts.length == 1) return parts[0];
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            int size = 0;
            for (float[][] p : parts) size += p[r].length;
            out[r] = new float[size];
            int at = 0;
            for (float[][] p : parts) {
                System.arraycopy(p[r], 0, out[r], at, p[r].length);
                at += p[r].length;
            }
        }
        return out;
    }

    private static String outputsOf(List<Network.Loss> losses) {
        return String.join(", ", losses.stream().map(Network.Loss::output).toList());
    }

    /** One loss's target rows: as many values as its output, or (cross_entropy) one class index per class row. */
    static float[][] readTargets(FilePart file, Network.Loss l) {
        nnet.runtime.io.DataFiles.checkReadable(file.file());
        LossFunction loss = l.function();
        int[] shape = l.shape();
        int size = (int) Tensor.size(shape), classes = shape[shape.length - 1], positions = size / classes;
        boolean indicesAllowed = loss.targets == LossFunction.Targets.CLASS_ROWS && classes > 1;
        String what = "the target " + Arrays.toString(shape) + " of the loss";
        DataFiles.Table table;
        try {
            table = DataFiles.readTable(file, "target", what);
        } catch (DataFormatException e) {
            throw indicesAllowed ? new DataFormatException(e.getMessage() + hint(positions, classes)) : e;
        }
        if (table.width() == size) {
            checkTargets(table, loss, classes);
            return table.rows();
        }
        if (indicesAllowed && table.width() == positions) return oneHot(table, classes);
        try { // the reader's own message, with the array's shape or the row's line
            if (file.part() == null) DataFiles.readRows(file.file(), "target", size, what);
        } catch (DataFormatException e) {
            throw indicesAllowed ? new DataFormatException(e.getMessage() + hint(positions, classes)) : e;
        }
        throw new DataFormatException(table.place(0) + ": row has " + table.width() + " columns, but " + what + " needs " + size);
    }

    private static String hint(int positions, int classes) {
        return " (one-hot rows), or " + positions + " (class indices 0 to " + (classes - 1) + ")";
    }

    /** Class indices (integers in [0, classes)) as the one-hot rows they stand for. */
    private static float[][] oneHot(DataFiles.Table table, int classes) {
        float[][] rows = table.rows(), out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = new float[rows[r].length * classes];
            for (int p = 0; p < rows[r].length; p++) {
                float v = rows[r][p];
                if (v != Math.rint(v) || v < 0 || v >= classes)
                    throw new UserError(table.place(r, p) + ": " + Csv.format(v) + " is not a class index: the loss's output has " + classes
                            + " classes, so a class index is an integer from 0 to " + (classes - 1));
                out[r][p * classes + (int) v] = 1;
            }
        }
        return out;
    }

    /** What the loss's row says its targets are: probabilities, whose rows of the last axis sum to 1 for class rows. */
    private static void checkTargets(DataFiles.Table table, LossFunction loss, int classes) {
        if (loss.targets == LossFunction.Targets.ANY) return;
        float[][] targets = table.rows();
        for (int r = 0; r < targets.length; r++) {
            float[] t = targets[r];
            for (int k = 0; k < t.length; k++)
                if (t[k] < 0 || t[k] > 1)
                    throw new UserError(table.place(r, k) + ": target " + Csv.format(t[k]) + " is outside [0, 1]; "
                            + loss + " takes probabilities" + (loss.targets == LossFunction.Targets.CLASS_ROWS ? " (one-hot rows for classes, or class indices)" : ""));
            if (loss.targets != LossFunction.Targets.CLASS_ROWS) continue;
            for (int from = 0; from < t.length; from += classes) {
                double sum = 0;
                for (int j = 0; j < classes; j++) sum += t[from + j];
                if (Math.abs(sum - 1) > SUM_TOLERANCE)
                    throw new UserError(table.place(r) + ": the targets of a class row sum to " + Csv.format((float) sum)
                            + "; " + loss + " takes a probability or one-hot row (summing to 1)");
            }
        }
    }

    int rows() {
        return targets.length;
    }

    /** The two parts of a {@link #split}: rows to train on and rows held out. */
    record Split(TrainingData training, TrainingData heldOut) {}

    /**
     * Holds out {@code fraction} of the rows (at least one, and one left to train on), drawn from
     * {@code seed} before any shuffling, so the same seed holds out the same rows; both parts keep
     * the file's order. Drawn rather than the last rows (as Keras takes them): files are often
     * sorted by class, and the last rows would be one class.
     */
    Split split(double fraction, long seed) {
        int n = rows(), held = (int) Math.round(n * fraction);
        if (held < 1 || held >= n)
            throw new UserError("--validation-split " + fraction + " of " + n + " rows holds out " + held + " rows; it must leave at least one row on each side");
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        StreamOrder.shuffle(order, 0, n, new SplittableRandom(seed ^ 0x5EEDC0FFEEL));
        boolean[] out = new boolean[n];
        for (int i = 0; i < held; i++) out[order[i]] = true;
        return new Split(subset(out, false), subset(out, true));
    }

    private TrainingData subset(boolean[] heldOut, boolean which) {
        return rows(java.util.stream.IntStream.range(0, rows()).filter(r -> heldOut[r] == which).toArray());
    }

    /** Rows {@code rows[0]}, {@code rows[1]}, ... of these, in that order (sharing the files), with their targets and weights. */
    TrainingData rows(int[] rows) {
        float[][] t = new float[rows.length][];
        float[] w = weights == null ? null : new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            t[i] = targets[rows[i]];
            if (w != null) w[i] = weights[rows[i]];
        }
        return new TrainingData(inputs.select(rows), t, w);
    }

    /** The sample weights of rows {@code order[from]} to {@code order[from + count - 1]}, or null when every weight is 1. */
    float[] weights(int[] order, int from, int count) {
        if (weights == null) return null;
        float[] w = new float[count];
        for (int k = 0; k < count; k++) w[k] = weights[order[from + k]];
        return w;
    }

    /** The sample weights of rows {@code from} to {@code to - 1}, or null when every weight is 1. */
    float[] weights(int from, int to) {
        return weights == null ? null : Arrays.copyOfRange(weights, from, to);
    }

    /**
     * The same rows in the files' order: a block of a file is then read once, whatever order
     * {@code --rows} gave (evaluating sums over the rows, so their order changes nothing but the
     * rounding of the sum).
     */
    TrainingData inFileOrder() {
        return rows(inputs.inFileOrder());
    }
}
