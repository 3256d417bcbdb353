package nnet.lower;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;

/**
 * IR graph to kernels. The fusion rule: an elementwise value gets a buffer only if someone must
 * read it later (it is named, an output, read twice, or read by a non-elementwise op); every
 * other elementwise op is inlined into the loop of the value that consumes it. So
 * {@code h = dense(x, 2, relu)} is one contraction into {@code z} and one loop
 * {@code h[j] = relu(z[j] + b[j])}, and a gate's two outputs are computed in one loop.
 */
public final class Lowering {
    /** A fixed kernel with at most this many present connections is unrolled into constants. */
    static final int UNROLL_LIMIT = 1024;

    private final Graph g;
    private final int[] consumers;
    private final Set<Node> readByNonElementwise = new HashSet<>();
    private final Map<Node, Buffer> bufferOf = new LinkedHashMap<>();
    private final List<Buffer> buffers = new ArrayList<>();
    private final List<Kernel> kernels = new ArrayList<>();
    private final Set<String> fieldNames = new HashSet<>();

    private Lowering(Graph g) {
        this.g = g;
        this.consumers = g.consumerCounts();
        for (Node n : g.nodes())
            if (!Op.ELEMENTWISE.contains(n.op())) readByNonElementwise.addAll(n.inputs());
    }

    public static Program lower(Graph g) {
        Lowering l = new Lowering(g);
        for (Node n : g.nodes()) l.lowerNode(n);
        return new Program(g, List.copyOf(l.buffers), mergeMaps(l.kernels), Map.copyOf(l.bufferOf));
    }

    private boolean materialized(Node n) {
        if (n.op() == Op.CONST) return false;
        if (!Op.ELEMENTWISE.contains(n.op())) return true;
        return n.name() != null || g.named().containsValue(n) || g.outputs().contains(n) || consumers[n.id()] > 1 || readByNonElementwise.contains(n);
    }

    private void lowerNode(Node n) {
        if (!materialized(n)) return;
        switch (n.op()) {
            case INPUT -> buffer(n);
            case RESHAPE -> bufferOf.put(n, bufferOf.get(n.input(0)));
            case LINEAR -> {
                Param p = n.param();
                int nIn = p.shape().dim(0), m = p.shape().dim(1);
                Kernel.LinearPath path = p.isFixed() && connections(p) <= UNROLL_LIMIT ? Kernel.LinearPath.UNROLLED
                        : p.present() == null ? Kernel.LinearPath.ROWS : Kernel.LinearPath.CSR;
                kernels.add(new Kernel.Linear(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), p, n.shape().outer(), nIn, m, path));
            }
            case SOFTMAX -> kernels.add(new Kernel.Softmax(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), n.shape().outer(), n.shape().last()));
            case CONCAT -> {
                int axis = (Integer) n.arg();
                int outer = 1, inner = 1;
                int[] dims = n.shape().dims();
                for (int d = 0; d < axis; d++) outer *= dims[d];
                for (int d = axis + 1; d < dims.length; d++) inner *= dims[d];
                int[] lengths = new int[n.inputs().size()];
                List<Buffer> parts = new ArrayList<>();
                for (int k = 0; k < lengths.length; k++) {
                    lengths[k] = n.input(k).shape().dim(axis) * inner;
                    parts.add(bufferOf.get(n.input(k)));
                }
                kernels.add(new Kernel.Concat(n.span(), label(n), buffer(n), parts, outer, lengths));
            }
            case CONV2D, MAXPOOL, AVGPOOL, LSTM -> throw new UnsupportedOpException(n.span(),
                    n.op().lower() + ": code generation is not implemented yet ('nnetc check' checks it, and the reference interpreter runs it)");
            case DERIV, LINEAR_T, WEIGHT_GRAD, ROW_SUM, SUM, SLICE, SOFTMAX_GRAD, LOSS, LOSS_GRAD -> throw new UnsupportedOpException(n.span(),
                    "the backward pass is not emitted yet: " + n.op().lower() + " runs in the reference interpreter only");
            default -> { // elementwise, materialised here
                Buffer out = buffer(n);
                kernels.add(new Kernel.Map(n.span(), label(n), n.shape().size(), List.of(new Kernel.Assign(out, expr(n, true)))));
            }
        }
    }

    private static long connections(Param p) {
        return p.present() == null ? p.shape().sizeLong() : p.present().count();
    }

    /** The element expression of {@code n}; {@code root} is the value being materialised. */
    private Expr expr(Node n, boolean root) {
        if (n.op() == Op.CONST) return new Expr.Const((Float) n.arg());
        if (!root && materialized(n)) return new Expr.Load(bufferOf.get(n));
        return switch (n.op()) {
            case BIAS_ADD -> new Expr.Binary(Op.ADD, expr(n.input(0), false), new Expr.Bias(n.param(), n.shape().last()));
            case ADD, SUB, MUL, DIV -> new Expr.Binary(n.op(), expr(n.input(0), false), expr(n.input(1), false));
            case RELU, SIGMOID, TANH, GELU, LEAKY_RELU -> new Expr.Unary(n.op(), n.arg() instanceof Float f ? f : 0f, expr(n.input(0), false));
            case DERIV -> throw new UnsupportedOpException(n.span(), "the backward pass is not emitted yet");
            default -> throw new IllegalStateException("not elementwise: " + n);
        };
    }

    private Buffer buffer(Node n) {
        String base = n.name() != null ? n.name().replace('.', '$') : "t" + n.id();
        String field = base;
        for (int k = 1; !fieldNames.add(field); k++) field = base + "$" + k;
        Buffer b = new Buffer(field, n.shape().size());
        buffers.add(b);
        bufferOf.put(n, b);
        return b;
    }

    private static String label(Node n) {
        return (n.name() != null ? n.name().replace('.', '$') : "t" + n.id()) + "_" + n.op().lower();
    }

    /**
     * Consecutive element loops of the same extent become one loop: each element of the second
     * reads only elements of the first at the same index, which are already computed.
     */
    private static List<Kernel> mergeMaps(List<Kernel> in) {
        List<Kernel> out = new ArrayList<>();
        for (Kernel k : in) {
            if (k instanceof Kernel.Map m && !out.isEmpty() && out.get(out.size() - 1) instanceof Kernel.Map prev && prev.extent() == m.extent()) {
                List<Kernel.Assign> assigns = new ArrayList<>(prev.assigns());
                assigns.addAll(m.assigns());
                out.set(out.size() - 1, new Kernel.Map(prev.span(), prev.label() + "_" + m.label(), prev.extent(), assigns));
            } else out.add(k);
        }
        return out;
    }
}
