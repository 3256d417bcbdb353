package nnet.interchange.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;
import nnet.interchange.onnx.OnnxValue.Filled;
import nnet.interchange.onnx.OnnxValue.Floats;
import nnet.interchange.onnx.OnnxValue.Ints;

/**
 * Nodes whose inputs are all constants, evaluated at import time: the shape arithmetic PyTorch
 * leaves in a graph with a dynamic batch axis (Shape, Gather, Unsqueeze, Concat, ConstantOfShape,
 * ...) and arithmetic on weights (a mask multiplied into a kernel). The batch size is the symbol
 * {@link OnnxValue#BATCH}: it may be moved around, not computed with.
 */
final class OnnxConstants {
    private OnnxConstants() {}

    static final Set<String> FOLDED = Set.of("Identity", "Dropout", "Cast", "Gather", "Unsqueeze", "Squeeze", "Reshape", "Concat", "Slice",
            "ConstantOfShape", "Expand", "Add", "Sub", "Mul", "Div", "Neg", "Sqrt", "Transpose");

    /** Thrown for a constant the import cannot fold; the caller names the node. */
    static final class Unfoldable extends RuntimeException {
        Unfoldable(String why) {
            super(why, null, false, false);
        }
    }

    static OnnxValue fold(OnnxNode n, List<OnnxValue> in, int opset) {
        return switch (n.op()) {
            case "Identity", "Dropout" -> in.get(0);
            case "Cast" -> cast(in.get(0), n.integer("to", 1));
            case "Gather" -> gather(in.get(0), in.get(1), n.integer("axis", 0));
            case "Unsqueeze", "Squeeze" -> squeeze(n, in, opset);
            case "Reshape" -> reshape(in.get(0), ints(in.get(1)));
            case "Concat" -> concat(in);
            case "Slice" -> slice(n, in, opset);
            case "ConstantOfShape" -> filled(ints(in.get(0)), n.has("value") ? valueAttribute(n) : 0f);
            case "Expand" -> filled(ints(in.get(1)), single(in.get(0)));
            case "Neg" -> arithmetic(in.get(0), new Floats(new int[0], new float[] {-1}), (a, b) -> a * b);
            case "Sqrt" -> arithmetic(in.get(0), new Floats(new int[0], new float[] {0.5f}), Math::pow);
            case "Transpose" -> transpose(floats(in.get(0)), n.ints("perm", null));
            default -> arithmetic(in.get(0), in.get(1), switch (n.op()) {
                case "Add" -> Double::sum;
                case "Sub" -> (a, b) -> a - b;
                case "Mul" -> (a, b) -> a * b;
                default -> (a, b) -> a / b;
            });
        };
    }

    static long[] ints(OnnxValue v) {
        if (v instanceof Ints i) return i.data();
        throw new Unfoldable("expected integers, found " + kind(v));
    }

    static Floats floats(OnnxValue v) {
        if (v instanceof Floats f) return f;
        if (v instanceof Ints i) return new Floats(i.shape(), toFloats(i.data()));
        throw new Unfoldable("expected a constant tensor, found " + kind(v));
    }

    static String kind(OnnxValue v) {
        if (v instanceof Floats f) return "floats " + Arrays.toString(f.shape());
        if (v instanceof Ints i) return "integers " + Arrays.toString(i.shape());
        if (v instanceof OnnxValue.Computed c) return "a computed tensor " + c.describe();
        return "a filled tensor";
    }

