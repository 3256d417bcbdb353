package nnet.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.diag.Span;
import nnet.ir.BatchNormSpec;
import nnet.ir.LayerNormSpec;
import nnet.ir.ConvSpec;
import nnet.ir.Graph;
import nnet.ir.LoopSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.Shape;
import nnet.runtime.math.Activation;
import nnet.runtime.math.LossFunction;

/**
 * Reverse-mode differentiation as a graph transformation: the forward graph is extended with a
 * target input and a loss per {@code loss} statement, their weighted sum, and the adjoint of every node that depends on a trainable weight or an
 * input, walking the nodes in reverse (micrograd's order). Each forward op has one rule in
 * {@link #rule}; a node read by several consumers (skip paths, gates) gets the sum of their
 * contributions. The result is ordinary IR, so the interpreter runs it and the backend can emit it.
 */
public final class BackwardPass extends GradientGraph {
    /**
     * The extended graph and where to find things in it.
     *
     * @param terms      a term per loss statement, in the source's order
     * @param loss       the loss: the weighted sum of the terms' losses (the term's own with one loss of weight 1)
     * @param penalty    the sum of the activity penalties ({@code activity:}) of one sample, or null without any;
     *                   what is trained is {@code loss + penalty} (weight penalties are the runtime's: {@link Param#penalty()})
     * @param penaltyWeight the input node ({@code penalty.weight}, [1]) that the activity penalties and their
     *                   gradients are multiplied by: 1 for a sample, 0 for the lanes of a tile past a batch's end
     *                   (which must add nothing to any gradient); null without activity penalties
     * @param paramGrads the gradient of each trainable param as the contributions of its uses, to be
     *                   summed (an lstm's kernels are used at every time step); fixed params have none
     * @param inputGrads the gradient of the loss with respect to each input, by input name
     */
    public record Result(Graph graph, List<Term> terms, Node loss, Node penalty, Node penaltyWeight, Map<Param, List<Node>> paramGrads, Map<String, Node> inputGrads) {
        /** What the gradients are of, from a run's values: the loss plus the activity penalties. */
        public double objective(double[][] values) {
            return values[loss.id()][0] + (penalty == null ? 0 : values[penalty.id()][0]);
        }
    }

    /**
     * One loss statement in the extended graph.
     *
     * @param output       the output it is on
     * @param target       the input node its target is fed to ({@code y.target}), shaped like the output
     * @param sampleWeight the input node of the sample's weight in this loss ({@code y.weight}, [1]): its
     *                     {@code --sample-weights} value times its class weight, 1 for plain training
     * @param loss         its own value on the sample, times the sample's weight (not the statement's)
     */
    public record Term(Node output, Node target, Node sampleWeight, Node loss, LossFunction function, double weight) {}

    /** The gradients of what each loop computed (its LOOP_OUT nodes), gathered until the walk reaches the loop. */
    private final Map<Node, Map<LoopSpec.Out, Node>> loopOutGrads = new HashMap<>();
    /** What is differentiated and by which rules: the loss's gradient, or an attribution's ({@link Mode}). */
    private final Mode mode;
    /** The final adjoint of each node the walk passed, for {@link #adjoints}. */
    private final Map<Node, Node> adjoints = new HashMap<>();
    /** In the pass over a loop's step: which of its weight gradients leave the loop (see {@link #loop}); null elsewhere. */
    private Step step;

    /** A weight gradient {@code x^T dz} of one step, to be computed once over the stacks of x and dz. */
    private record StepProduct(Param p, Node x, Node dz) {}

    /**
     * The step of a loop being differentiated: a step value is stackable when the loop hands out its
     * value at every step, {@code [T, ...]}: every body node that is not an input, the forward step's
     * inputs (a row of a sequence), and its carried inputs in a forward loop (zero at the first step).
     */
    private record Step(LoopSpec forward, List<StepProduct> products) {
        boolean stackable(Node v) {
            if (v.op() != Op.INPUT) return true;
            int forwardNodes = forward.body().nodes().size();
            return v.id() < forwardNodes && (forward.stepInputs().contains(v) || !forward.reverse() && forward.carriedInputs().contains(v));
        }
    }

