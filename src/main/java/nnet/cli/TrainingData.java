package nnet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import nnet.runtime.Csv;
import nnet.runtime.DataFiles;
import nnet.runtime.LossFunction;
import nnet.runtime.Network;
import nnet.runtime.Predict;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;

/**
 * Samples for {@code grad} and {@code train}: the inputs' CSV files (as {@code predict} reads
 * them) and the target CSV, checked before any work: one target row per input row, each row the
 * size of the loss's output, and values the loss can take (probabilities for the cross-entropies).
 * Cell-level problems (not a number, NaN, wrong column count) are reported by {@link Csv} with
 * file and line.
 *
 * @param inputs  {@code inputs[row][input]}, as {@link Network#trainStep} takes them
 * @param targets {@code targets[row]}
 */
record TrainingData(float[][][] inputs, float[][] targets) {
    /** A cross-entropy target row may miss 1 by this much (probabilities written with few digits). */
    static final double SUM_TOLERANCE = 1e-3;

    static TrainingData read(Network net, List<String> inputSpecs, Path targetFile, LossFunction loss) {
        Map<String, float[][]> in = Predict.readInputs(net, inputSpecs);
        if (!Files.isRegularFile(targetFile)) throw new UserError(targetFile + ": no such file");
        int[] shape = net.targetShape();
        float[][] targets = DataFiles.readRows(targetFile, "target", (int) Tensor.size(shape), "the target " + Arrays.toString(shape) + " of the loss");
        int rows = in.values().iterator().next().length;
        if (targets.length != rows)
            throw new UserError(targetFile + " has " + targets.length + " rows, but the input has " + rows + ": one target row per input row");
        if (rows == 0) throw new UserError(targetFile + ": no rows to train on");
        checkTargets(targetFile, targets, loss, shape[shape.length - 1]);
        float[][][] samples = new float[rows][net.inputNames().size()][];
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < samples[r].length; k++) samples[r][k] = in.get(net.inputNames().get(k))[r];
        return new TrainingData(samples, targets);
    }

    /** What the loss's row says its targets are: probabilities, whose rows of the last axis sum to 1 for class rows. */
    private static void checkTargets(Path file, float[][] targets, LossFunction loss, int classes) {
        if (loss.targets == LossFunction.Targets.ANY) return;
        for (int r = 0; r < targets.length; r++) {
            float[] t = targets[r];
            for (int k = 0; k < t.length; k++)
                if (t[k] < 0 || t[k] > 1)
                    throw new UserError(file + ": row " + (r + 1) + ", column " + (k + 1) + ": target " + Csv.format(t[k]) + " is outside [0, 1]; "
                            + loss + " takes probabilities" + (loss.targets == LossFunction.Targets.CLASS_ROWS ? " (one-hot rows for classes)" : ""));
            if (loss.targets != LossFunction.Targets.CLASS_ROWS) continue;
            for (int from = 0; from < t.length; from += classes) {
                double sum = 0;
                for (int j = 0; j < classes; j++) sum += t[from + j];
                if (Math.abs(sum - 1) > SUM_TOLERANCE)
                    throw new UserError(file + ": row " + (r + 1) + ": the targets of a class row sum to " + Csv.format((float) sum)
                            + "; " + loss + " takes a probability or one-hot row (summing to 1)");
            }
        }
    }

    int rows() {
        return targets.length;
    }
}
