package nnet.cli;

import java.util.Optional;
import nnet.runtime.LossFunction;
import nnet.runtime.Network;

/**
 * The fraction of training rows a network gets right, when its targets are labels (every value 0
 * or 1): argmax per class row for a loss on class rows ({@code cross_entropy}) (and one-hot targets), else each value
 * thresholded at 0.5. Regression targets have no accuracy.
 */
final class Accuracy {
    private Accuracy() {}

    static Optional<String> of(Network net, String output, LossFunction loss, TrainingData data) {
        for (float[] t : data.targets()) for (float v : t) if (v != 0 && v != 1) return Optional.empty();
        int[] shape = net.shape(output);
        int classes = shape[shape.length - 1];
        boolean argmax = loss.targets == LossFunction.Targets.CLASS_ROWS && classes > 1;
        int right = 0;
        for (int r = 0; r < data.rows(); r++) {
            net.forward(data.inputs()[r]);
            if (correct(net.activation(output), data.targets()[r], argmax ? classes : 1)) right++;
        }
        return Optional.of(String.format("%.1f%% (%d of %d)", 100.0 * right / data.rows(), right, data.rows()));
    }

    /** {@code classes == 1}: every value on the right side of 0.5; else the argmax of every class row is the target's 1. */
    private static boolean correct(float[] y, float[] t, int classes) {
        if (classes == 1) {
            for (int k = 0; k < y.length; k++) if ((y[k] > 0.5f) != (t[k] == 1)) return false;
            return true;
        }
        for (int from = 0; from < y.length; from += classes) {
            int best = from;
            for (int j = from + 1; j < from + classes; j++) if (y[j] > y[best]) best = j;
            if (t[best] != 1) return false;
        }
        return true;
    }
}
