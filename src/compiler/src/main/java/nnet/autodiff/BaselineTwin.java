package nnet.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Graph;
import nnet.ir.LoopSpec;
import nnet.ir.Node;
import nnet.ir.Op;

/**
 * A network beside itself at the baseline, for DeepLIFT: every input {@code x} gets a twin input
 * {@code x@baseline}, and every node that depends on an input a twin computed the same way from the
 * twins; nodes that depend on no input are their own twins. A loop gets no twin loop: its body is
 * twinned instead (twice the step inputs and carried states), so one loop computes both and the
 * backward loop that extends it reads the step's values at the input and at the baseline alike.
 */
final class BaselineTwin {
    private BaselineTwin() {}

    static final String SUFFIX = "@baseline";

    /**
     * @param graph      the twinned network: the original's nodes (same names), each followed by its twin
     * @param now        each node of the original graph's in the twinned one
     * @param baselineOf each node of the twinned graph (or of a twinned loop body) that depends on an input: its twin
     * @param constant   the baseline inputs, of the graph and of the loop bodies: nothing is differentiated with respect to them
     */
    record Twinned(Graph graph, Map<Node, Node> now, Map<Node, Node> baselineOf, Set<Node> constant) {}

    private final Map<Node, Node> baselineOf = new HashMap<>();
    private final Set<Node> constant = new HashSet<>();
    /** Each twinned loop of the original graph: its body's nodes in the twinned body. */
    private final Map<Node, Map<Node, Node>> bodies = new HashMap<>();

    static Twinned of(Graph g) {
        BaselineTwin t = new BaselineTwin();
        Graph.Builder b = new Graph.Builder(g.name(), g.sourceFile());
        Map<Node, Node> now = new HashMap<>();
        t.copy(g.nodes(), b, now);
        g.named().forEach((name, n) -> b.alias(name, now.get(n)));
        g.params().forEach(b::param);
        g.outputs().forEach(o -> b.output(now.get(o)));
        b.train(g.train());
        return new Twinned(b.build(), Map.copyOf(now), Map.copyOf(t.baselineOf), Set.copyOf(t.constant));
    }

    /** Copies {@code nodes} into {@code b}, in order, each that depends on an input followed by its twin; {@code now} maps the nodes copied. */
    private void copy(List<Node> nodes, Graph.Builder b, Map<Node, Node> now) {
        for (Node n : nodes) {
            Node m = switch (n.op()) {
                case LOOP -> loop(n, now, b);
                case LOOP_OUT -> loopOut(n, now, b);
                default -> b.add(n.op(), n.shape(), n.inputs().stream().map(now::get).toList(), n.arg(), n.name(), n.span());
            };
            now.put(n, m);
            boolean dependent = n.op() == Op.INPUT || n.inputs().stream().anyMatch(in -> baselineOf.containsKey(now.get(in)));
            if (!dependent || baselineOf.containsKey(m) || n.op() == Op.LOOP) continue;
            Node twin = b.add(n.op(), n.shape(), m.inputs().stream().map(this::twin).toList(), n.arg(), n.op() == Op.INPUT ? n.name() + SUFFIX : null, n.span());
            baselineOf.put(m, twin);
            if (n.op() == Op.INPUT) constant.add(twin);
        }
    }

    private Node twin(Node m) {
        return baselineOf.getOrDefault(m, m);
    }

    /**
     * A loop whose inputs depend on an input: one loop over the twinned body, reading each sequence
     * and its twin; its body's carried states are the original's, then their twins. Else a copy.
     */
    private Node loop(Node n, Map<Node, Node> now, Graph.Builder b) {
        LoopSpec l = (LoopSpec) n.arg();
        if (l.priorNodes() > 0) throw new IllegalStateException("a backward loop has no baseline twin: " + n);
        List<Node> sequences = n.inputs().stream().map(now::get).toList();
        if (sequences.stream().noneMatch(baselineOf::containsKey)) return b.add(n.op(), n.shape(), sequences, l, n.name(), n.span());
        Graph body = l.body();
        Graph.Builder bb = new Graph.Builder(body.name(), body.sourceFile());
        body.params().forEach(bb::param);
        Map<Node, Node> inBody = new HashMap<>();
        // the body's inputs in the order LoopSpec reads them: steps, their twins, carried, their twins
        for (List<Node> group : List.of(l.stepInputs(), l.carriedInputs())) {
            for (Node in : group) inBody.put(in, bb.add(in.op(), in.shape(), List.of(), in.arg(), in.name(), in.span()));
            for (Node in : group) {
                Node twin = bb.add(in.op(), in.shape(), List.of(), in.arg(), in.name() + SUFFIX, in.span());
                baselineOf.put(inBody.get(in), twin);
                constant.add(twin);
            }
        }
        List<Node> rest = body.nodes().stream().filter(x -> !inBody.containsKey(x)).toList();
        copy(rest, bb, inBody);
        List<Node> outputs = new ArrayList<>();
        for (Node o : body.outputs()) outputs.add(inBody.get(o));
        for (Node o : body.outputs()) outputs.add(twin(inBody.get(o)));
        Graph twinned = bb.build().withOutputs(outputs);
        bodies.put(n, inBody);
        List<Node> in = new ArrayList<>(sequences);
        sequences.forEach(s -> in.add(twin(s)));
        return b.add(n.op(), n.shape(), in, new LoopSpec(twinned, l.steps(), l.reverse(), 2 * l.carried(), 0), n.name(), n.span());
    }

    /** What a twinned loop computed, and its twin: the same body node's twin in the same loop. */
    private Node loopOut(Node n, Map<Node, Node> now, Graph.Builder b) {
        LoopSpec.Out out = (LoopSpec.Out) n.arg();
        Node loop = now.get(n.input(0));
        Map<Node, Node> inBody = bodies.get(n.input(0));
        if (inBody == null) return b.add(n.op(), n.shape(), List.of(loop), out, n.name(), n.span());
        Node m = b.add(n.op(), n.shape(), List.of(loop), new LoopSpec.Out(inBody.get(out.node()), out.summed()), n.name(), n.span());
        baselineOf.put(m, b.add(n.op(), n.shape(), List.of(loop), new LoopSpec.Out(twin(inBody.get(out.node())), out.summed()), null, n.span()));
        return m;
    }
}
