package nnet.expand;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnet.diag.Span;
import nnet.ir.Graph;
import nnet.ir.LstmSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.Shape;
import nnet.runtime.Activation;

/**
 * The lstm, defined once: {@link #cell} is one time step of a Keras LSTM in primitive ops (gates
 * i, f, c, o; zero initial state), and {@link #expand} rewrites each lstm node as its time steps.
 * The interpreter runs an lstm node through the same expansion ({@link #alone}), so the reference
 * and the generated code cannot drift apart; autodiff differentiates the steps (backpropagation
 * through time, the weight gradients of all steps added into the same storage), and every step is
 * fused and emitted by the same backend as the rest. Code grows with the sequence length.
 */
public final class LstmExpansion {
    private LstmExpansion() {}

    /** The graph with its lstm nodes replaced by their steps; the graph itself when it has none. */
    public static Graph expand(Graph g) {
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
        if (g.loss() != null) b.loss(new Graph.Loss(now.get(g.loss().output()), g.loss().function(), g.loss().span()));
        b.train(g.train());
        return b.build();
    }

    /** One lstm node on its own: an input {@code x} shaped like the lstm's input, and its steps, the last node being the lstm's value. */
    public static Graph alone(Node lstm) {
        Graph.Builder b = new Graph.Builder(lstm.label(), lstm.span().file());
        LstmSpec l = (LstmSpec) lstm.arg();
        for (Param p : new Param[] {l.kernel(), l.recurrent(), l.bias()}) if (p != null) b.param(p);
        Node x = b.add(Op.INPUT, lstm.input(0).shape(), List.of(), null, "x", lstm.span());
        b.output(steps(b, lstm, x));
        return b.build();
    }

    private static Node steps(Graph.Builder b, Node lstm, Node x) {
        LstmSpec l = (LstmSpec) lstm.arg();
        int t = x.shape().dim(0), f = x.shape().dim(1);
        Ops ops = new Ops(b, lstm.span());
        State s = null;
        List<Node> hs = new ArrayList<>();
        for (int step = 0; step < t; step++) {
            Node xt = ops.add(Op.SLICE, new Shape(1, f), new Op.SliceSpec(0, step, 1), x);
            s = cell(ops, l, xt, s);
            hs.add(s.h());
        }
        if (!l.sequences() || t == 1) return b.add(Op.RESHAPE, lstm.shape(), List.of(s.h()), null, lstm.name(), lstm.span());
        return b.add(Op.CONCAT, lstm.shape(), hs, 0, lstm.name(), lstm.span());
    }

    /** The state an lstm carries from step to step, each {@code [1, units]}. */
    private record State(Node h, Node c) {}

    /**
     * One time step; {@code prev} is null at the first (zero state, so its products vanish):
     * <pre>
     * z   = x_t W + h R + b        (W, R and b masked as the source says: absent connections are never visited)
     * c_t = sigmoid(z_f) c + sigmoid(z_i) tanh(z_c)
     * h_t = sigmoid(z_o) tanh(c_t)
     * </pre>
     */
    private static State cell(Ops ops, LstmSpec l, Node xt, State prev) {
        int u = l.units();
        Shape gates = new Shape(1, 4 * u), unit = new Shape(1, u);
        Node z = ops.add(Op.LINEAR, gates, l.kernel(), xt);
        if (prev != null) z = ops.add(Op.ADD, gates, null, z, ops.add(Op.LINEAR, gates, l.recurrent(), prev.h()));
        if (l.bias() != null) z = ops.add(Op.BIAS_ADD, gates, l.bias(), z);
        Node in = ops.act(Activation.SIGMOID, ops.gate(z, 0, u));
        Node forget = ops.act(Activation.SIGMOID, ops.gate(z, 1, u));
        Node candidate = ops.act(Activation.TANH, ops.gate(z, 2, u));
        Node out = ops.act(Activation.SIGMOID, ops.gate(z, 3, u));
        Node c = ops.add(Op.MUL, unit, null, in, candidate);
        if (prev != null) c = ops.add(Op.ADD, unit, null, ops.add(Op.MUL, unit, null, forget, prev.c()), c);
        Node h = ops.add(Op.MUL, unit, null, out, ops.act(Activation.TANH, c));
        return new State(h, c);
    }

    /** Adds unnamed nodes at the lstm's source place. */
    private record Ops(Graph.Builder b, Span span) {
        Node add(Op op, Shape shape, Object arg, Node... in) {
            return b.add(op, shape, List.of(in), arg, null, span);
        }

        /** Gate {@code k} (i, f, c, o) of the pre-activations: its {@code units} columns. */
        Node gate(Node z, int k, int units) {
            return add(Op.SLICE, new Shape(1, units), new Op.SliceSpec(1, k * units, units), z);
        }

        Node act(Activation fn, Node x) {
            return add(Op.ACTIVATION, x.shape(), new Op.ActivationSpec(fn, 0f), x);
        }
    }
}
