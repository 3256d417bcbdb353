package nnet.interchange.onnx;

import static nnet.interchange.onnx.OnnxValue.BATCH_AXIS;
import static nnet.interchange.onnx.OnnxValue.UNIT_AXIS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nnet.interchange.onnx.OnnxValue.Computed;
import nnet.interchange.onnx.OnnxValue.Filled;
import nnet.interchange.onnx.OnnxValue.Floats;
import nnet.interchange.onnx.OnnxValue.Ints;
import nnet.runtime.Tensor;

/**
 * An ONNX LSTM node (one direction, ONNX's default activations, zero initial state) on its way to
 * an nnet {@code lstm}. Its outputs Y (every step, {@code [T, 1, N, u]}) and Y_h (the last step,
 * {@code [1, N, u]}) are one nnet statement, {@code sequences: true} or not, so it is written
 * when the first of them is read: PyTorch's {@code out[:, -1, :]} reads the last step of Y, which
 * is then Y_h. Reading both is an error. Weights go from ONNX's gate order i, o, f, c and its
 * two biases to nnet's (Keras') i, f, c, o and one bias ({@link OnnxLstm#kerasGates}).
 */
final class OnnxLstmCall {
    private final OnnxImport k;
    private final OnnxNode node;
    private final Computed x;
    private final int units;
    private final Tensor kernel, recurrent, bias;
    private String written;
    private boolean writtenSequences;

    private OnnxLstmCall(OnnxImport k, OnnxNode node, Computed x, int units, Tensor kernel, Tensor recurrent, Tensor bias) {
        this.k = k;
        this.node = node;
        this.x = x;
        this.units = units;
        this.kernel = kernel;
        this.recurrent = recurrent;
        this.bias = bias;
    }

    /** The node's outputs Y and Y_h, deferred; its cell state Y_c is not imported. */
    static List<OnnxValue> outputs(OnnxImport k, OnnxNode n, List<OnnxValue> in) {
        Computed x = k.computed(n, in, 0);
        boolean batchFirst = n.integer("layout", 0) == 1;
        int[] expected = batchFirst ? new int[] {BATCH_AXIS, 0, 1} : new int[] {0, BATCH_AXIS, 1};
        if (x.shape().length != 2 || !Arrays.equals(x.axes(), expected))
            throw k.error(n, "its input " + x.describe() + " is not a sequence " + (batchFirst ? "[N, T, F]" : "[T, N, F]") + " of nnet's samples [T, F]");
        if (!n.text("direction", "forward").equals("forward")) throw k.error(n, "direction " + n.text("direction", "") + " is not supported (nnet's lstm runs forward)");
        if (n.has("clip") || n.integer("input_forget", 0) != 0) throw k.error(n, "clip and input_forget are not supported");
        if (n.has("activations")) {
            List<String> acts = n.attributes().get("activations").getStringsList().stream().map(s -> s.toStringUtf8()).toList();
            if (!acts.equals(List.of("Sigmoid", "Tanh", "Tanh"))) throw k.error(n, "activations " + acts + " are not supported (nnet's lstm has Sigmoid, Tanh, Tanh)");
        }
        int u = (int) n.integer("hidden_size", -1), f = x.shape()[1], t = x.shape()[0];
        Floats w = k.weights(n, in, 1), r = k.weights(n, in, 2);
        if (!Arrays.equals(w.shape(), new int[] {1, 4 * u, f}) || !Arrays.equals(r.shape(), new int[] {1, 4 * u, u}))
            throw k.error(n, "its weights " + Arrays.toString(w.shape()) + " and " + Arrays.toString(r.shape()) + " do not fit hidden_size " + u + " and " + f + " features");
        Tensor bias = null;
        if (in.size() > 3 && in.get(3) != null) {
            Floats b = k.weights(n, in, 3);
            if (b.data().length != 8 * u) throw k.error(n, "its bias has " + b.data().length + " values, not 8 x " + u);
            float[] sum = new float[4 * u];
            for (int i = 0; i < 4 * u; i++) sum[i] = b.data()[i] + b.data()[4 * u + i]; // nnet has one bias: ONNX's input and recurrent biases added
            bias = new Tensor(new int[] {4 * u}, OnnxLstm.kerasGates(sum, 1, u));
        }
        if (in.size() > 4 && in.get(4) instanceof Ints lens && Arrays.stream(lens.data()).anyMatch(l -> l != t))
            throw k.error(n, "its sequence_lens differ from the sequence's length " + t + "; nnet's lstm runs every step");
        if (in.size() > 4 && in.get(4) instanceof Computed) throw k.error(n, "its sequence_lens are computed; nnet's lstm runs every step");
        for (int s = 5; s < 7; s++)
            if (in.size() > s && in.get(s) != null && !zero(in.get(s)))
                throw k.error(n, "it starts from a " + (s == 5 ? "hidden" : "cell") + " state that is not zero; nnet's lstm starts from zeros");
        Tensor kernel = new Tensor(new int[] {f, 4 * u}, OnnxLstm.kerasGates(w.data(), f, u)), rec = new Tensor(new int[] {u, 4 * u}, OnnxLstm.kerasGates(r.data(), u, u));
        OnnxLstmCall call = new OnnxLstmCall(k, n, x, u, kernel, rec, bias);
        List<OnnxValue> out = new ArrayList<>();
        out.add(new Computed(null, new int[] {t, u}, batchFirst ? new int[] {BATCH_AXIS, 0, UNIT_AXIS, 1} : new int[] {0, UNIT_AXIS, BATCH_AXIS, 1}, call));
        out.add(new Computed(null, new int[] {u}, batchFirst ? new int[] {BATCH_AXIS, UNIT_AXIS, 0} : new int[] {UNIT_AXIS, BATCH_AXIS, 0}, call));
        return out;
    }

    private static boolean zero(OnnxValue v) {
        if (v instanceof Filled f) return f.value() == 0;
        if (v instanceof Floats f) {
            for (float x : f.data()) if (x != 0) return false;
            return true;
        }
        return false;
    }

    /** Writes the statement for the sequence ({@code sequences: true}) or the last step, once; returns its name. */
    String write(boolean sequences) {
        if (written != null) {
            if (writtenSequences != sequences) throw k.error(node, "the model reads both its whole sequence and its last step; nnet's lstm gives one of the two");
            return written;
        }
        written = k.statementName(node, node);
        writtenSequences = sequences;
        k.net.weight(written + ".kernel", kernel);
        k.net.weight(written + ".recurrent_kernel", recurrent);
        if (bias != null) k.net.weight(written + ".bias", bias);
        k.net.line(written + " = lstm(" + x.name() + ", " + units + (sequences ? ", sequences: true" : "") + (bias == null ? ", bias: false" : "") + ")");
        return written;
    }
}
