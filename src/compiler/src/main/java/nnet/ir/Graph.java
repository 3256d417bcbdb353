package nnet.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.diag.Span;
import nnet.runtime.math.LossFunction;

/**
 * A checked network: shaped nodes in topological order, its inputs and outputs, every name the
 * user can read ({@code activation(name)}, {@code --probe}), its weights, its losses and training
 * defaults. This is what every later phase (interpreter, autodiff, lowering, emitter) consumes.
 * {@code unitNames} holds, by readable name, the names of the units of the nodes that have them
 * (LANGUAGE.md §4, Names), in the order of their elements.
 */
public record Graph(String name, String sourceFile, List<Node> nodes, List<Node> inputs, List<Node> outputs,
                    Map<String, Node> named, List<Param> params, List<Loss> losses, TrainSettings train,
                    Map<String, List<String>> unitNames, List<Activity> activities) {

    /** A graph without activity penalties. */
    public Graph(String name, String sourceFile, List<Node> nodes, List<Node> inputs, List<Node> outputs,
                 Map<String, Node> named, List<Param> params, List<Loss> losses, TrainSettings train, Map<String, List<String>> unitNames) {
        this(name, sourceFile, nodes, inputs, outputs, named, params, losses, train, unitNames, List.of());
    }

    /**
     * {@code activity: l1(0.01)} on a layer: the penalty of its output {@code node}, per sample, joins
     * the loss trained (Keras' {@code activity_regularizer}); {@code span} is the argument's place.
     */
    public record Activity(Node node, nnet.runtime.math.Penalty penalty, Span span) {}

    /**
     * A training loss on one output, weighted in the sum the network trains ({@code loss y: mse * 0.5});
     * {@code span} is the {@code loss} statement's place; {@code classWeights} its
     * {@code class_weights: [1, 3]} (a weight per class, Keras' {@code class_weight}), or null.
     */
    public record Loss(Node output, LossFunction function, double weight, Span span, float[] classWeights) {
        public Loss(Node output, LossFunction function, Span span) {
            this(output, function, 1, span);
        }

        public Loss(Node output, LossFunction function, double weight, Span span) {
            this(output, function, weight, span, null);
        }

        /** The same loss on another node (the output's node after a rewrite). */
        public Loss on(Node other) {
            return new Loss(other, function, weight, span, classWeights);
        }
    }

    /**
     * Defaults from {@code train { }}; the CLI can override each. {@code schedule} is the {@code lr:}
     * setting when it is a schedule (else null); {@code optimizerArgs} then holds its first rate as
     * {@code lr}, what a compiled network's own optimizer starts from.
     */
    public record TrainSettings(String optimizer, Map<String, Double> optimizerArgs, int batch, int epochs, nnet.runtime.math.LrSchedule schedule) {
        public static TrainSettings defaults() {
            return new TrainSettings("adam", Map.of(), 32, 10, null);
        }
    }

    /** The same network trained with another loss (tests, and gradients of any output). */
    public Graph withLoss(Loss other) {
        return new Graph(name, sourceFile, nodes, inputs, outputs, named, params, List.of(other), train, unitNames, activities);
    }

    /** Whether the network has a loss statement, so it can be trained. */
    public boolean hasLoss() {
        return !losses.isEmpty();
    }

    /** The same nodes with other outputs (a loop's body: its carried values). */
    public Graph withOutputs(List<Node> others) {
        return new Graph(name, sourceFile, nodes, inputs, List.copyOf(others), named, params, losses, train, unitNames, activities);
    }

    /** The readable name of a node: its own, or the first name bound to it ({@code h2 = h}). */
    public String nameOf(Node n) {
        if (n.name() != null) return n.name();
        for (var e : named.entrySet()) if (e.getValue() == n) return e.getKey();
        throw new IllegalStateException("node without a name: " + n);
    }

    /** The image inputs declared {@code layout: nhwc}, whose files the data readers reorder. */
    public nnet.runtime.io.InputLayouts inputLayouts() {
        java.util.Set<String> channelsLast = new java.util.LinkedHashSet<>();
        for (Node in : inputs) if (in.arg() instanceof InputSpec s && s.layout() == ImageLayout.NHWC) channelsLast.add(in.name());
        return channelsLast.isEmpty() ? nnet.runtime.io.InputLayouts.NONE : new nnet.runtime.io.InputLayouts(java.util.Set.copyOf(channelsLast));
    }

    public Node input(String inputName) {
        for (Node n : inputs) if (n.name().equals(inputName)) return n;
        return null;
    }

    /** Number of nodes that read each node: lowering materialises values read more than once. */
    /** The inputs no output depends on (in declaration order): {@code check} warns about them, {@code predict} does not ask for them. */
    public List<Node> unusedInputs() {
        java.util.Set<Node> used = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<Node> todo = new java.util.ArrayList<>(outputs);
        while (!todo.isEmpty()) {
            Node n = todo.remove(todo.size() - 1);
            if (used.add(n)) todo.addAll(n.inputs());
        }
        return inputs.stream().filter(in -> !used.contains(in)).toList();
    }

    public int[] consumerCounts() {
        int[] counts = new int[nodes.size()];
        for (Node n : nodes) for (Node in : n.inputs()) counts[in.id()]++;
        for (Node out : outputs) counts[out.id()]++;
        return counts;
    }

    /** Builds a graph node by node; shapes are computed and checked by the caller (the checker). */
    public static final class Builder {
        private final String name;
        private final String sourceFile;
        private final List<Node> nodes = new ArrayList<>();
        private final List<Node> inputs = new ArrayList<>();
        private final List<Node> outputs = new ArrayList<>();
        private final Map<String, Node> named = new LinkedHashMap<>();
        private final List<Param> params = new ArrayList<>();
        private final List<Loss> losses = new ArrayList<>();
        private TrainSettings train = TrainSettings.defaults();
        private final List<Activity> activities = new ArrayList<>();
        private final Map<Node, List<String>> unitNames = new java.util.HashMap<>();

        public Builder(String name, String sourceFile) {
            this.name = name;
            this.sourceFile = sourceFile;
        }

        /** Starts from all of {@code g}: its nodes keep their ids, and new nodes follow them. */
        public static Builder extending(Graph g) {
            Builder b = new Builder(g.name(), g.sourceFile());
            b.nodes.addAll(g.nodes());
            b.inputs.addAll(g.inputs());
            b.outputs.addAll(g.outputs());
            b.named.putAll(g.named());
            b.params.addAll(g.params());
            b.losses.addAll(g.losses());
            b.train = g.train();
            b.activities.addAll(g.activities());
            g.named().forEach((name, n) -> b.unitNames(n, g.unitNames().get(name)));
            return b;
        }

        public Node add(Op op, Shape shape, List<Node> in, Object arg, String nodeName, Span span) {
            Node n = new Node(nodes.size(), op, shape, List.copyOf(in), arg, nodeName, span);
            nodes.add(n);
            if (op == Op.INPUT) inputs.add(n);
            if (nodeName != null) named.putIfAbsent(nodeName, n);
            return n;
        }

        /** Gives an existing node a further readable name ({@code h2 = h}). */
        public void alias(String nodeName, Node n) {
            named.putIfAbsent(nodeName, n);
        }

        public void param(Param p) {
            params.add(p);
        }

        public void output(Node n) {
            if (!outputs.contains(n)) outputs.add(n);
        }

        public void loss(Loss l) {
            losses.add(l);
        }

        public void activity(Activity a) {
            activities.add(a);
        }

        public void train(TrainSettings t) {
            train = t;
        }

        /** The names of {@code n}'s units (none when null); the graph keeps those of readable nodes. */
        public void unitNames(Node n, List<String> names) {
            if (names != null) unitNames.put(n, List.copyOf(names));
        }

        public Graph build() {
            Map<String, List<String>> byName = new LinkedHashMap<>();
            named.forEach((nodeName, n) -> {
                if (unitNames.containsKey(n)) byName.put(nodeName, unitNames.get(n));
            });
            return new Graph(name, sourceFile, Collections.unmodifiableList(nodes), List.copyOf(inputs), List.copyOf(outputs),
                    Collections.unmodifiableMap(named), List.copyOf(params), List.copyOf(losses), train, Collections.unmodifiableMap(byName), List.copyOf(activities));
        }
    }
}