    private static float[] toFloats(long[] v) {
        float[] f = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            if (v[k] == OnnxValue.BATCH) throw new Unfoldable("the batch size cannot become a float");
            f[k] = v[k];
        }
        return f;
    }

    private static OnnxValue cast(OnnxValue v, long to) {
        if (v instanceof Filled) return v;
        boolean toFloat = to == 1 || to == 10 || to == 11 || to == 16; // FLOAT, FLOAT16, DOUBLE, BFLOAT16
        if (toFloat) return floats(v);
        if (v instanceof Ints) return v;
        Floats f = floats(v);
        long[] out = new long[f.data().length];
        for (int k = 0; k < out.length; k++) out[k] = (long) f.data()[k];
        return new Ints(f.shape(), out);
    }

    private static OnnxValue gather(OnnxValue data, OnnxValue indices, long axis) {
        long[] idx = ints(indices);
        int[] idxShape = ((Ints) indices).shape();
        int[] shape = shapeOf(data);
        if (shape.length != 1 || axis != 0) throw new Unfoldable("gathers from a constant of " + shape.length + " axes; the import folds 1-axis constants (shapes)");
        if (data instanceof Ints i) {
            long[] out = new long[idx.length];
            for (int k = 0; k < idx.length; k++) out[k] = i.data()[index(idx[k], shape[0])];
            return new Ints(idxShape, out);
        }
        Floats f = floats(data);
        float[] out = new float[idx.length];
        for (int k = 0; k < idx.length; k++) out[k] = f.data()[index(idx[k], shape[0])];
        return new Floats(idxShape, out);
    }

    static int index(long i, int size) {
        long k = i < 0 ? i + size : i;
        if (k < 0 || k >= size) throw new Unfoldable("index " + i + " is outside an axis of size " + size);
        return (int) k;
    }

    private static OnnxValue squeeze(OnnxNode n, List<OnnxValue> in, int opset) {
        if (in.get(0) instanceof Filled) return in.get(0);
        long[] axes = axes(n, in, opset);
        int[] shape = shapeOf(in.get(0));
        List<Integer> out = new ArrayList<>();
        if (n.op().equals("Unsqueeze")) {
            int rank = shape.length + axes.length;
            boolean[] inserted = new boolean[rank];
            for (long a : axes) inserted[(int) (a < 0 ? a + rank : a)] = true;
            for (int k = 0, s = 0; k < rank; k++) out.add(inserted[k] ? 1 : shape[s++]);
        } else {
            for (int k = 0; k < shape.length; k++) {
                final int axis = k;
                boolean listed = axes == null ? shape[k] == 1 : Arrays.stream(axes).anyMatch(a -> (a < 0 ? a + shape.length : a) == axis);
                if (!listed) out.add(shape[k]);
            }
        }
        return withShape(in.get(0), out.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Squeeze's and Unsqueeze's axes: an attribute before opset 13, an input since. */
    static long[] axes(OnnxNode n, List<OnnxValue> in, int opset) {
        if (opset < 13 || n.has("axes")) return n.ints("axes", null);
        return in.size() > 1 && in.get(1) != null ? ints(in.get(1)) : null;
    }

    private static OnnxValue reshape(OnnxValue v, long[] target) {
        int[] shape = shapeOf(v);
        long size = nnet.runtime.Tensor.size(shape), known = 1;
        int[] out = new int[target.length];
        int unknown = -1;
        for (int k = 0; k < target.length; k++) {
            if (target[k] == -1) unknown = k;
            else {
                out[k] = (int) (target[k] == 0 ? shape[k] : target[k]);
                known *= out[k];
            }
        }
        if (unknown >= 0) out[unknown] = (int) (size / known);
        return withShape(v, out);
    }

    private static OnnxValue concat(List<OnnxValue> in) {
        if (in.stream().allMatch(v -> v instanceof Ints)) {
            long[] out = in.stream().flatMapToLong(v -> Arrays.stream(((Ints) v).data())).toArray();
            return new Ints(new int[] {out.length}, out);
        }
        List<Floats> fs = in.stream().map(OnnxConstants::floats).toList();
        if (fs.stream().anyMatch(f -> f.shape().length != 1)) throw new Unfoldable("concatenates constants of several axes; the import folds 1-axis constants");
        float[] out = new float[fs.stream().mapToInt(f -> f.data().length).sum()];
        int at = 0;
        for (Floats f : fs) {
            System.arraycopy(f.data(), 0, out, at, f.data().length);
            at += f.data().length;
        }
        return new Floats(new int[] {out.length}, out);
    }

    private static OnnxValue slice(OnnxNode n, List<OnnxValue> in, int opset) {
        if (in.get(0) instanceof Filled) return in.get(0);
        long[] starts = opset < 10 ? n.ints("starts", null) : ints(in.get(1)), ends = opset < 10 ? n.ints("ends", null) : ints(in.get(2));
        long[] axes = opset < 10 ? n.ints("axes", null) : in.size() > 3 && in.get(3) != null ? ints(in.get(3)) : null;
        long[] steps = in.size() > 4 && in.get(4) != null ? ints(in.get(4)) : null;
        int[] shape = shapeOf(in.get(0));
        if (shape.length != 1 || starts.length != 1 || (axes != null && axes[0] != 0 && axes[0] != -1) || (steps != null && steps[0] != 1))
            throw new Unfoldable("slices a constant of " + shape.length + " axes or with a step; the import folds slices of 1-axis constants");
        int size = shape[0];
        int from = (int) Math.max(0, Math.min(size, starts[0] < 0 ? starts[0] + size : starts[0]));
        int to = (int) Math.max(from, Math.min(size, ends[0] < 0 ? ends[0] + size : ends[0]));
        if (in.get(0) instanceof Ints i) return new Ints(new int[] {to - from}, Arrays.copyOfRange(i.data(), from, to));
        return new Floats(new int[] {to - from}, Arrays.copyOfRange(floats(in.get(0)).data(), from, to));
    }

    private static float valueAttribute(OnnxNode n) {
        var t = n.attributes().get("value").getT();
        if (!t.getRawData().isEmpty())
            return t.getDataType() == 1 ? t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat()
                    : t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        return t.getFloatDataCount() > 0 ? t.getFloatData(0) : t.getInt64DataCount() > 0 ? t.getInt64Data(0) : 0;
    }

    /** A tensor of {@code value}: {@link Filled} when its shape holds the batch size, else floats. */
    private static OnnxValue filled(long[] shape, float value) {
        if (Arrays.stream(shape).anyMatch(d -> d == OnnxValue.BATCH)) return new Filled(value);
        int[] dims = Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
        float[] data = new float[Math.toIntExact(nnet.runtime.Tensor.size(dims))];
        Arrays.fill(data, value);
        return new Floats(dims, data);
    }

    private static float single(OnnxValue v) {
        if (v instanceof Filled f) return f.value();
        Floats f = floats(v);
        if (f.data().length != 1) throw new Unfoldable("expands a constant of " + f.data().length + " values; the import folds one value expanded");
        return f.only();
    }

    /** Elementwise arithmetic on two constants of equal shapes, or one of them a single value. */
    private static OnnxValue arithmetic(OnnxValue a, OnnxValue b, DoubleBinaryOperator op) {
        if (a instanceof Filled x && (b instanceof Filled || b instanceof Floats f && f.data().length == 1))
            return new Filled((float) op.applyAsDouble(x.value(), single(b)));
        if (b instanceof Filled y && a instanceof Floats f && f.data().length == 1) return new Filled((float) op.applyAsDouble(f.only(), y.value()));
        if (a instanceof Ints x && b instanceof Ints y && sameOrSingle(x.shape(), y.shape())) {
            long[] out = new long[Math.max(x.data().length, y.data().length)];
            for (int k = 0; k < out.length; k++) {
                long p = x.data()[x.data().length == 1 ? 0 : k], q = y.data()[y.data().length == 1 ? 0 : k];
                if (p == OnnxValue.BATCH || q == OnnxValue.BATCH) throw new Unfoldable("computes with the batch size, which nnet does not know at import time");
                out[k] = (long) op.applyAsDouble(p, q);
            }
            return new Ints(x.data().length >= y.data().length ? x.shape() : y.shape(), out);
        }
        Floats x = floats(a), y = floats(b);
        if (!sameOrSingle(x.shape(), y.shape()))
            throw new Unfoldable("broadcasts constants of shapes " + Arrays.toString(x.shape()) + " and " + Arrays.toString(y.shape()) + "; the import folds equal shapes or a single value");
        float[] out = new float[Math.max(x.data().length, y.data().length)];
        for (int k = 0; k < out.length; k++)
            out[k] = (float) op.applyAsDouble(x.data()[x.data().length == 1 ? 0 : k], y.data()[y.data().length == 1 ? 0 : k]);
        return new Floats(x.data().length >= y.data().length ? x.shape() : y.shape(), out);
    }

    private static boolean sameOrSingle(int[] a, int[] b) {
        return Arrays.equals(a, b) || nnet.runtime.Tensor.size(a) == 1 || nnet.runtime.Tensor.size(b) == 1;
    }

    /** A constant's axes permuted ({@code perm} absent: reversed, as ONNX says). */
    static Floats transpose(Floats f, long[] perm) {
        int[] s = f.shape();
        int rank = s.length;
        int[] p = new int[rank];
        for (int k = 0; k < rank; k++) p[k] = perm == null ? rank - 1 - k : (int) perm[k];
        int[] out = new int[rank], strides = new int[rank];
        for (int k = rank - 1, st = 1; k >= 0; st *= s[k], k--) strides[k] = st;
        for (int k = 0; k < rank; k++) out[k] = s[p[k]];
        float[] data = new float[f.data().length];
        int[] at = new int[rank];
        for (int i = 0; i < data.length; i++) {
            int from = 0;
            for (int k = 0; k < rank; k++) from += at[k] * strides[p[k]];
            data[i] = f.data()[from];
            for (int k = rank - 1; k >= 0 && ++at[k] == out[k]; k--) at[k] = 0;
        }
        return new Floats(out, data);
    }

    static int[] shapeOf(OnnxValue v) {
        if (v instanceof Floats f) return f.shape();
        if (v instanceof Ints i) return i.shape();
        throw new Unfoldable("expected a constant, found " + kind(v));
    }

    private static OnnxValue withShape(OnnxValue v, int[] shape) {
        if (v instanceof Ints i) return new Ints(shape, i.data());
        return new Floats(shape, floats(v).data());
    }
}
