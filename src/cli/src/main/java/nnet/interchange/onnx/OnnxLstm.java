package nnet.interchange.onnx;

import static nnet.interchange.onnx.OnnxGraphWriter.integer;
import static nnet.interchange.onnx.OnnxGraphWriter.ints;

import java.util.function.Function;
import nnet.ir.LstmSpec;
import nnet.ir.Param;

/**
 * An lstm as ONNX's LSTM operator. nnet keeps Keras' layout: kernel {@code [F, 4u]}, recurrent
 * kernel {@code [u, 4u]}, bias {@code [4u]}, gates i, f, c, o along the columns. ONNX wants
 * {@code W [1, 4u, F]}, {@code R [1, 4u, u]} (transposed, one direction) with gates i, o, f, c,
 * and {@code B [1, 8u]}: the input bias then the recurrent bias (here 0, as Keras has one bias).
 * ONNX's default activations (sigmoid for gates, tanh for cell and output) and zero initial state
 * are Keras'. The operator works time-major, so the batch-major input is transposed around it.
 */
final class OnnxLstm {
    private OnnxLstm() {}

    /** ONNX's gate k (i, o, f, c) is Keras' gate KERAS_GATE[k] (i, f, c, o). */
    private static final int[] KERAS_GATE = {0, 3, 1, 2};

    /**
     * @param x      the input {@code [N, T, F]}
     * @param values a param's values with 0 at absent entries
     * @return {@code out}: {@code [N, T, u]} with {@code sequences: true}, else {@code [N, u]}
     */
    static String write(OnnxGraphWriter w, LstmSpec l, String x, Function<Param, float[]> values, String out) {
        int u = l.units(), f = l.kernel().shape().dim(0);
        String w4 = w.floats(l.kernel().name(), new int[] {1, 4 * u, f}, gatesTransposed(values.apply(l.kernel()), f, u));
        String r4 = w.floats(l.recurrent().name(), new int[] {1, 4 * u, u}, gatesTransposed(values.apply(l.recurrent()), u, u));
        String b = "";
        if (l.bias() != null) {
            float[] keras = values.apply(l.bias()), onnx = new float[8 * u];
            for (int g = 0; g < 4; g++) System.arraycopy(keras, KERAS_GATE[g] * u, onnx, g * u, u);
            b = w.floats(l.bias().name(), new int[] {1, 8 * u}, onnx);
        }
        String timeMajor = w.temp("Transpose", out + "_time_major", new String[] {x}, ints("perm", 1, 0, 2));
        String[] results = w.node("LSTM", new String[] {w.fresh(out + "_Y"), w.fresh(out + "_Y_h")}, new String[] {timeMajor, w4, r4, b},
                integer("hidden_size", u));
        if (!l.sequences()) return w.reshape(results[1], new int[] {u}, out); // Y_h [1, N, u]
        int t = -1; // the time axis is known from the input; Reshape infers it
        String batchMajor = w.temp("Transpose", out + "_batch_major", new String[] {results[0]}, ints("perm", 2, 0, 1, 3)); // Y [T, 1, N, u] -> [N, T, 1, u]
        return w.node("Reshape", out, new String[] {batchMajor, w.longs(out + "_shape", 0, t, u)});
    }

    /** ONNX {@code [4u, rows]} (gates i, o, f, c) into Keras {@code [rows, 4u]} (gates i, f, c, o): the inverse of {@link #gatesTransposed}. */
    static float[] kerasGates(float[] onnx, int rows, int u) {
        float[] keras = new float[4 * u * rows];
        for (int g = 0; g < 4; g++)
            for (int j = 0; j < u; j++)
                for (int r = 0; r < rows; r++) keras[r * 4 * u + KERAS_GATE[g] * u + j] = onnx[(g * u + j) * rows + r];
        return keras;
    }

    /** Keras {@code [rows, 4u]} (gates i, f, c, o) into ONNX {@code [4u, rows]} (gates i, o, f, c). */
    private static float[] gatesTransposed(float[] keras, int rows, int u) {
        float[] onnx = new float[4 * u * rows];
        for (int g = 0; g < 4; g++)
            for (int j = 0; j < u; j++)
                for (int r = 0; r < rows; r++) onnx[(g * u + j) * rows + r] = keras[r * 4 * u + KERAS_GATE[g] * u + j];
        return onnx;
    }
}