    /**
     * What a pass differentiates. The loss's gradient ({@link #TRAINING}): every input and every weight
     * that is not fixed, by the gradient rules. An attribution (nnet.autodiff.AttributionPass): no
     * weight gradients, no gradient of the {@code constant} inputs (the baseline's), and with
     * {@code baselineOf} (each node's value at the baseline, itself where it does not depend on the
     * inputs) DeepLIFT's rules: an activation's derivative becomes its secant between the baseline and
     * the input, a product's factor the mean of its two values, a quotient's the same by its exact
     * two-way split; so a node's adjoint times its change from the baseline sums to the target's change.
     */
    public record Mode(boolean weights, Set<Node> constant, Map<Node, Node> baselineOf) {
        public static final Mode TRAINING = new Mode(true, Set.of(), null);

        boolean rescale() {
            return baselineOf != null;
        }
    }

    private BackwardPass(Graph g) {
        this(g, Mode.TRAINING);
    }

    private BackwardPass(Graph g, Mode mode) {
        super(g);
        this.mode = mode;
        for (Node n : g.nodes()) {
            boolean trainable = n.op() == Op.INPUT && !n.integers() && !mode.constant().contains(n) // token ids have no gradient
                    || !mode.weights() && n.op() == Op.EMBEDDING // an attribution starts at the vectors the tokens look up
                    || mode.weights() && ((n.op() == Op.LINEAR || n.op() == Op.BIAS_ADD || n.op() == Op.EMBEDDING) && !n.param().isFixed()
                    || (n.op() == Op.CONV2D && trainable((ConvSpec) n.arg())) || n.op() == Op.LSTM || n.op() == Op.LOOP
                    || (n.op() == Op.BATCHNORM && (((BatchNormSpec) n.arg()).gamma() != null || ((BatchNormSpec) n.arg()).beta() != null))
                    || (n.op() == Op.LAYERNORM && (((LayerNormSpec) n.arg()).gamma() != null || ((LayerNormSpec) n.arg()).beta() != null)));
            for (Node in : n.inputs()) trainable |= needsGrad[in.id()];
            needsGrad[n.id()] = trainable;
        }
    }

    private static boolean trainable(ConvSpec c) {
        return !c.kernel().isFixed() || (c.bias() != null && !c.bias().isFixed());
    }

    /** Differentiates the weighted sum of the graph's {@code loss} statements. */
    public static Result derive(Graph g) {
        if (!g.hasLoss()) throw new IllegalArgumentException("network " + g.name() + " has no loss statement");
        return new BackwardPass(g).run(g);
    }

    private Result run(Graph g) {
        List<Term> terms = new ArrayList<>();
        List<Node> weighted = new ArrayList<>();
        for (Graph.Loss spec : g.losses()) {
            Term t = seed(spec, g.losses().size() == 1);
            terms.add(t);
            weighted.add(t.weight() == 1 ? t.loss() : scale(t.loss(), (float) t.weight()));
        }
        Node total = weighted.get(0);
        for (int k = 1; k < weighted.size(); k++) // the last sum is the loss, by name
            total = b.add(Op.ADD, Shape.SCALAR, List.of(total, weighted.get(k)), null, k == weighted.size() - 1 ? "loss" : null, span);
        Node penaltyWeight = g.activities().isEmpty() ? null : b.add(Op.INPUT, Shape.SCALAR, List.of(), null, "penalty.weight", span);
        Node penalty = penaltyWeight == null ? null : penalties(g.activities(), penaltyWeight);
        Map<Param, List<Node>> paramGrads = new LinkedHashMap<>();
        Map<String, Node> inputGrads = new LinkedHashMap<>();
        walk(g, paramGrads).forEach((in, d) -> inputGrads.put(in.name(), d));
        return new Result(b.build(), List.copyOf(terms), total, penalty, penaltyWeight, paramGrads, inputGrads);
    }

