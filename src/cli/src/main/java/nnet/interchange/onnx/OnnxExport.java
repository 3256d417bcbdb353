package nnet.interchange.onnx;

import static nnet.interchange.onnx.OnnxGraphWriter.integer;
import static nnet.interchange.onnx.OnnxGraphWriter.ints;
import static nnet.interchange.onnx.OnnxGraphWriter.real;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.interchange.onnx.proto.Onnx.ModelProto;
import nnet.interchange.onnx.proto.Onnx.OperatorSetIdProto;
import nnet.interchange.onnx.proto.Onnx.StringStringEntryProto;
import nnet.ir.BatchNormSpec;
import nnet.ir.LayerNormSpec;
import nnet.ir.ConvSpec;
import nnet.ir.PoolSpec;
import nnet.ir.Graph;
import nnet.ir.LstmSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.runtime.io.CompactKernel;
import nnet.runtime.math.SparseIndex;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;

/**
 * A checked network's forward pass as an ONNX model (opset 17): one ONNX node or a few per IR
 * node, weights as initializers. Every tensor gets a leading batch axis {@code N}, so the model
 * runs a batch of samples where nnet's shapes describe one. Inputs, outputs and probed nodes keep
 * the network's names. Absent connections are zeros in a dense initializer, or, for large sparse
 * layers, an edge list (Gather, Mul, ScatterElements with {@code reduction=add}), which ONNX
 * Runtime runs without densifying. A sparse kernel's values are read by its connections (from a
 * compact or a dense weights file), so exporting one too large to be dense costs O(connections).
 * An lstm becomes ONNX's LSTM with its gates reordered from
 * Keras' i, f, c, o to ONNX's i, o, f, c. The names of units travel as the model's metadata
 * ({@link #UNIT_NAMES}).
 */
public final class OnnxExport {
    public static final int OPSET = 17;
    /** The key prefix of the metadata that names a graph input's or output's units. */
    public static final String UNIT_NAMES = "nnet.unit_names.";
    /** The IR version of opset 17 (ONNX 1.12), which every current runtime reads. */
    static final int IR_VERSION = 8;

    /** How a kernel with absent connections is written. */
    public enum EdgeLists {
        /** Edge lists for large sparse kernels ({@link #isLargeSparse}), dense with zeros otherwise. */
        AUTO,
        ALWAYS,
        NEVER
    }

    /** Kernels with at least this many entries, of which at most {@link #SPARSE_DENSITY} are present, become edge lists under AUTO. */
    static final long LARGE_ENTRIES = 1 << 16;
    static final double SPARSE_DENSITY = 0.25;

    private final Graph g;
    private final Map<String, ? extends StoredTensor> weights;
    private final EdgeLists edgeLists;
    private final OnnxGraphWriter w;
    private final Map<Node, String> values = new HashMap<>();

    private OnnxExport(Graph g, Map<String, ? extends StoredTensor> weights, EdgeLists edgeLists) {
        this.g = g;
        this.weights = weights;
        this.edgeLists = edgeLists;
        this.w = new OnnxGraphWriter(g.name());
    }

    /**
     * @param weights the trained weights by name, sparse kernels dense or compact (LANGUAGE.md §6); fixed params may be absent
     * @param probes  further named nodes to output beside the network's outputs
     */
    public static ModelProto export(Graph g, Map<String, ? extends StoredTensor> weights, List<String> probes, EdgeLists edgeLists) {
        return new OnnxExport(g, weights, edgeLists).model(probes);
    }

