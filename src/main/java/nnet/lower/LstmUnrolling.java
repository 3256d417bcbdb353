package nnet.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnet.ir.Graph;
import nnet.ir.LstmSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.Shape;

/**
 * Rewrites each lstm node as its time steps in primitive ops (Keras semantics, gates i, f, c, o,
 * zero initial state):
 * <pre>
 * z_t = x_t W + h_{t-1} R + b      (the kernels' connectivity applies to every gate; absent connections are never visited)
 * c_t = sigmoid(z_f) c_{t-1} + sigmoid(z_i) tanh(z_c)
 * h_t = sigmoid(z_o) tanh(c_t)
 * </pre>
 * The same params serve every step, so the backward pass of the unrolled graph is backpropagation
 * through time, with the weight gradients of all steps added into the same storage, and every op
 * is fused and emitted by the same backend as the rest. The interpreter runs the lstm op itself,
 * so tests compare the two. Code grows with the sequence length.
 */
public final class LstmUnrolling {
    private LstmUnrolling() {}

    /** The graph with its lstm nodes unrolled; the graph itself when it has none. */
    public static Graph unroll(Graph g) {
        if (g.nodes().stream().noneMatch(n -> n.op() == Op.LSTM)) return g;
        Graph.Builder b = new Graph.Builder(g.name(), g.sourceFile());
        Map<Node, Node> now = new HashMap<>();
        for (Node n : g.nodes()) {
            List<Node> in = n.inputs().stream().map(now::get).toList();
            now.put(n, n.op() == Op.LSTM ? steps(b, n, in.get(0)) : b.add(n.op(), n.shape(), in, n.arg(), n.name(), n.span()));
        }
        g.named().forEach((name, n) -> b.alias(name, now.get(n)));
        for (Param p : g.params()) b.param(p);
        for (Node out : g.outputs()) b.output(now.get(out));
        if (g.loss() != null) b.loss(new Graph.Loss(now.get(g.loss().output()), g.loss().kind()));
        b.train(g.train());
        return b.build();
    }

    private static Node steps(Graph.Builder b, Node lstm, Node x) {
        LstmSpec l = (LstmSpec) lstm.arg();
        int t = x.shape().dim(0), f = x.shape().dim(1), u = l.units();
        Step s = new Step(b, lstm);
        Shape gates = new Shape(1, 4 * u), unit = new Shape(1, u);
        Node h = null, c = null;
        List<Node> hs = new ArrayList<>();
        for (int step = 0; step < t; step++) {
            Node xt = s.op(Op.SLICE, new Shape(1, f), new Op.SliceSpec(0, step, 1), x);
            Node z = s.op(Op.LINEAR, gates, l.kernel(), xt);
            if (h != null) z = s.op(Op.ADD, gates, null, z, s.op(Op.LINEAR, gates, l.recurrent(), h));
            if (l.bias() != null) z = s.op(Op.BIAS_ADD, gates, l.bias(), z);
            Node in = s.op(Op.SIGMOID, unit, null, s.op(Op.SLICE, unit, new Op.SliceSpec(1, 0, u), z));
            Node forget = s.op(Op.SIGMOID, unit, null, s.op(Op.SLICE, unit, new Op.SliceSpec(1, u, u), z));
            Node candidate = s.op(Op.TANH, unit, null, s.op(Op.SLICE, unit, new Op.SliceSpec(1, 2 * u, u), z));
            Node out = s.op(Op.SIGMOID, unit, null, s.op(Op.SLICE, unit, new Op.SliceSpec(1, 3 * u, u), z));
            Node cNew = s.op(Op.MUL, unit, null, in, candidate);
            c = c == null ? cNew : s.op(Op.ADD, unit, null, s.op(Op.MUL, unit, null, forget, c), cNew);
            h = s.op(Op.MUL, unit, null, out, s.op(Op.TANH, unit, null, c));
            hs.add(h);
        }
        if (!l.sequences()) return b.add(Op.RESHAPE, lstm.shape(), List.of(h), null, lstm.name(), lstm.span());
        if (t == 1) return b.add(Op.RESHAPE, lstm.shape(), List.of(h), null, lstm.name(), lstm.span());
        return b.add(Op.CONCAT, lstm.shape(), hs, 0, lstm.name(), lstm.span());
    }

    /** Adds unnamed nodes at the lstm's source place. */
    private record Step(Graph.Builder b, Node lstm) {
        Node op(Op op, Shape shape, Object arg, Node... in) {
            return b.add(op, shape, List.of(in), arg, null, lstm.span());
        }
    }
}