    /**
     * The activity penalties, {@code l1 Σ|y| + l2 Σy²} over each layer's output y, summed into one node
     * named {@code penalty}; each one's gradient {@code l1 sign(y) + 2 l2 y} seeded into y's; both times
     * {@code weight} (see {@link Result#penaltyWeight()}). |y| is {@code relu(y) + relu(-y)} and sign(y) the difference of their derivatives (0 at
     * 0, as abs's gradient is in TensorFlow): rows of the activation table, so a penalty needs no op of its own.
     */
    private Node penalties(List<Graph.Activity> activities, Node weight) {
        List<Node> sums = new ArrayList<>();
        List<Float> factors = new ArrayList<>();
        for (Graph.Activity a : activities) {
            span = a.span();
            Node y = a.node();
            float l1 = a.penalty().l1(), l2 = a.penalty().l2();
            if (l1 > 0) {
                Op.ActivationSpec relu = new Op.ActivationSpec(Activation.RELU, 0f);
                Node minusY = scale(y, -1);
                sums.add(node(Op.SUM, Shape.SCALAR, null, binary(Op.ADD, node(Op.ACTIVATION, y.shape(), relu, y), node(Op.ACTIVATION, y.shape(), relu, minusY))));
                factors.add(l1);
                accumulate(y, mul(weight, scale(binary(Op.SUB, node(Op.DERIV, y.shape(), relu, y), node(Op.DERIV, y.shape(), relu, minusY)), l1)));
            }
            if (l2 > 0) {
                sums.add(node(Op.SUM, Shape.SCALAR, null, mul(y, y)));
                factors.add(l2);
                accumulate(y, mul(weight, scale(y, 2 * l2)));
            }
        }
        Node total = null;
        for (int k = 0; k < sums.size(); k++) {
            Node term = scale(sums.get(k), factors.get(k));
            total = k == 0 ? term : binary(Op.ADD, total, term);
        }
        if (total == null) total = constant(0); // l1(0) alone: nothing to add
        return b.add(Op.MUL, Shape.SCALAR, List.of(weight, total), null, "penalty", span); // by name: a buffer the runtime reads
    }

    /** A loss statement's target, loss and the gradient it seeds into its output (times its weight). */
    private Term seed(Graph.Loss spec, boolean only) {
        Node output = spec.output();
        span = spec.span();
        String name = output.name() != null ? output.name() : "output";
        Node target = b.add(Op.INPUT, output.shape(), List.of(), null, name + ".target", span);
        Node sampleWeight = b.add(Op.INPUT, Shape.SCALAR, List.of(), null, name + ".weight", span);
        Fused fused = Fused.of(spec.function(), output);
        // the loss and its gradient first, side by side: one run over a tile's lanes
        Node value = node(Op.LOSS, Shape.SCALAR, fused.function(), fused.y(), target), dy = node(Op.LOSS_GRAD, fused.y().shape(), fused.function(), fused.y(), target);
        Node loss = b.add(Op.MUL, Shape.SCALAR, List.of(sampleWeight, value), null, only ? "loss" : name + ".loss", span);
        Node grad = mul(sampleWeight, dy);
        accumulate(fused.y(), spec.weight() == 1 ? grad : scale(grad, (float) spec.weight()));
        return new Term(output, target, sampleWeight, loss, spec.function(), spec.weight());
    }

    /**
     * The adjoint of every node of {@code g} that has a gradient, last node first; each param's
     * contributions into {@code paramGrads}. Returns the gradients of the inputs.
     */
    private Map<Node, Node> walk(Graph g, Map<Param, List<Node>> paramGrads) {
        Map<Node, Node> inputGrads = new LinkedHashMap<>();
        for (int id = g.nodes().size() - 1; id >= 0; id--) {
            Node n = g.nodes().get(id);
            span = n.span();
            Node dy = gradientOf(n);
            if (dy == null && !loopOutGrads.containsKey(n)) continue;
            if (dy != null) adjoints.put(n, dy);
            if (n.op() == Op.INPUT) inputGrads.put(n, dy);
            else rule(n, dy, (p, contribution) -> paramGrads.computeIfAbsent(p, k -> new ArrayList<>()).add(contribution)).run();
        }
        return inputGrads;
    }

