package nnet.interchange.onnx;

import static nnet.interchange.onnx.OnnxValue.BATCH;
import static nnet.interchange.onnx.OnnxValue.BATCH_AXIS;
import static nnet.interchange.onnx.OnnxValue.UNIT_AXIS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nnet.interchange.onnx.OnnxValue.Computed;
import nnet.interchange.onnx.OnnxValue.Ints;

/**
 * ONNX nodes that change a computed tensor's shape. Transpose, Squeeze, Unsqueeze and Gather (of
 * an axis of size 1, or an LSTM's last step) write no statement: they change how ONNX sees the
 * axes of the same nnet node ({@link Computed#axes}), as PyTorch's batch-first LSTM does around
 * ONNX's time-major one. Flatten, Reshape and Concat need the tensor in nnet's order and become
 * {@code flatten}, {@code reshape} and {@code concat}; a Pad of zeros is nothing.
 */
final class OnnxViews {
    private OnnxViews() {}

    static Computed view(OnnxImport k, OnnxNode n, List<OnnxValue> in, int opset) {
        if (!(in.get(0) instanceof Computed x)) throw k.error(n, "input 0 is " + OnnxConstants.kind(in.get(0)) + ", where a computed tensor was expected");
        int[] axes = x.axes();
        return switch (n.op()) {
            case "Transpose" -> {
                long[] perm = n.ints("perm", null);
                int[] out = new int[axes.length];
                for (int a = 0; a < axes.length; a++) out[a] = axes[perm == null ? axes.length - 1 - a : (int) perm[a]];
                yield x.withAxes(out);
            }
            case "Unsqueeze" -> {
                long[] listed = OnnxConstants.axes(n, in, opset);
                int rank = axes.length + listed.length;
                boolean[] inserted = new boolean[rank];
                for (long a : listed) inserted[(int) (a < 0 ? a + rank : a)] = true;
                int[] out = new int[rank];
                for (int a = 0, s = 0; a < rank; a++) out[a] = inserted[a] ? UNIT_AXIS : axes[s++];
                yield x.withAxes(out);
            }
            case "Squeeze" -> {
                long[] listed = OnnxConstants.axes(n, in, opset);
                List<Integer> out = new ArrayList<>();
                for (int a = 0; a < axes.length; a++) {
                    final int axis = a;
                    boolean squeezed = listed == null ? axes[a] == UNIT_AXIS : Arrays.stream(listed).anyMatch(l -> (l < 0 ? l + axes.length : l) == axis);
                    if (squeezed && axes[a] != UNIT_AXIS)
                        throw k.error(n, "it squeezes axis " + a + " of " + x.describe() + ", which nnet holds as part of the sample; nnet squeezes only axes it does not have");
                    if (!squeezed) out.add(axes[a]);
                }
                yield x.withAxes(out.stream().mapToInt(Integer::intValue).toArray());
            }
            default -> gather(k, n, x, in.get(1));
        };
    }

    /** Taking index 0 of an axis of size 1, or the last step of an LSTM's sequence (PyTorch's {@code out[:, -1, :]}). */
    private static Computed gather(OnnxImport k, OnnxNode n, Computed x, OnnxValue indices) {
        int axis = (int) n.integer("axis", 0);
        int[] axes = x.axes();
        if (axis < 0) axis += axes.length;
        if (!(indices instanceof Ints i) || i.shape().length != 0)
            throw k.error(n, "it gathers from a computed tensor with indices that are not one constant number; nnet cannot select elements");
        long index = i.data()[0];
        int[] rest = new int[axes.length - 1];
        for (int a = 0, r = 0; a < axes.length; a++) if (a != axis) rest[r++] = axes[a];
        if (axes[axis] == UNIT_AXIS && (index == 0 || index == -1)) return x.withAxes(rest);
        boolean lastStep = x.lstm() != null && x.shape().length == 2 && axes[axis] == 0 && OnnxConstants.index(index, x.shape()[0]) == x.shape()[0] - 1;
        if (!lastStep) throw k.error(n, "it takes element " + index + " of axis " + axis + " of " + x.describe() + "; nnet imports only taking an LSTM's last step");
        for (int r = 0; r < rest.length; r++) if (rest[r] == 1) rest[r] = 0; // the sequence [T, u] becomes the last step [u]
        return new Computed(null, new int[] {x.shape()[1]}, rest, x.lstm());
    }

