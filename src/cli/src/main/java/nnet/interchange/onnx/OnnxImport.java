package nnet.interchange.onnx;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import nnet.interchange.ImportedNetwork;
import nnet.interchange.onnx.OnnxConstants.Unfoldable;
import nnet.interchange.onnx.OnnxValue.Computed;
import nnet.interchange.onnx.OnnxValue.Filled;
import nnet.interchange.onnx.OnnxValue.Floats;
import nnet.interchange.onnx.OnnxValue.Ints;
import nnet.runtime.UserError;

/**
 * An ONNX model, as {@code torch.onnx.export} writes it, as an equivalent {@code .nnet} network
 * and its weights (LANGUAGE.md §6). The graph is walked in its order: constants (initializers,
 * Constant nodes and the shape arithmetic PyTorch leaves for a dynamic batch axis) are folded at
 * import time; a node on computed tensors becomes one statement (Gemm, MatMul with its bias Add,
 * Conv, pools, BatchNormalization, LayerNormalization, activations, arithmetic, Concat, Flatten, Reshape, LSTM) or none (Identity,
 * Dropout, Transpose, Squeeze: they only change how ONNX sees a tensor's axes, see
 * {@link Computed}). ONNX's batch axis is implicit in nnet, which holds one sample's shape. An
 * operator nnet cannot express is an error naming the node and its operator.
 */
public final class OnnxImport {
    private final OnnxFile file;
    final ImportedNetwork net = new ImportedNetwork();
    private final Map<String, OnnxValue> values = new HashMap<>();
    private final Map<String, List<OnnxNode>> readers = new HashMap<>();
    private final Map<String, OnnxNode> producers = new HashMap<>();
    /** Nodes already translated as part of an earlier one (a bias Add into its MatMul). */
    private final Set<OnnxNode> absorbed = new HashSet<>();
    /** The statement named after each graph output. */
    private final Map<String, String> outputStatements = new HashMap<>();
    private final OnnxLayers layers = new OnnxLayers(this);

    private OnnxImport(OnnxFile file) {
        this.file = file;
    }

    public static ImportedNetwork.Result of(Path path) {
        return new OnnxImport(OnnxFile.open(path)).translate();
    }