    /**
     * What the loss reads: a cross-entropy on a softmax output reads the logits beneath it (the
     * softmax is part of cross_entropy), and binary_cross_entropy on a sigmoid output reads the
     * sigmoid's input, which stays exact where the sigmoid saturates in float.
     */
    private record Fused(Node y, LossFunction function) {
        static Fused of(LossFunction f, Node output) {
            if (f == LossFunction.CROSS_ENTROPY && output.op() == Op.SOFTMAX) return new Fused(output.input(0), f);
            if (f == LossFunction.BINARY_CROSS_ENTROPY && output.op() == Op.ACTIVATION && ((Op.ActivationSpec) output.arg()).fn() == Activation.SIGMOID)
                return new Fused(output.input(0), LossFunction.BINARY_CROSS_ENTROPY_ON_LOGITS);
            return new Fused(output, f);
        }
    }

    /**
     * The adjoint rule of each op, one case per op and no default: what {@code n}'s gradient
     * {@code dy} contributes to its inputs' and params'.
     */
    private Runnable rule(Node n, Node dy, ParamGrads paramGrads) {
        return switch (n.op()) {
            case INPUT, CONST -> () -> {};
            case LINEAR -> () -> {
                Param p = n.param();
                Node x = n.input(0);
                if (trains(p)) {
                    if (step != null && step.stackable(x) && step.stackable(dy)) step.products().add(new StepProduct(p, x, dy));
                    else paramGrads.put(p, node(Op.WEIGHT_GRAD, p.shape(), p, x, dy));
                }
                accumulate(x, () -> node(Op.LINEAR_T, x.shape(), p, dy));
            };
            case BIAS_ADD -> () -> {
                Param p = n.param();
                // rows summed, absent entries of a bias mask left at 0
                if (trains(p)) paramGrads.put(p, n.shape().rank() == 1 && p.present() == null ? dy : node(Op.ROW_SUM, p.shape(), p, dy));
                accumulate(n.input(0), dy);
            };
            case ADD -> () -> {
                accumulate(n.input(0), () -> unbroadcast(dy, n.input(0)));
                accumulate(n.input(1), () -> unbroadcast(dy, n.input(1)));
            };
            case SUB -> () -> {
                accumulate(n.input(0), () -> unbroadcast(dy, n.input(0)));
                accumulate(n.input(1), () -> unbroadcast(scale(dy, -1), n.input(1)));
            };
            case MUL -> () -> { // under DeepLIFT, each factor at its mean: a b - a0 b0 = (b + b0)/2 (a - a0) + (a + a0)/2 (b - b0)
                accumulate(n.input(0), () -> unbroadcast(mul(dy, mean(n.input(1))), n.input(0)));
                accumulate(n.input(1), () -> unbroadcast(mul(dy, mean(n.input(0))), n.input(1)));
            };
            case DIV -> () -> {
                Node a = n.input(0), c = n.input(1);
                if (mode.rescale()) rescaledQuotient(n, dy);
                else { // d(a/b) = da / b - a db / b^2
                    accumulate(a, () -> unbroadcast(binary(Op.DIV, dy, c), a));
                    accumulate(c, () -> unbroadcast(scale(mul(dy, binary(Op.DIV, n, c)), -1), c));
                }
            };
            case ACTIVATION -> () -> accumulate(n.input(0), () -> mul(dy, mode.rescale()
                    ? node(Op.SECANT, n.shape(), n.arg(), n.input(0), baseline(n.input(0)))
                    : node(Op.DERIV, n.shape(), n.arg(), n.input(0))));
            case SOFTMAX -> () -> accumulate(n.input(0), () -> node(Op.SOFTMAX_GRAD, n.shape(), null, n, dy));
            case RESHAPE -> () -> accumulate(n.input(0), () -> node(Op.RESHAPE, n.input(0).shape(), null, dy));
            case SLICE -> () -> {
                if (needsGrad[n.input(0).id()]) sliceGrads.computeIfAbsent(n.input(0), k -> new ArrayList<>()).add(new SliceGrad((Op.SliceSpec) n.arg(), dy));
            };
            case CONCAT -> () -> {
                int axis = (Integer) n.arg(), offset = 0;
                for (Node part : n.inputs()) {
                    int at = offset, len = part.shape().dim(axis);
                    accumulate(part, () -> node(Op.SLICE, part.shape(), new Op.SliceSpec(axis, at, len), dy));
                    offset += len;
                }
            };
            case CONV2D -> () -> {
                ConvSpec c = (ConvSpec) n.arg();
                Node x = n.input(0);
                if (trains(c.kernel())) paramGrads.put(c.kernel(), node(Op.CONV2D_KERNEL_GRAD, c.kernel().shape(), c, x, dy));
                if (c.bias() != null && trains(c.bias())) paramGrads.put(c.bias(), node(Op.CONV2D_BIAS_GRAD, c.bias().shape(), c, dy));
                accumulate(x, () -> node(Op.CONV2D_INPUT_GRAD, x.shape(), c, dy));
            };
            case MAXPOOL -> () -> accumulate(n.input(0), () -> node(Op.MAXPOOL_GRAD, n.input(0).shape(), n.arg(), n.input(0), dy));
            case AVGPOOL -> () -> accumulate(n.input(0), () -> node(Op.AVGPOOL_GRAD, n.input(0).shape(), n.arg(), dy));
            case EMBEDDING -> () -> { // token ids have no gradient: only the rows they name do (and an attribution wants none)
                if (mode.weights() && n.param().trains()) paramGrads.put(n.param(), node(Op.EMBEDDING_GRAD, n.param().shape(), n.param(), n.input(0), dy));
            };
            case DROPOUT -> () -> accumulate(n.input(0), () -> node(Op.DROPOUT, n.shape(), n.arg(), dy)); // the same mask
            case BATCHNORM -> () -> {
                BatchNormSpec b = (BatchNormSpec) n.arg();
                Node x = n.input(0);
                if (!mode.weights()) { // an attribution runs the predicting network: a batchnorm is then affine, its derivative the same map on dy
                    accumulate(x, () -> node(Op.BATCHNORM, x.shape(), b.derivative(), dy));
                    return;
                }
                for (BatchNormSpec.ParamGrad pg : new BatchNormSpec.ParamGrad[] {new BatchNormSpec.ParamGrad(b, true), new BatchNormSpec.ParamGrad(b, false)})
                    if (pg.param() != null) paramGrads.put(pg.param(), node(Op.BATCHNORM_PARAM_GRAD, pg.param().shape(), pg, x, dy));
                accumulate(x, () -> node(Op.BATCHNORM_GRAD, x.shape(), b, x, dy));
            };
            case LAYERNORM -> () -> { // one sample's rows alone: the same derivative while training and predicting
                LayerNormSpec l = (LayerNormSpec) n.arg();
                Node x = n.input(0);
                for (LayerNormSpec.ParamGrad pg : new LayerNormSpec.ParamGrad[] {new LayerNormSpec.ParamGrad(l, true), new LayerNormSpec.ParamGrad(l, false)})
                    if (pg.param() != null && trains(pg.param())) paramGrads.put(pg.param(), node(Op.LAYERNORM_PARAM_GRAD, pg.param().shape(), pg, x, dy));
                accumulate(x, () -> node(Op.LAYERNORM_GRAD, x.shape(), l, x, dy));
            };
            case LSTM -> throw new IllegalStateException("an lstm is differentiated as a loop: expand it first (Compiler.stages)");
            case LOOP_OUT -> () -> loopOutGrads.computeIfAbsent(n.input(0), k -> new LinkedHashMap<>()).merge((LoopSpec.Out) n.arg(), dy, (a, c) -> binary(Op.ADD, a, c));
            case LOOP -> () -> loop(n, loopOutGrads.get(n), paramGrads);
            // the backward pass's own ops are never differentiated again (no second derivatives)
            case DERIV, SECANT, LINEAR_T, WEIGHT_GRAD, ROW_SUM, EMBED, SUM, SOFTMAX_GRAD, CONV2D_INPUT_GRAD, CONV2D_KERNEL_GRAD, CONV2D_BIAS_GRAD,
                    MAXPOOL_GRAD, AVGPOOL_GRAD, LOSS, LOSS_GRAD, BATCHNORM_GRAD, BATCHNORM_PARAM_GRAD, EMBEDDING_GRAD, LAYERNORM_GRAD, LAYERNORM_PARAM_GRAD -> throw new IllegalStateException(n.op().lower() + " is not differentiated: " + n);
        };
    }