    static OnnxValue reshaping(OnnxImport k, OnnxNode n, List<OnnxValue> in, int opset) {
        if (n.op().equals("Concat")) return concat(k, n, in);
        Computed x = k.computed(n, in, 0);
        if (n.op().equals("Pad")) {
            long[] pads = opset < 11 ? n.ints("pads", null) : OnnxConstants.ints(in.get(1));
            if (!n.text("mode", "constant").equals("constant") || Arrays.stream(pads).anyMatch(p -> p != 0))
                throw k.error(n, "it pads " + x.describe() + " by " + Arrays.toString(pads) + "; nnet pads only inside conv2d (pad: same)");
            return x;
        }
        if (!x.batchFirst()) throw k.error(n, "it reads " + x.describe() + " with its axes permuted (a Transpose) from the order nnet computes; nnet cannot reorder a tensor's axes");
        int size = Arrays.stream(x.shape()).reduce(1, (a, b) -> a * b);
        int[] target;
        if (n.op().equals("Flatten")) {
            long axis = n.integer("axis", 1);
            if (axis != 1 && axis != 1 - x.axes().length) throw k.error(n, "it flattens from axis " + axis + "; nnet flattens everything but the batch (axis 1)");
            target = new int[] {size};
        } else {
            if (!(in.get(1) instanceof Ints shape)) throw k.error(n, "its target shape is computed at run time; nnet's shapes are static");
            target = sampleShape(k, n, x, shape.data(), size);
        }
        if (Arrays.equals(target, x.shape())) return new Computed(x.name(), x.shape());
        String expr = target.length == 1 ? "flatten(" + x.name() + ")" : "reshape(" + x.name() + ", " + Arrays.toString(target) + ")";
        if (target.length > 3) throw k.error(n, "it reshapes into " + Arrays.toString(target) + "; nnet's tensors have at most 3 axes beside the batch");
        return k.bind(n, n, expr, target, Computed.batchFirstAxes(target.length));
    }

    /** Reshape's target without its batch axis: 0 copies the input's size there, -1 is inferred. */
    private static int[] sampleShape(OnnxImport k, OnnxNode n, Computed x, long[] target, int size) {
        long[] onnx = x.onnxShape();
        if (target.length < 2 || !(target[0] == BATCH || target[0] == 0 || target[0] == -1))
            throw k.error(n, "it reshapes " + x.describe() + " into " + Arrays.toString(target) + ", not keeping the batch as axis 0");
        int[] out = new int[target.length - 1];
        int unknown = -1, known = 1;
        for (int a = 1; a < target.length; a++) {
            long t = target[a] == 0 && n.integer("allowzero", 0) == 0 ? onnx[a] : target[a];
            if (t == -1 && target[0] != -1 && unknown < 0) unknown = a - 1;
            else if (t < 1) throw k.error(n, "it reshapes " + x.describe() + " into " + Arrays.toString(target) + ", which nnet cannot size without the batch");
            else known *= (out[a - 1] = (int) t);
        }
        if (unknown >= 0) out[unknown] = size / known;
        if (Arrays.stream(out).reduce(1, (a, b) -> a * b) != size)
            throw k.error(n, "it reshapes " + x.describe() + " (" + size + " values a sample) into " + Arrays.toString(target));
        return out;
    }

    private static Computed concat(OnnxImport k, OnnxNode n, List<OnnxValue> in) {
        List<Computed> xs = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) xs.add(k.computed(n, in, i));
        Computed first = xs.get(0);
        int axis = (int) n.integer("axis", 0);
        if (axis < 0) axis += first.axes().length;
        int along = first.axes()[axis];
        if (along < 0) throw k.error(n, "it concatenates along axis " + axis + " of " + first.describe() + ", " + (along == BATCH_AXIS ? "the batch" : "an axis nnet does not hold"));
        int[] shape = first.shape().clone();
        shape[along] = 0;
        for (Computed c : xs) {
            int[] s = c.shape().clone();
            shape[along] += s[along];
            s[along] = first.shape()[along];
            if (!Arrays.equals(c.axes(), first.axes()) || !Arrays.equals(s, first.shape()))
                throw k.error(n, "its inputs " + first.describe() + " and " + c.describe() + " differ beside axis " + axis);
        }
        return k.bind(n, n, "concat(" + String.join(", ", xs.stream().map(Computed::name).toList()) + ", axis: " + along + ")", shape, first.axes());
    }
}
