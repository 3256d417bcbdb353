package nnet.expand;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnet.diag.Span;
import nnet.ir.Graph;
import nnet.ir.LoopSpec;
import nnet.ir.LstmSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.Shape;
import nnet.runtime.math.Activation;

/**
 * The lstm, defined once: {@link #cell} is one time step of a Keras LSTM in primitive ops (gates
 * i, f, c, o), and {@link #expand} rewrites each lstm node as the input projection of all steps,
 * a {@link Op#LOOP} over that cell (zero initial state) and {@link Op#LOOP_OUT} for its states. The interpreter runs an lstm node
 * through the same expansion ({@link #alone}), so the reference and the generated code cannot
 * drift apart; autodiff differentiates the cell into the reverse loop of backpropagation through
 * time. IR and generated code are one step long, whatever the sequence's length.
 */
public final class LstmExpansion {
    private LstmExpansion() {}

    /** The graph with its lstm nodes replaced by loops; the graph itself when it has none. */
    public static Graph expand(Graph g) {
        if (g.nodes().stream().noneMatch(n -> n.op() == Op.LSTM)) return g;
        Graph.Builder b = new Graph.Builder(g.name(), g.sourceFile());
        Map<Node, Node> now = new HashMap<>();
        for (Node n : g.nodes()) {
            List<Node> in = n.inputs().stream().map(now::get).toList();
            now.put(n, n.op() == Op.LSTM ? loop(b, n, in.get(0)) : b.add(n.op(), n.shape(), in, n.arg(), n.name(), n.span()));
        }
        g.named().forEach((name, n) -> {
            b.alias(name, now.get(n));
            b.unitNames(now.get(n), g.unitNames().get(name));
        });
        for (Param p : g.params()) b.param(p);
        for (Node out : g.outputs()) b.output(now.get(out));
        for (Graph.Loss l : g.losses()) b.loss(l.on(now.get(l.output())));
        for (Graph.Activity a : g.activities()) b.activity(new Graph.Activity(now.get(a.node()), a.penalty(), a.span()));
        b.train(g.train());
        return b.build();
    }

    /** One lstm node on its own: an input {@code x} shaped like the lstm's input, and its loop, the last node being the lstm's value. */
    public static Graph alone(Node lstm) {
        Graph.Builder b = new Graph.Builder(lstm.label(), lstm.span().file());
        for (Param p : params((LstmSpec) lstm.arg())) b.param(p);
        Node x = b.add(Op.INPUT, lstm.input(0).shape(), List.of(), null, "x", lstm.span());
        b.output(loop(b, lstm, x));
        return b.build();
    }

    private static List<Param> params(LstmSpec l) {
        return l.bias() == null ? List.of(l.kernel(), l.recurrent()) : List.of(l.kernel(), l.recurrent(), l.bias());
    }

    /**
     * The input projection of every step at once, {@code x W} (one product over all the rows,
     * whose gradients then leave the loop too), the loop over its rows, and the result: every step's
     * h ({@code sequences}), or the last one's.
     */
    private static Node loop(Graph.Builder b, Node lstm, Node x) {
        LstmSpec l = (LstmSpec) lstm.arg();
        int t = x.shape().dim(0);
        Shape gates = new Shape(t, 4 * l.units());
        Node projected = b.add(Op.LINEAR, gates, List.of(x), l.kernel(), null, lstm.span());
        Graph cell = cell(l, lstm);
        Node loop = b.add(Op.LOOP, Shape.SCALAR, List.of(projected), new LoopSpec(cell, t, false, 2, 0), null, lstm.span());
        LoopSpec.Out hs = new LoopSpec.Out(cell.outputs().get(0), false);
        if (l.sequences()) return b.add(Op.LOOP_OUT, hs.shape(t), List.of(loop), hs, lstm.name(), lstm.span());
        Node all = b.add(Op.LOOP_OUT, hs.shape(t), List.of(loop), hs, null, lstm.span());
        Node last = b.add(Op.SLICE, new Shape(1, l.units()), List.of(all), new Op.SliceSpec(0, t - 1, 1), null, lstm.span());
        return b.add(Op.RESHAPE, lstm.shape(), List.of(last), null, lstm.name(), lstm.span());
    }

    /**
     * One time step, inputs {@code xw} (the step's row of {@code x W}), {@code h} and {@code c}
     * (the state), outputs the next h and c:
     * <pre>
     * z   = x W + h R + b        (W, R and b masked as the source says: absent connections are never visited)
     * c_t = sigmoid(z_f) c + sigmoid(z_i) tanh(z_c)
     * h_t = sigmoid(z_o) tanh(c_t)
     * </pre>
     */
    private static Graph cell(LstmSpec l, Node lstm) {
        Graph.Builder b = new Graph.Builder(lstm.label() + ".step", lstm.span().file());
        b.param(l.recurrent());
        int u = l.units();
        Shape gates = new Shape(4 * u), unit = new Shape(u);
        Ops ops = new Ops(b, lstm.span());
        Node xw = b.add(Op.INPUT, gates, List.of(), null, "xw", lstm.span());
        Node h = b.add(Op.INPUT, unit, List.of(), null, "h", lstm.span());
        Node c = b.add(Op.INPUT, unit, List.of(), null, "c", lstm.span());
        Node z = ops.add(Op.ADD, gates, null, xw, ops.add(Op.LINEAR, gates, l.recurrent(), h));
        if (l.bias() != null) { // added in the step, fused with z's sum, not in a pass of its own over every step's row
            b.param(l.bias());
            z = ops.add(Op.BIAS_ADD, gates, l.bias(), z);
        }
        Node in = ops.act(Activation.SIGMOID, ops.gate(z, 0, u));
        Node forget = ops.act(Activation.SIGMOID, ops.gate(z, 1, u));
        Node candidate = ops.act(Activation.TANH, ops.gate(z, 2, u));
        Node out = ops.act(Activation.SIGMOID, ops.gate(z, 3, u));
        Node cNext = ops.add(Op.ADD, unit, null, ops.add(Op.MUL, unit, null, forget, c), ops.add(Op.MUL, unit, null, in, candidate));
        Node hNext = ops.add(Op.MUL, unit, null, out, ops.act(Activation.TANH, cNext));
        b.output(hNext);
        b.output(cNext);
        return b.build();
    }

    /** Adds unnamed nodes at the lstm's source place. */
    private record Ops(Graph.Builder b, Span span) {
        Node add(Op op, Shape shape, Object arg, Node... in) {
            return b.add(op, shape, List.of(in), arg, null, span);
        }

        /** Gate {@code k} (i, f, c, o) of the pre-activations: its {@code units} entries. */
        Node gate(Node z, int k, int units) {
            return add(Op.SLICE, new Shape(units), new Op.SliceSpec(0, k * units, units), z);
        }

        Node act(Activation fn, Node x) {
            return add(Op.ACTIVATION, x.shape(), new Op.ActivationSpec(fn, 0f), x);
        }
    }
}