    /**
     * Backpropagation through time: a loop running the other way, whose step is the adjoint of the
     * forward step (derived by this same pass on the body) and extends it, so it reads the forward
     * step's values instead of computing them again. Its step inputs are the gradients of what the
     * forward loop stacked; it carries the gradients of the carried state; it stacks the gradients of
     * the step inputs and sums each param's contributions over the steps. A weight gradient of the step
     * ({@code x^T dz}, x and dz stackable, see {@link Step}) is not computed in the loop but once after
     * it, over the stacks of x and dz ({@code [T, ...]}), as for a dense layer over a sequence: an
     * lstm's recurrent kernel gets {@code h_{t-1}} stacked by the forward loop and {@code dz_t}, the
     * stack that is also the gradient of the input projection.
     */
    private void loop(Node n, Map<LoopSpec.Out, Node> outGrads, ParamGrads paramGrads) {
        LoopSpec l = (LoopSpec) n.arg();
        if (l.priorNodes() > 0) throw new IllegalStateException("a backward loop is not differentiated: " + n);
        Graph body = l.body();
        BackwardPass step = new BackwardPass(body, mode);
        step.span = span;
        step.step = new Step(l, new ArrayList<>());
        List<Node> sequences = new ArrayList<>(List.of(n));
        outGrads.forEach((out, dy) -> {
            if (out.summed()) throw new IllegalStateException("a sum over a loop's steps is not differentiated: " + n);
            step.accumulate(out.node(), step.b.add(Op.INPUT, out.node().shape(), List.of(), null, "stacked" + out.node().id() + ".grad", span));
            sequences.add(dy);
        });
        List<Node> carriedSeeds = new ArrayList<>();
        for (Node next : body.outputs()) {
            Node seed = step.b.add(Op.INPUT, next.shape(), List.of(), null, "carried" + next.id() + ".grad", span);
            step.accumulate(next, seed);
            carriedSeeds.add(seed);
        }
        Map<Param, List<Node>> stepParams = new LinkedHashMap<>();
        Map<Node, Node> inputGrads = step.walk(body, stepParams);
        List<Node> carriedGrads = new ArrayList<>();
        for (int k = 0; k < l.carried(); k++) { // a state no step reads has gradient 0
            Node d = inputGrads.get(l.carriedInputs().get(k));
            carriedGrads.add(d != null ? d : step.scale(carriedSeeds.get(k), 0));
        }
        Graph backBody = step.b.build().withOutputs(carriedGrads);
        Node back = b.add(Op.LOOP, Shape.SCALAR, sequences, new LoopSpec(backBody, l.steps(), !l.reverse(), l.carried(), body.nodes().size()), null, span);
        List<Node> stepInputs = l.stepInputs();
        Map<Node, Node> stacks = new HashMap<>();
        java.util.function.Function<Node, Node> stack = v -> stacks.computeIfAbsent(v, k -> {
            int seq = stepInputs.indexOf(v);
            if (seq >= 0) return n.input(seq); // a step's row of a sequence: the sequence
            LoopSpec.Out stacked = new LoopSpec.Out(v, false);
            return node(Op.LOOP_OUT, stacked.shape(l.steps()), stacked, v.id() < body.nodes().size() ? n : back);
        });
        for (int k = 0; k < stepInputs.size(); k++) {
            Node d = inputGrads.get(stepInputs.get(k));
            if (d != null) accumulate(n.input(k), () -> stack.apply(d));
        }
        stepParams.forEach((p, uses) -> uses.forEach(u -> paramGrads.put(p, node(Op.LOOP_OUT, u.shape(), new LoopSpec.Out(u, true), back))));
        // a weight gradient of the step, summed over the steps, is one product over the stacks of its
        // operands after the loop (as for a dense layer over a sequence): the recurrent kernel's gradient
        // is then streamed once, not at every step
        for (StepProduct sp : step.step.products())
            paramGrads.put(sp.p(), node(Op.WEIGHT_GRAD, sp.p().shape(), sp.p(), stack.apply(sp.x()), stack.apply(sp.dz())));
    }