    private ImportedNetwork.Result translate() {
        values.putAll(file.initializers);
        List<OnnxNode> nodes = OnnxGelu.rewrite(file.nodes, this::scalarConstant);
        for (OnnxNode n : nodes) {
            for (String in : n.inputs()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            for (String out : n.outputs()) producers.put(out, n);
        }
        for (OnnxFile.Input in : file.inputs) input(in);
        for (OnnxNode n : nodes) {
            if (absorbed.contains(n)) continue;
            List<OnnxValue> in = new ArrayList<>();
            for (String name : n.inputs()) in.add(name.isEmpty() ? null : value(name, n));
            List<OnnxValue> out;
            try {
                out = node(n, in);
            } catch (Unfoldable e) {
                throw error(n, e.getMessage());
            }
            for (int k = 0; k < out.size() && k < n.outputs().size(); k++) if (out.get(k) != null) values.put(n.outputs().get(k), out.get(k));
        }
        List<String> outs = new ArrayList<>();
        for (String o : file.outputs) outs.add(output(o));
        String graph = file.model.getGraph().getName();
        return net.finish(Path.of(file.name).getFileName() + " (" + file.producer() + ")", graph.isEmpty() || graph.startsWith("torch") ? "Imported" : graph, outs);
    }

    private void input(OnnxFile.Input in) {
        long[] d = in.dims();
        if (d.length < 2 || d.length > 4)
            throw new UserError(file.name + ": input '" + in.name() + "' has " + d.length + " axes; nnet takes [N, features], [N, T, F] and images [N, C, H, W] (axis 0 is the batch)");
        int[] shape = Arrays.stream(d, 1, d.length).mapToInt(Math::toIntExact).toArray();
        String name = net.name(in.name());
        net.line("input " + name + Arrays.toString(shape));
        values.put(in.name(), new Computed(name, shape));
    }

    private String output(String o) {
        OnnxValue v = values.get(o);
        if (!(v instanceof Computed c0)) throw new UserError(file.name + ": output '" + o + "' is " + (v == null ? "not computed by any node" : "a constant") + "; nnet's outputs are computed");
        Computed c = resolve(c0);
        if (!c.batchFirst())
            throw new UserError(file.name + ": output '" + o + "' " + c.describe() + " has its axes permuted (a Transpose) from the order nnet computes; nnet cannot reorder a tensor's axes");
        if (c.name().equals(outputStatements.get(o))) return c.name();
        String alias = net.fresh(o);
        net.line(alias + " = " + c.name());
        return alias;
    }

    /** The ONNX nodes' translations; each returns the values of the node's outputs, in order. */
    private List<OnnxValue> node(OnnxNode n, List<OnnxValue> in) {
        switch (n.op()) {
            case "Constant" -> {
                return List.of(constantNode(n));
            }
            case "Shape" -> {
                return List.of(shape(in.get(0)));
            }
            case "LSTM" -> {
                return OnnxLstmCall.outputs(this, n, in);
            }
            default -> {
            }
        }
        if (OnnxConstants.FOLDED.contains(n.op()) && in.stream().noneMatch(v -> v instanceof Computed)) return List.of(OnnxConstants.fold(n, in, file.opset));
        return List.of(switch (n.op()) {
            case "Identity", "Dropout" -> in.get(0);
            case "Relu", "Sigmoid", "Tanh" -> unary(n, in, n.op().toLowerCase() + "(%s)");
            case "LeakyRelu" -> unary(n, in, "leaky_relu(%s, " + literal(n, n.real("alpha", 0.01f)) + ")");
            case "Neg" -> unary(n, in, "-%s");
            case "Gelu" -> gelu(n, in);
            case "Softmax" -> softmax(n, in);
            case "Add", "Sub", "Mul", "Div" -> arithmetic(n, in);
            case "Transpose", "Squeeze", "Unsqueeze", "Gather" -> OnnxViews.view(this, n, in, file.opset);
            case "Flatten", "Reshape", "Concat", "Pad" -> OnnxViews.reshaping(this, n, in, file.opset);
            case "Gemm" -> layers.gemm(n, in);
            case "MatMul" -> layers.matmul(n, in);
            case "Conv" -> layers.conv(n, in);
            case "MaxPool", "AveragePool" -> layers.pool(n, in);
            case "BatchNormalization" -> layers.batchnorm(n, in);
            case "LayerNormalization" -> layers.layernorm(n, in);
            default -> throw error(n, "the operator " + n.op() + " is not supported; nnet imports Gemm, MatMul, Add, Sub, Mul, Div, Neg, Conv, MaxPool, AveragePool, BatchNormalization, LayerNormalization,"
                    + " Flatten, Reshape, Concat, Relu, Sigmoid, Tanh, Softmax, LeakyRelu, Gelu (and its erf form), LSTM, Identity, Dropout, Transpose, Squeeze,"
                    + " Unsqueeze, Gather, Pad (of zeros) and constant arithmetic");
        });
    }

    private OnnxValue constantNode(OnnxNode n) {
        if (n.has("value")) return file.constant(n.attributes().get("value").getT(), n.describe());
        if (n.has("value_float")) return new Floats(new int[0], new float[] {n.real("value_float", 0)});
        if (n.has("value_int")) return new Ints(new int[0], new long[] {n.integer("value_int", 0)});
        if (n.has("value_floats")) {
            List<Float> f = n.attributes().get("value_floats").getFloatsList();
            float[] v = new float[f.size()];
            for (int k = 0; k < v.length; k++) v[k] = f.get(k);
            return new Floats(new int[] {v.length}, v);
        }
        if (n.has("value_ints")) return new Ints(new int[] {n.ints("value_ints", null).length}, n.ints("value_ints", null));
        throw error(n, "a Constant without a numeric value is not supported");
    }

    private static Ints shape(OnnxValue v) {
        long[] s = v instanceof Computed c ? c.onnxShape() : Arrays.stream(OnnxConstants.shapeOf(v)).asLongStream().toArray();
        return new Ints(new int[] {s.length}, s);
    }

    private Computed unary(OnnxNode n, List<OnnxValue> in, String pattern) {
        Computed x = computed(n, in, 0);
        return bind(n, n, String.format(pattern, x.name()), x.shape(), x.axes());
    }

    private Computed gelu(OnnxNode n, List<OnnxValue> in) {
        if (!n.text("approximate", "none").equals("tanh"))
            net.note(n.describe() + " is the exact GELU (erf; PyTorch writes it as Div, Erf, Add, Mul, Mul); nnet's gelu is the tanh approximation,"
                    + " which differs from it by up to about 5e-4");
        return unary(n, in, "gelu(%s)");
    }

    /** nnet's softmax is over the last axis: ONNX's axis (before opset 13, the axes from it on) must be that one, beside axes of size 1. */
    private Computed softmax(OnnxNode n, List<OnnxValue> in) {
        Computed x = computed(n, in, 0);
        int rank = x.axes().length, axis = (int) n.integer("axis", file.opset >= 13 ? -1 : 1);
        if (axis < 0) axis += rank;
        int last = x.shape().length - 1, from = axis, to = file.opset >= 13 ? axis : rank - 1;
        boolean overLast = x.axes()[axis] == last || x.axes()[axis] == OnnxValue.UNIT_AXIS;
        boolean others = IntStream.rangeClosed(from, to).allMatch(k -> x.axes()[k] == last || x.axes()[k] == OnnxValue.UNIT_AXIS);
        boolean lastInside = IntStream.rangeClosed(from, to).anyMatch(k -> x.axes()[k] == last);
        if (!overLast || !others || !lastInside)
            throw error(n, "a softmax over axis " + axis + " of " + x.describe() + " is not over the last axis of the sample, the one nnet's softmax normalizes");
        return bind(n, n, "softmax(" + x.name() + ")", x.shape(), x.axes());
    }

    /** Add, Sub, Mul, Div: of two computed tensors of one shape, or of one and a single number. */
    private Computed arithmetic(OnnxNode n, List<OnnxValue> in) {
        String op = switch (n.op()) {
            case "Add" -> " + ";
            case "Sub" -> " - ";
            case "Mul" -> " * ";
            default -> " / ";
        };
        if (in.get(0) instanceof Computed && in.get(1) instanceof Computed) {
            Computed a = computed(n, in, 0), b = computed(n, in, 1);
            if (!Arrays.equals(a.shape(), b.shape()) || !Arrays.equals(a.axes(), b.axes()))
                throw error(n, "its inputs are " + a.describe() + " and " + b.describe() + "; nnet's " + op.trim() + " takes tensors of equal shapes (or a single number)");
            return bind(n, n, a.name() + op + b.name(), a.shape(), a.axes());
        }
        int k = in.get(0) instanceof Computed ? 0 : 1;
        Computed x = computed(n, in, k);
        OnnxValue c = in.get(1 - k);
        float number;
        if (c instanceof Filled f) number = f.value();
        else if (OnnxConstants.floats(c).data().length == 1) number = OnnxConstants.floats(c).only();
        else throw error(n, "it combines " + x.describe() + " with a constant " + Arrays.toString(OnnxConstants.shapeOf(c))
                + "; nnet takes a constant tensor only as a layer's weights (a bias Add after a MatMul) and otherwise a single number");
        String expr = k == 0 ? x.name() + op + literal(n, number) : literal(n, number) + op + x.name();
        return bind(n, n, expr, x.shape(), x.axes());
    }

    /** A float as nnet writes it; negative numbers in parentheses, so they stand anywhere in an expression. */
    String literal(OnnxNode n, float v) {
        if (!Float.isFinite(v)) throw error(n, "the constant " + v + " is not a finite number");
        String s = Float.toString(Math.abs(v));
        return v < 0 || (v == 0 && 1 / v < 0) ? "(-" + s + ")" : s;
    }

    // ---- shared by the translations (OnnxLayers, OnnxViews, OnnxLstmCall)

    OnnxValue value(String name, OnnxNode reader) {
        OnnxValue v = values.get(name);
        if (v == null)
            throw error(reader, "it reads '" + name + "', which no earlier node computes in a form nnet has (an LSTM's cell state, a MaxPool's indices and a Dropout's mask are not imported)");
        return v;
    }

    /** Input {@code k} of a node as a computed tensor, written out if it was deferred. */
    Computed computed(OnnxNode n, List<OnnxValue> in, int k) {
        if (in.get(k) instanceof Computed c) return resolve(c);
        throw error(n, "input " + k + " ('" + n.input(k) + "') is " + (in.get(k) == null ? "absent" : OnnxConstants.kind(in.get(k))) + " where a computed tensor was expected");
    }

    Computed resolve(Computed c) {
        return c.name() != null ? c : new Computed(c.lstm().write(c.shape().length == 2), c.shape(), c.axes(), null);
    }

    /** Input {@code k} as a float constant (weights). */
    Floats weights(OnnxNode n, List<OnnxValue> in, int k) {
        OnnxValue v = in.get(k);
        if (v instanceof Floats f) return f;
        throw error(n, "input " + k + " ('" + n.input(k) + "') is " + (v == null ? "absent" : OnnxConstants.kind(v)) + " where nnet needs constant weights");
    }

    /** Whether {@code name} is an initializer: a weight the file stores, not a constant the graph makes. */
    boolean storedWeight(String name) {
        return file.initializers.containsKey(name);
    }

    /** Writes {@code name = expr}, named after {@code last}'s output when the graph returns it, else after {@code first}. */
    Computed bind(OnnxNode first, OnnxNode last, String expr, int[] shape, int[] axes) {
        String name = statementName(first, last);
        net.line(name + " = " + expr);
        return new Computed(name, shape, axes, null);
    }

    String statementName(OnnxNode first, OnnxNode last) {
        String out = last.outputs().get(0);
        if (file.outputs.contains(out) && !outputStatements.containsKey(out)) {
            String name = net.fresh(out);
            outputStatements.put(out, name);
            return name;
        }
        return net.fresh(baseName(first));
    }

    /** PyTorch names a node after its module: {@code /fc1/Gemm} is fc1's, {@code /Relu} the forward function's own. */
    private static String baseName(OnnxNode n) {
        String name = n.name().isEmpty() ? n.outputs().get(0) : n.name();
        name = name.substring(name.lastIndexOf("::") < 0 ? 0 : name.lastIndexOf("::") + 2);
        String[] parts = Arrays.stream(name.split("/")).filter(p -> !p.isEmpty()).toArray(String[]::new);
        if (parts.length == 0) return n.op().toLowerCase();
        return parts.length >= 2 ? parts[parts.length - 2] : parts[0].toLowerCase();
    }

    /** The only node that reads {@code value}, or null. */
    OnnxNode soleReader(String value) {
        List<OnnxNode> r = readers.getOrDefault(value, List.of());
        return r.size() == 1 && !file.outputs.contains(value) ? r.get(0) : null;
    }

    /** A later node translated with an earlier one: skipped in the walk, its output bound to {@code result}. */
    void absorb(OnnxNode n, OnnxValue result) {
        absorbed.add(n);
        values.put(n.outputs().get(0), result);
    }

    /** The constant value of {@code name} if it is known now or made by a Constant node (which may come later in the graph). */
    OnnxValue constantAhead(String name) {
        OnnxValue v = values.get(name);
        if (v != null) return v instanceof Computed ? null : v;
        OnnxNode p = producers.get(name);
        return p != null && p.op().equals("Constant") ? constantNode(p) : null;
    }

    private Float scalarConstant(String name) {
        OnnxValue v = file.initializers.get(name);
        if (v == null) {
            OnnxNode p = file.nodes.stream().filter(x -> x.op().equals("Constant") && x.outputs().contains(name)).findFirst().orElse(null);
            v = p == null ? null : constantNode(p);
        }
        return v instanceof Floats f && f.data().length == 1 ? f.only() : null;
    }

    UserError error(OnnxNode n, String why) {
        return new UserError(file.name + ": " + n.describe() + " cannot be imported: " + why);
    }

    String fileName() {
        return file.name;
    }
}
