package nnet.interchange.onnx;

import java.util.Arrays;
import nnet.runtime.Tensor;

/**
 * What an ONNX value is while a graph is imported: a constant known at import time (an
 * initializer, a Constant node, or folded from them), or a tensor the network computes.
 */
sealed interface OnnxValue {
    /** In {@link Computed#axes}: the batch axis, and an axis of size 1 that the nnet node does not have. */
    int BATCH_AXIS = -1, UNIT_AXIS = -2;
    /** In an {@link Ints} shape: the batch size, unknown until run time. */
    long BATCH = Long.MIN_VALUE;

    /** A float constant. */
    record Floats(int[] shape, float[] data) implements OnnxValue {
        Tensor tensor() {
            return new Tensor(shape, data);
        }

        float only() {
            return data[0];
        }
    }

    /** An integer constant: a shape, indices, axes; {@link #BATCH} stands for the batch size in a shape. */
    record Ints(int[] shape, long[] data) implements OnnxValue {}

    /**
     * A tensor whose every element is {@code value}, of a shape that may hold the batch size
     * (ConstantOfShape, Expand): what PyTorch writes for an LSTM's zero initial state.
     */
    record Filled(float value) implements OnnxValue {}

    /**
     * A tensor the network computes: the nnet node {@code name}, one sample's shape {@code shape},
     * as ONNX sees it: per ONNX axis, the nnet axis it is, or {@link #BATCH_AXIS}, or
     * {@link #UNIT_AXIS}. Transposes, squeezes and the like change only {@code axes}; a layer
     * that reads the tensor needs the axes in nnet's order ({@link #batchFirst}). An LSTM's
     * outputs are written when first read ({@code name} null, {@code lstm} set): whether nnet
     * writes the whole sequence or the last step depends on what reads them.
     */
    record Computed(String name, int[] shape, int[] axes, OnnxLstmCall lstm) implements OnnxValue {
        Computed(String name, int[] shape) {
            this(name, shape, batchFirstAxes(shape.length), null);
        }

        static int[] batchFirstAxes(int rank) {
            int[] axes = new int[rank + 1];
            axes[0] = BATCH_AXIS;
            for (int k = 0; k < rank; k++) axes[k + 1] = k;
            return axes;
        }

        /** Whether the row-major order of the ONNX tensor is the batch, then nnet's order of the sample (axes of size 1 aside). */
        boolean batchFirst() {
            return Arrays.equals(Arrays.stream(axes).filter(a -> a != UNIT_AXIS).toArray(), batchFirstAxes(shape.length));
        }

        /** Whether the ONNX tensor is exactly {@code [N, ...shape]}. */
        boolean plain() {
            return Arrays.equals(axes, batchFirstAxes(shape.length));
        }

        Computed withAxes(int[] newAxes) {
            return new Computed(name, shape, newAxes, lstm);
        }

        /** The ONNX shape, {@link #BATCH} for the batch axis. */
        long[] onnxShape() {
            long[] s = new long[axes.length];
            for (int k = 0; k < axes.length; k++) s[k] = axes[k] == BATCH_AXIS ? BATCH : axes[k] == UNIT_AXIS ? 1 : shape[axes[k]];
            return s;
        }

        String describe() {
            long[] s = onnxShape();
            StringBuilder b = new StringBuilder("[");
            for (int k = 0; k < s.length; k++) b.append(k > 0 ? ", " : "").append(s[k] == BATCH ? "N" : Long.toString(s[k]));
            return b.append(']').toString();
        }
    }
}
