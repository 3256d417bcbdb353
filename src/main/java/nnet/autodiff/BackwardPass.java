package nnet.autodiff;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.diag.Span;
import nnet.ir.ConvSpec;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.Shape;
import nnet.lower.UnsupportedOpException;

/**
 * Reverse-mode differentiation as a graph transformation: the forward graph is extended with a
 * target input, the loss, and the adjoint of every node that depends on a trainable weight or an
 * input, walking the nodes in reverse (micrograd's order). Each forward op has one rule in
 * {@link #propagate}; a node read by several consumers (skip paths, gates) gets the sum of their
 * contributions. The result is ordinary IR, so the interpreter runs it and the backend can emit it.
 */
public final class BackwardPass {
    /**
     * The extended graph and where to find things in it.
     *
     * @param paramGrads the gradient of each trainable param as the contributions of its uses, to be
     *                   summed (an lstm's kernels are used at every time step); fixed params have none
     * @param inputGrads the gradient of the loss with respect to each input, by input name
     */
    public record Result(Graph graph, Node output, Node target, Node loss, Map<Param, List<Node>> paramGrads, Map<String, Node> inputGrads) {}

    private final Graph.Builder b;
    private final Map<Node, Node> grads = new HashMap<>();
    private final boolean[] needsGrad;
    private final Span span;

    private BackwardPass(Graph g) {
        this.b = Graph.Builder.extending(g);
        this.needsGrad = new boolean[g.nodes().size()];
        this.span = g.loss() == null ? Span.NONE : g.loss().output().span();
        for (Node n : g.nodes()) {
            boolean trainable = n.op() == Op.INPUT
                    || ((n.op() == Op.LINEAR || n.op() == Op.BIAS_ADD) && !n.param().isFixed())
                    || n.op() == Op.CONV2D || n.op() == Op.LSTM;
            for (Node in : n.inputs()) trainable |= needsGrad[in.id()];
            needsGrad[n.id()] = trainable;
        }
    }

    /** Differentiates the graph's {@code loss} statement. */
    public static Result derive(Graph g) {
        if (g.loss() == null) throw new IllegalArgumentException("network " + g.name() + " has no loss statement");
        return derive(g, g.loss().output(), g.loss().kind());
    }

    public static Result derive(Graph g, Node output, String lossKind) {
        return new BackwardPass(g).run(g, output, lossKind);
    }

    private Result run(Graph g, Node output, String kind) {
        Node target = b.add(Op.INPUT, output.shape(), List.of(), null, (output.name() != null ? output.name() : "output") + ".target", span);
        // cross_entropy fuses the softmax: on a softmax output it reads the logits beneath it
        Node logits = kind.equals("cross_entropy") && output.op() == Op.SOFTMAX ? output.input(0) : output;
        Node loss = b.add(Op.LOSS, Shape.SCALAR, List.of(logits, target), kind, "loss", span);
        accumulate(logits, b.add(Op.LOSS_GRAD, logits.shape(), List.of(logits, target), kind, null, span));
        Map<Param, List<Node>> paramGrads = new LinkedHashMap<>();
        Map<String, Node> inputGrads = new LinkedHashMap<>();
        for (int id = g.nodes().size() - 1; id >= 0; id--) {
            Node n = g.nodes().get(id);
            Node dy = grads.get(n);
            if (dy == null) continue;
            if (n.op() == Op.INPUT) inputGrads.put(n.name(), dy);
            else propagate(n, dy, paramGrads);
        }
        return new Result(b.build(), output, target, loss, paramGrads, inputGrads);
    }