    /** Whether a param's gradient is built: a weight that is not fixed, when the pass computes weight gradients. */
    private boolean trains(Param p) {
        return mode.weights() && !p.isFixed();
    }

    /** A node's value at the baseline under DeepLIFT: its twin, or itself where it does not depend on the inputs. */
    private Node baseline(Node n) {
        return mode.rescale() ? mode.baselineOf().getOrDefault(n, n) : n;
    }

    /** A product's other factor: itself, or under DeepLIFT its mean with its value at the baseline. */
    private Node mean(Node factor) {
        Node base = baseline(factor);
        return base == factor ? factor : scale(binary(Op.ADD, factor, base), 0.5f);
    }

    /**
     * DeepLIFT's split of {@code q = a / c}: {@code q - q0 = (a - a0) (1/c + 1/c0) / 2 - (c - c0) (a + a0) / (2 c c0)},
     * exact, and the gradient rule where nothing changes.
     */
    private void rescaledQuotient(Node q, Node dy) {
        Node a = q.input(0), c = q.input(1), c0 = baseline(c);
        Node product = c0 == c ? mul(c, c) : mul(c, c0);
        accumulate(a, () -> unbroadcast(c0 == c ? binary(Op.DIV, dy, c) : mul(dy, binary(Op.DIV, binary(Op.ADD, c, c0), scale(product, 2))), a));
        accumulate(c, () -> unbroadcast(scale(mul(dy, binary(Op.DIV, mean(a), product)), -1), c));
    }

