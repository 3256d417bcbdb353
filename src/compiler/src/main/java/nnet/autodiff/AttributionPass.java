package nnet.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;

/**
 * The attribution network of a network: a backward pass seeded at its outputs' raw values (before
 * the loss: the logits under a cross-entropy) instead of at the loss, keeping the adjoint of every
 * named node, inputs included. It is an ordinary network without a loss, whose inputs are the
 * network's, one seed per output ({@code y@seed}: the gradient fed at {@code y}'s raw value, a
 * one-hot row picks a unit) and under {@link Rule#RESCALE} the baseline's ({@code x@baseline});
 * it is lowered and emitted as any network, so it runs in tiles over the cores. The runtime
 * ({@code nnet.runtime.Attributions}) reads its named nodes:
 * <ul>
 * <li>{@code h@grad}: the adjoint of {@code h} (absent when h does not reach an output);</li>
 * <li>{@code y@raw}: the raw value of output y; under RESCALE also {@code h@baseline} and
 *     {@code y@raw@baseline}, the values at the baseline.</li>
 * </ul>
 */
public final class AttributionPass {
    private AttributionPass() {}

    public static final String GRAD = "@grad", SEED = "@seed", RAW = "@raw", BASELINE = BaselineTwin.SUFFIX;

    /** Which multipliers the pass propagates; each is a class of its own, {@code <Network>$<Rule>} (the runtime's {@code Attributions.Pass}). */
    public enum Rule {
        /** The gradient: saliency, gradient x input and integrated gradients. */
        GRADIENT("Gradient"),
        /** DeepLIFT's Rescale rule beside the network at the baseline ({@link BackwardPass.Mode}). */
        RESCALE("Rescale");

        public final String className;

        Rule(String className) {
            this.className = className;
        }
    }

    /** The attribution network of {@code expanded} (lstm expanded, see {@code Compiler.stages}) under {@code rule}. */
    public static Graph of(Graph expanded, Rule rule) {
        Graph base = expanded;
        Map<Node, Node> now = new HashMap<>();
        expanded.nodes().forEach(n -> now.put(n, n));
        BackwardPass.Mode mode = new BackwardPass.Mode(false, Set.of(), null);
        Map<Node, Node> baselineOf = Map.of();
        if (rule == Rule.RESCALE) {
            BaselineTwin.Twinned t = BaselineTwin.of(expanded);
            base = t.graph();
            now.putAll(t.now());
            baselineOf = t.baselineOf();
            mode = new BackwardPass.Mode(false, t.constant(), baselineOf);
        }
        List<Node> targets = new ArrayList<>();
        List<String> outputNames = new ArrayList<>(), seeds = new ArrayList<>();
        for (Node out : expanded.outputs()) {
            String name = nameOf(expanded, out);
            outputNames.add(name);
            targets.add(now.get(rawValue(expanded, out)));
            seeds.add(name + SEED);
        }
        BackwardPass.Adjoints a = BackwardPass.adjoints(base, mode, targets, seeds);
        Graph.Builder b = Graph.Builder.extending(a.graph());
        for (Map.Entry<String, Node> e : expanded.named().entrySet()) {
            Node n = now.get(e.getValue()), adjoint = a.of().get(n);
            if (adjoint != null) b.alias(e.getKey() + GRAD, adjoint);
            if (rule == Rule.RESCALE) b.alias(e.getKey() + BASELINE, baselineOf.getOrDefault(n, n));
        }
        for (int k = 0; k < targets.size(); k++) {
            b.alias(outputNames.get(k) + RAW, targets.get(k));
            if (rule == Rule.RESCALE) b.alias(outputNames.get(k) + RAW + BASELINE, baselineOf.getOrDefault(targets.get(k), targets.get(k)));
        }
        Graph g = b.build();
        return new Graph(expanded.name() + "$" + rule.className, g.sourceFile(), g.nodes(), g.inputs(), List.copyOf(targets), g.named(), g.params(), List.of(), g.train(), expanded.unitNames());
    }

    /**
     * The dense layers of a network as the runtime's {@code DenseChain} reads them (the {@code weights}
     * method, GenNet's path products): a line {@code node<TAB>input<TAB>kernel} for every named node, and
     * every output's raw value (under the output's name), that is a dense layer's value (after its bias
     * and activation, or before them) on a named node.
     */
    public static String links(Graph g) {
        StringBuilder out = new StringBuilder();
        Map<Node, String> names = new HashMap<>();
        g.named().forEach((name, n) -> names.putIfAbsent(n, name));
        for (Node o : g.outputs()) names.put(rawValue(g, o), nameOf(g, o));
        names.forEach((n, name) -> {
            Node at = n;
            while (at.op() == Op.ACTIVATION || at.op() == Op.BIAS_ADD) at = at.input(0);
            if (at.op() == Op.LINEAR && names.containsKey(at.input(0)) && at.shape().rank() == 1)
                out.append(name).append('\t').append(names.get(at.input(0))).append('\t').append(at.param().name()).append('\n');
        });
        return out.toString();
    }

    /** An output's raw value: what its loss reads (the logits beneath a softmax under cross_entropy, a sigmoid's input under binary_cross_entropy), else itself. */
    public static Node rawValue(Graph g, Node output) {
        for (Graph.Loss l : g.losses()) if (l.output() == output) return BackwardPass.lossInput(l.function(), output);
        return output;
    }

    /** The readable name of a node: its own, or the first name bound to it. */
    static String nameOf(Graph g, Node n) {
        if (n.name() != null) return n.name();
        for (Map.Entry<String, Node> e : g.named().entrySet()) if (e.getValue() == n) return e.getKey();
        throw new IllegalStateException("node without a name: " + n);
    }
}
