package nnet.spark;

import java.io.Serializable;
import java.util.List;
import nnet.runtime.io.Csv;
import nnet.runtime.DataFormatException;
import nnet.runtime.math.LossFunction;
import nnet.runtime.Network;
import nnet.runtime.Tensor;

/**
 * A row's target and sample weight as the network trains on them, read as {@code nnetc train} reads
 * its files: a target is the loss's output values in a row ({@link Network#targetShape}), or, under one
 * {@code cross_entropy} loss, one class index per class row (a number for an output {@code [10]},
 * Keras' sparse categorical cross-entropy), made into the one-hot row it stands for; a sample weight is
 * a number of at least 0 ({@code --sample-weights}, Keras' {@code sample_weight}).
 *
 * @param size    the values of a target row
 * @param classes the classes of a class row when class indices are taken, else 0
 */
public record TrainingCells(int size, int classes) implements Serializable {
    public static TrainingCells of(Network net) {
        int size = (int) Tensor.size(net.targetShape());
        List<Network.Loss> losses = net.losses();
        if (losses.size() != 1 || losses.get(0).function().targets != LossFunction.Targets.CLASS_ROWS) return new TrainingCells(size, 0);
        int[] shape = losses.get(0).shape();
        return new TrainingCells(size, shape[shape.length - 1] > 1 ? shape[shape.length - 1] : 0);
    }

    /** {@code values} as a target row; {@code place} says where they are, in an error. */
    public float[] target(float[] values, String place) {
        if (values.length == size) return values;
        if (classes == 0 || values.length != size / classes)
            throw new DataFormatException(place + ": a target of " + values.length + " values, but the loss's output has " + size
                    + (classes == 0 ? "" : " (one-hot rows), or " + size / classes + " (class indices 0 to " + (classes - 1) + ")"));
        float[] row = new float[size];
        for (int p = 0; p < values.length; p++) {
            float v = values[p];
            if (v != Math.rint(v) || v < 0 || v >= classes)
                throw new DataFormatException(place + ": " + Csv.format(v) + " is not a class index: the loss's output has " + classes
                        + " classes, so a class index is an integer from 0 to " + (classes - 1));
            row[p * classes + (int) v] = 1;
        }
        return row;
    }

    /** {@code value} as a sample weight; {@code place} says where it is, in an error. */
    public static float sampleWeight(float value, String place) {
        if (!(value >= 0) || Float.isInfinite(value)) throw new DataFormatException(place + ": sample weight " + Csv.format(value) + " is not a number of at least 0");
        return value;
    }
}