    /** The adjoint rule of each op: what {@code n}'s gradient {@code dy} contributes to its inputs' and params'. */
    private void propagate(Node n, Node dy, Map<Param, List<Node>> grads) {
        ParamGrads paramGrads = (p, g) -> grads.computeIfAbsent(p, k -> new java.util.ArrayList<>()).add(g);
        switch (n.op()) {
            case CONST -> {}
            case LINEAR -> {
                Param p = n.param();
                Node x = n.input(0);
                if (!p.isFixed()) paramGrads.put(p, node(Op.WEIGHT_GRAD, p.shape(), p, x, dy));
                accumulate(x, () -> node(Op.LINEAR_T, x.shape(), p, dy));
            }
            case BIAS_ADD -> {
                Param p = n.param();
                // rows summed, absent entries of a bias mask left at 0
                if (!p.isFixed()) paramGrads.put(p, n.shape().rank() == 1 && p.present() == null ? dy : node(Op.ROW_SUM, p.shape(), p, dy));
                accumulate(n.input(0), dy);
            }
            case ADD -> {
                accumulate(n.input(0), () -> unbroadcast(dy, n.input(0)));
                accumulate(n.input(1), () -> unbroadcast(dy, n.input(1)));
            }
            case SUB -> {
                accumulate(n.input(0), () -> unbroadcast(dy, n.input(0)));
                accumulate(n.input(1), () -> unbroadcast(scale(dy, -1), n.input(1)));
            }
            case MUL -> {
                accumulate(n.input(0), () -> unbroadcast(mul(dy, n.input(1)), n.input(0)));
                accumulate(n.input(1), () -> unbroadcast(mul(dy, n.input(0)), n.input(1)));
            }
            case DIV -> { // d(a/b) = da / b - a db / b^2
                Node a = n.input(0), c = n.input(1);
                accumulate(a, () -> unbroadcast(binary(Op.DIV, dy, c), a));
                accumulate(c, () -> unbroadcast(scale(mul(dy, binary(Op.DIV, n, c)), -1), c));
            }
            case RELU, SIGMOID, TANH, GELU, LEAKY_RELU -> {
                Node x = n.input(0);
                float alpha = n.arg() instanceof Float f ? f : 0f;
                accumulate(x, () -> mul(dy, node(Op.DERIV, x.shape(), new Op.Derivative(n.op(), alpha), x)));
            }
            case SOFTMAX -> accumulate(n.input(0), () -> node(Op.SOFTMAX_GRAD, n.shape(), null, n, dy));
            case RESHAPE -> accumulate(n.input(0), () -> node(Op.RESHAPE, n.input(0).shape(), null, dy));
            case SLICE -> accumulate(n.input(0), () -> node(Op.EMBED, n.input(0).shape(), n.arg(), dy));
            case CONCAT -> {
                int axis = (Integer) n.arg(), offset = 0;
                for (Node part : n.inputs()) {
                    int at = offset, len = part.shape().dim(axis);
                    accumulate(part, () -> node(Op.SLICE, part.shape(), new Op.SliceSpec(axis, at, len), dy));
                    offset += len;
                }
            }
            case CONV2D -> {
                ConvSpec c = (ConvSpec) n.arg();
                Node x = n.input(0);
                paramGrads.put(c.kernel(), node(Op.CONV2D_KERNEL_GRAD, c.kernel().shape(), c, x, dy));
                if (c.bias() != null && !c.bias().isFixed()) paramGrads.put(c.bias(), node(Op.CONV2D_BIAS_GRAD, c.bias().shape(), c, dy));
                accumulate(x, () -> node(Op.CONV2D_INPUT_GRAD, x.shape(), c, dy));
            }
            case MAXPOOL -> accumulate(n.input(0), () -> node(Op.MAXPOOL_GRAD, n.input(0).shape(), n.arg(), n.input(0), dy));
            case AVGPOOL -> accumulate(n.input(0), () -> node(Op.AVGPOOL_GRAD, n.input(0).shape(), n.arg(), dy));
            default -> throw new UnsupportedOpException(n.span(), n.op().lower() + ": gradients are not derived yet");
        }
    }

    /** Adds one use's contribution to a param's gradient. */
    private interface ParamGrads {
        void put(Param p, Node contribution);
    }

    private interface Lazy {
        Node make();
    }

    /** Adds {@code dx} to x's gradient, building it only when x depends on something trainable. */
    private void accumulate(Node x, Lazy dx) {
        if (needsGrad[x.id()]) accumulate(x, dx.make());
    }

    private void accumulate(Node x, Node dx) {
        if (!needsGrad[x.id()]) return;
        Node old = grads.get(x);
        grads.put(x, old == null ? dx : binary(Op.ADD, old, dx));
    }

    /** The gradient of a broadcast [1] operand is the sum of the gradient it was broadcast into. */
    private Node unbroadcast(Node dy, Node operand) {
        return operand.shape().isScalar() && !dy.shape().isScalar() ? node(Op.SUM, Shape.SCALAR, null, dy) : dy;
    }

    private Node mul(Node a, Node c) {
        return binary(Op.MUL, a, c);
    }

    private Node scale(Node a, float k) {
        return binary(Op.MUL, b.add(Op.CONST, Shape.SCALAR, List.of(), k, null, span), a);
    }

    private Node binary(Op op, Node a, Node c) {
        return node(op, a.shape().isScalar() ? c.shape() : a.shape(), null, a, c);
    }

    private Node node(Op op, Shape shape, Object arg, Node... in) {
        return b.add(op, shape, List.of(in), arg, null, span);
    }
}