    /**
     * The adjoints of an attribution: {@code seeds.get(k)} (an input node of the extended graph, named
     * {@code seedNames.get(k)}, shaped like {@code targets.get(k)}) is fed as the gradient of
     * {@code targets.get(k)}; no loss. Returns the extended graph and the final adjoint of every node of
     * {@code g} that has one (inputs included).
     */
    public record Adjoints(Graph graph, List<Node> seeds, Map<Node, Node> of) {}

    public static Adjoints adjoints(Graph g, Mode mode, List<Node> targets, List<String> seedNames) {
        if (mode.weights()) throw new IllegalArgumentException("an attribution computes no weight gradients");
        BackwardPass pass = new BackwardPass(g, mode);
        List<Node> seeds = new ArrayList<>();
        for (int k = 0; k < targets.size(); k++) {
            Node t = targets.get(k);
            pass.span = t.span();
            Node seed = pass.b.add(Op.INPUT, t.shape(), List.of(), null, seedNames.get(k), pass.span);
            pass.accumulate(t, seed);
            seeds.add(seed);
        }
        Map<Param, List<Node>> none = new LinkedHashMap<>();
        pass.walk(g, none);
        if (!none.isEmpty()) throw new IllegalStateException("an attribution computed weight gradients: " + none.keySet());
        return new Adjoints(pass.b.build(), List.copyOf(seeds), Map.copyOf(pass.adjoints));
    }

    /** The value a loss reads of its output: the logits beneath a softmax under cross_entropy and a sigmoid under binary_cross_entropy (see {@link Fused}). */
    public static Node lossInput(LossFunction f, Node output) {
        return Fused.of(f, output).y();
    }

    /** Adds one use's contribution to a param's gradient. */
    private interface ParamGrads {
        void put(Param p, Node contribution);
    }
}