    private ModelProto model(List<String> probes) {
        for (String p : probes)
            if (!g.named().containsKey(p)) throw new UserError("network " + g.name() + " has no node '" + p + "'; it has " + String.join(", ", g.named().keySet()));
        Set<String> shown = new LinkedHashSet<>();
        for (Node out : g.outputs()) shown.add(nameOf(out));
        shown.addAll(probes);
        // user-visible names first, so intermediate values never take them
        for (Node n : g.nodes()) if (n.name() != null) w.claim(n.name());
        for (String name : shown) if (!name.equals(g.named().get(name).name()) && g.named().get(name).op() != Op.INPUT) w.claim(name); // an alias (h2 = h) is an Identity
        for (Node n : g.nodes()) values.put(n, translate(n));
        for (Node in : g.inputs()) w.graph.addInput(OnnxGraphWriter.batched(in.name(), in.shape().dims(), in.integers())); // token ids as int64, as Gather takes them
        for (String name : shown) {
            Node n = g.named().get(name);
            // an ONNX value has one name: an input shown as an output is copied to <name>_output
            String out = n.op() == Op.INPUT ? w.fresh(name + "_output") : name;
            if (!values.get(n).equals(out)) w.node("Identity", new String[] {out}, new String[] {values.get(n)});
            w.graph.addOutput(OnnxGraphWriter.batchedFloat(out, n.shape().dims()));
        }
        ModelProto.Builder model = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("nnetc").setProducerVersion("0.1.0")
                .setDocString("network " + g.name() + " of " + g.sourceFile() + "; every tensor has a leading batch axis N")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(w.graph);
        for (var value : w.graph.getInputList()) unitNames(model, value.getName(), value.getName());
        List<String> outputs = List.copyOf(shown); // the graph's outputs, in this order
        for (int k = 0; k < outputs.size(); k++) unitNames(model, outputs.get(k), w.graph.getOutput(k).getName());
        return model.build();
    }

