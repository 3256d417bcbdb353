package nnet.autodiff;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnet.diag.Span;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Shape;

/**
 * The graph a backward pass extends, and the adjoints it gathers in it: each node's contributions
 * from its readers (summed as they come, micrograd's {@code +=}), its slices' gradients until the
 * walk reaches it, and the few node shapes the gradient rules are written with. Only nodes that
 * depend on something trainable get an adjoint ({@link #needsGrad}).
 */
abstract class GradientGraph {
    protected final Graph.Builder b;
    private final Map<Node, Node> grads = new HashMap<>();
    /** The gradients of each node's slices, gathered until the walk reaches the node (see {@link #gradientOf}). */
    protected final Map<Node, List<SliceGrad>> sliceGrads = new HashMap<>();
    /** Whether each node of the forward graph depends on something trainable: only those get an adjoint. */
    protected final boolean[] needsGrad;
    /** Where the nodes being added come from: the forward node they differentiate (the loss statement, for the loss's own). */
    protected Span span;

    GradientGraph(Graph g) {
        this.b = Graph.Builder.extending(g);
        this.needsGrad = new boolean[g.nodes().size()];
    }

    /** The gradient of one slice of a node. */
    protected record SliceGrad(Op.SliceSpec spec, Node dy) {}

    /**
     * {@code n}'s gradient, once every reader's contribution is in (the walk is at n): its slices'
     * gradients are one concat when they partition n along an axis (an lstm's four gates), else each
     * is placed in zeros (an embed) and added.
     */
    protected Node gradientOf(Node n) {
        List<SliceGrad> parts = sliceGrads.remove(n);
        if (parts == null) return grads.get(n);
        parts.sort(Comparator.comparingInt(p -> p.spec().offset()));
        int axis = parts.get(0).spec().axis(), next = 0;
        for (SliceGrad p : parts) next = p.spec().axis() == axis && p.spec().offset() == next ? next + p.spec().length() : -1;
        if (next == n.shape().dim(axis) && parts.size() > 1) accumulate(n, node(Op.CONCAT, n.shape(), axis, parts.stream().map(SliceGrad::dy).toArray(Node[]::new)));
        else for (SliceGrad p : parts) accumulate(n, node(Op.EMBED, n.shape(), p.spec(), p.dy()));
        return grads.get(n);
    }

    /** A contribution, built only when its node gets an adjoint. */
    protected interface Lazy {
        Node make();
    }

    /** Adds {@code dx} to x's gradient, building it only when x depends on something trainable. */
    protected void accumulate(Node x, Lazy dx) {
        if (needsGrad[x.id()]) accumulate(x, dx.make());
    }

    protected void accumulate(Node x, Node dx) {
        if (!needsGrad[x.id()]) return;
        Node old = grads.get(x);
        grads.put(x, old == null ? dx : binary(Op.ADD, old, dx));
    }

    /** The gradient of a broadcast [1] operand is the sum of the gradient it was broadcast into. */
    protected Node unbroadcast(Node dy, Node operand) {
        return operand.shape().isScalar() && !dy.shape().isScalar() ? node(Op.SUM, Shape.SCALAR, null, dy) : dy;
    }

    protected Node mul(Node a, Node c) {
        return binary(Op.MUL, a, c);
    }

    protected Node scale(Node a, float k) {
        return binary(Op.MUL, constant(k), a);
    }

    protected Node constant(float k) {
        return b.add(Op.CONST, Shape.SCALAR, List.of(), k, null, span);
    }

    protected Node binary(Op op, Node a, Node c) {
        return node(op, a.shape().isScalar() ? c.shape() : a.shape(), null, a, c);
    }

    protected Node node(Op op, Shape shape, Object arg, Node... in) {
        return b.add(op, shape, List.of(in), arg, null, span);
    }
}