    /** The names of a node's units (LANGUAGE.md §4, Names) as the model's metadata {@code nnet.unit_names.<value>}: one name a line. */
    private void unitNames(ModelProto.Builder model, String node, String value) {
        List<String> names = g.unitNames().get(node);
        if (names != null) model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(UNIT_NAMES + value).setValue(String.join("\n", names)));
    }

    private String nameOf(Node n) {
        if (n.name() != null) return n.name();
        return g.named().entrySet().stream().filter(e -> e.getValue() == n).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new IllegalStateException("output without a name: " + n));
    }

    private String in(Node n, int k) {
        return values.get(n.input(k));
    }

    /** The name of a node's result: its own (claimed in {@link #model}), or a fresh one. */
    private String target(Node n) {
        return n.name() != null ? n.name() : w.fresh("%" + n.id());
    }

    /** The ONNX nodes of one IR node; returns the name of its result. */
    private String translate(Node n) {
        return switch (n.op()) {
            case INPUT -> n.name();
            case CONST -> n.name() == null ? w.scalar("%" + n.id(), (Float) n.arg()) : w.node("Identity", n.name(), new String[] {w.scalar("%" + n.id(), (Float) n.arg())});
            case LINEAR -> linear(n);
            case BIAS_ADD -> w.node("Add", target(n), new String[] {in(n, 0), param(n.param())});
            case ADD, SUB, MUL, DIV -> elementwise(n);
            case ACTIVATION -> activation(n, (Op.ActivationSpec) n.arg());
            case SOFTMAX -> w.node("Softmax", target(n), new String[] {in(n, 0)}, integer("axis", -1));
            case RESHAPE -> w.reshape(in(n, 0), n.shape().dims(), target(n));
            case CONCAT -> w.node("Concat", target(n), n.inputs().stream().map(values::get).toArray(String[]::new), integer("axis", (Integer) n.arg() + 1));
            case CONV2D -> conv2d(n);
            case MAXPOOL, AVGPOOL -> {
                PoolSpec p = (PoolSpec) n.arg();
                yield w.node(n.op() == Op.MAXPOOL ? "MaxPool" : "AveragePool", target(n), new String[] {in(n, 0)}, ints("kernel_shape", p.k(), p.k()),
                        ints("strides", p.strideY(), p.strideX()));
            }
            case LSTM -> OnnxLstm.write(w, (LstmSpec) n.arg(), in(n, 0), this::values, target(n));
            case DROPOUT -> w.node("Identity", target(n), new String[] {in(n, 0)}); // predicting: the identity
            case BATCHNORM -> batchnorm(n, (BatchNormSpec) n.arg());
            case LAYERNORM -> layernorm(n, (LayerNormSpec) n.arg());
            case EMBEDDING -> w.node("Gather", target(n), new String[] {param(n.param()), in(n, 0)}, integer("axis", 0)); // [N, ...] ids -> [N, ..., dim]
            case DERIV, SECANT, LINEAR_T, WEIGHT_GRAD, ROW_SUM, EMBED, SUM, SLICE, SOFTMAX_GRAD, CONV2D_INPUT_GRAD, CONV2D_KERNEL_GRAD,
                 CONV2D_BIAS_GRAD, MAXPOOL_GRAD, AVGPOOL_GRAD, LOSS, LOSS_GRAD, LOOP, LOOP_OUT, BATCHNORM_GRAD, BATCHNORM_PARAM_GRAD, EMBEDDING_GRAD,
                 LAYERNORM_GRAD, LAYERNORM_PARAM_GRAD -> throw new IllegalStateException(n.op() + " belongs to a later phase; the export takes the checked forward graph");
        };
    }

    /** Each row of the activation table as ONNX operators; gelu (the tanh form) is composed, as ONNX's Gelu needs opset 20. */
    private String activation(Node n, Op.ActivationSpec f) {
        String x = in(n, 0);
        return switch (f.fn()) {
            case RELU -> w.node("Relu", target(n), new String[] {x});
            case SIGMOID -> w.node("Sigmoid", target(n), new String[] {x});
            case TANH -> w.node("Tanh", target(n), new String[] {x});
            case LEAKY_RELU -> w.node("LeakyRelu", target(n), new String[] {x}, real("alpha", f.alpha()));
            case GELU -> { // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
                String cube = w.temp("Mul", "gelu_cube", new String[] {w.temp("Mul", "gelu_square", new String[] {x, x}), x});
                String inner = w.temp("Add", "gelu_inner", new String[] {x, w.temp("Mul", "gelu_cubic", new String[] {cube, w.scalar("gelu_a", 0.044715f)})});
                String t = w.temp("Tanh", "gelu_tanh", new String[] {w.temp("Mul", "gelu_scaled", new String[] {inner, w.scalar("gelu_c", 0.7978845608f)})});
                String half = w.temp("Mul", "gelu_half", new String[] {x, w.scalar("gelu_0.5", 0.5f)});
                yield w.node("Mul", target(n), new String[] {half, w.temp("Add", "gelu_1p", new String[] {t, w.scalar("gelu_1", 1f)})});
            }
        };
    }

    /** The values of a param (a weights file's, or its fixed constants), with 0 at absent entries. */
    private float[] values(Param p) {
        if (p.isSparseKernel()) return dense(p, presentValues(p));
        float[] v;
        if (p.fixed() != null) v = p.fixed().clone();
        else v = fileTensor(p).data().clone();
        zeroAbsent(p, v);
        return v;
    }

    /** A param's tensor from the weights file, checked against the network's shape. */
    private Tensor fileTensor(Param p) {
        StoredTensor t = weights.get(p.name());
        if (t == null) throw new UserError("the weights lack " + p.name() + " " + p.shape() + " (nnetc init or nnetc train make a complete file)");
        if (!(t instanceof Tensor f)) throw new UserError("weights " + p.name() + " are " + t.dtype() + ", weights are F32");
        if (!Arrays.equals(f.shape(), p.shape().dims()))
            throw new UserError("weights " + p.name() + " are " + f.shapeString() + ", but the network needs " + p.shape());
        return f;
    }

    /**
     * A sparse kernel's values at its connections, in row-major order (the order of
     * {@code present().index()}): O(connections) from a compact file or fixed values. As when a
     * network loads weights, a value the file holds at a connection the source leaves absent is
     * dropped, and a connection the file lacks is 0.
     */
    private float[] presentValues(Param p) {
        SparseIndex index = p.present().index();
        float[] out = new float[index.count()];
        int m = index.cols();
        if (p.fixed() != null || !CompactKernel.isIn(weights, p.name()) || weights.containsKey(p.name())) {
            float[] dense = p.fixed() != null ? p.fixed() : fileTensor(p).data();
            for (int i = 0; i < index.rows(); i++)
                for (int k = index.rowStart()[i]; k < index.rowStart()[i + 1]; k++) out[k] = dense[i * m + index.colIndex()[k]];
            return out;
        }
        CompactKernel file = CompactKernel.read(weights, p.name());
        if (file.index().rows() != index.rows() || file.index().cols() != m)
            throw new UserError("weights " + p.name() + " are " + file.index().rows() + " x " + file.index().cols() + " (compact), but the network needs " + p.shape());
        SparseIndex f = file.index();
        for (int i = 0; i < index.rows(); i++) // both rows' columns ascend: a merge
            for (int k = index.rowStart()[i], q = f.rowStart()[i]; k < index.rowStart()[i + 1]; k++) {
                while (q < f.rowStart()[i + 1] && f.colIndex()[q] < index.colIndex()[k]) q++;
                if (q < f.rowStart()[i + 1] && f.colIndex()[q] == index.colIndex()[k]) out[k] = file.values()[q];
            }
        return out;
    }

    /** A sparse kernel's present values placed in its dense {@code [n, m]} form, zeros elsewhere. */
    private static float[] dense(Param p, float[] present) {
        SparseIndex index = p.present().index();
        int m = index.cols();
        float[] v = new float[p.shape().size()];
        for (int i = 0; i < index.rows(); i++)
            for (int k = index.rowStart()[i]; k < index.rowStart()[i + 1]; k++) v[i * m + index.colIndex()[k]] = present[k];
        return v;
    }

    /** Zeros where {@link Param#has} says no entry exists: dense and lstm kernels by (row, column), conv kernels by (channel, filter), biases by (0, unit). */
    private static void zeroAbsent(Param p, float[] v) {
        int[] d = p.shape().dims();
        if (d.length == 4) { // [filters, C, kh, kw]
            int taps = d[2] * d[3];
            for (int o = 0; o < d[0]; o++)
                for (int c = 0; c < d[1]; c++)
                    if (!p.has(c, o)) Arrays.fill(v, (o * d[1] + c) * taps, (o * d[1] + c + 1) * taps, 0f);
        } else if (d.length == 1) {
            for (int j = 0; j < d[0]; j++) if (!p.has(0, j)) v[j] = 0;
        } else {
            for (int i = 0; i < d[0]; i++)
                for (int j = 0; j < d[1]; j++) if (!p.has(i, j)) v[i * d[1] + j] = 0;
        }
    }

    /** An initializer of a param's values in its own shape. */
    private String param(Param p) {
        return w.floats(p.name(), p.shape().dims(), values(p));
    }

    private String linear(Node n) {
        Param p = n.param();
        if (!useEdgeList(p)) return w.node("MatMul", target(n), new String[] {in(n, 0), param(p)});
        return OnnxEdgeList.write(w, p, presentValues(p), in(n, 0), n.shape().dims(), target(n));
    }

    private boolean useEdgeList(Param p) {
        if (p.present() == null) return false;
        boolean tooLarge = p.shape().sizeLong() > SparseWeights.MAX_DENSE;
        if (edgeLists == EdgeLists.NEVER && tooLarge)
            throw new UserError(p.name() + " is " + p.shape().dim(0) + " x " + p.shape().dim(1) + " = " + p.shape().sizeLong()
                    + " entries, too many for a dense ONNX tensor (at most " + SparseWeights.MAX_DENSE + "), so --edge-lists never cannot write it; "
                    + "--edge-lists auto or always writes its " + p.count() + " connections as an edge list");
        return edgeLists == EdgeLists.ALWAYS || (edgeLists == EdgeLists.AUTO && (tooLarge || isLargeSparse(p)));
    }

    static boolean isLargeSparse(Param p) {
        return p.present() != null && p.shape().sizeLong() >= LARGE_ENTRIES && p.present().density() <= SPARSE_DENSITY;
    }

    /** A [1]-shaped operand is {@code [N, 1]} here; against a higher-rank one it is reshaped to {@code [N, 1, ..., 1]} so it broadcasts per sample. */
    private String elementwise(Node n) {
        String op = switch (n.op()) {
            case ADD -> "Add";
            case SUB -> "Sub";
            case MUL -> "Mul";
            default -> "Div";
        };
        int rank = Math.max(n.input(0).shape().rank(), n.input(1).shape().rank());
        return w.node(op, target(n), new String[] {broadcastable(n.input(0), rank), broadcastable(n.input(1), rank)});
    }

    private String broadcastable(Node operand, int rank) {
        if (operand.op() == Op.CONST || operand.shape().rank() == rank) return values.get(operand);
        int[] ones = new int[rank];
        Arrays.fill(ones, 1);
        return w.reshape(values.get(operand), ones, w.fresh("%" + operand.id() + "_broadcast"));
    }

    /**
     * ONNX's BatchNormalization (predicting: the moving statistics) normalizes axis 1 of {@code [N, C, ...]}:
     * an image {@code [N, C, H, W]} and a vector {@code [N, F]} as they are; a tensor normalized along its
     * last axis ({@code [N, T, F]}) moves that axis to 1 and back. No scale is ones, no center zeros.
     */
    private String batchnorm(Node n, BatchNormSpec b) {
        int rank = n.shape().rank() + 1, c = b.channels();
        boolean moved = n.shape().rank() != 3 && rank > 2;
        long[] perm = new long[rank], back = new long[rank];
        for (int k = 0; k < rank; k++) perm[k] = k < 1 ? k : k == 1 ? rank - 1 : k - 1;
        for (int k = 0; k < rank; k++) back[(int) perm[k]] = k;
        String x = moved ? w.temp("Transpose", "%" + n.id() + "_channels", new String[] {in(n, 0)}, ints("perm", perm)) : in(n, 0);
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        String scale = b.gamma() != null ? param(b.gamma()) : w.floats(b.layer() + ".scale", new int[] {c}, ones);
        String shift = b.beta() != null ? param(b.beta()) : w.floats(b.layer() + ".shift", new int[] {c}, new float[c]);
        String[] inputs = {x, scale, shift, param(b.movingMean()), param(b.movingVariance())};
        if (!moved) return w.node("BatchNormalization", target(n), inputs, real("epsilon", b.epsilon()));
        String y = w.temp("BatchNormalization", "%" + n.id() + "_normalized", inputs, real("epsilon", b.epsilon()));
        return w.node("Transpose", target(n), new String[] {y}, ints("perm", back));
    }

    /** ONNX's LayerNormalization (opset 17) over the last axis; its scale is an input it needs (ones without {@code scale:}), its bias optional. */
    private String layernorm(Node n, LayerNormSpec l) {
        float[] ones = new float[l.features()];
        Arrays.fill(ones, 1f);
        String scale = l.gamma() != null ? param(l.gamma()) : w.floats(l.layer() + ".scale", new int[] {l.features()}, ones);
        String[] inputs = l.beta() != null ? new String[] {in(n, 0), scale, param(l.beta())} : new String[] {in(n, 0), scale};
        return w.node("LayerNormalization", target(n), inputs, integer("axis", -1), real("epsilon", l.epsilon()));
    }

    private String conv2d(Node n) {
        ConvSpec c = (ConvSpec) n.arg();
        int[] in = n.input(0).shape().dims(), o = n.shape().dims();
        int padBottom = Math.max((o[1] - 1) * c.strideY() + c.kh() - in[1] - c.padTop(), 0);
        int padRight = Math.max((o[2] - 1) * c.strideX() + c.kw() - in[2] - c.padLeft(), 0);
        List<String> inputs = new ArrayList<>(List.of(in(n, 0), param(c.kernel())));
        if (c.bias() != null) inputs.add(param(c.bias()));
        return w.node("Conv", target(n), inputs.toArray(String[]::new), ints("kernel_shape", c.kh(), c.kw()), ints("strides", c.strideY(), c.strideX()),
                ints("pads", c.padTop(), c.padLeft(), padBottom, padRight));
    }
}
