package nnet.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.autodiff.BackwardPass;
import nnet.ir.ConvSpec;
import nnet.ir.Graph;
import nnet.ir.LayerNormSpec;
import nnet.ir.LoopSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.PoolSpec;
import nnet.ir.Shape;
import nnet.runtime.math.ConvPlan;
import nnet.runtime.math.Activation;
import nnet.runtime.math.LossFunction;

/**
 * IR graph to kernels. The fusion rule: an elementwise value gets a buffer only if someone must
 * read it later (it is named, an output, read twice, or read by a non-elementwise op); every
 * other elementwise op is inlined into the loop of the value that consumes it. So
 * {@code h = dense(x, 2, relu)} is one contraction into {@code z} and one loop
 * {@code h[j] = relu(z[j] + b[j])}, and a gate's two outputs are computed in one loop.
 *
 * <p>A network with a loss is lowered from the graph its {@link BackwardPass} derived: the same
 * rule fuses activation derivatives and gate arithmetic into the backward loops, and gradients of
 * weights are added straight into gradient storage shaped like the weights, never into a tensor.
 */
public final class Lowering {
    /** A fixed kernel with at most this many present connections is unrolled into constants. */
    static final int UNROLL_LIMIT = 1024;
    /** Fused element expressions are at most this many ops deep. */
    static final int MAX_FUSED_DEPTH = 16;
    /** Ops that add a weight gradient into gradient storage themselves, instead of producing a value. */
    static final Set<Op> SINKS = java.util.EnumSet.of(Op.WEIGHT_GRAD, Op.ROW_SUM, Op.CONV2D_KERNEL_GRAD, Op.CONV2D_BIAS_GRAD, Op.BATCHNORM_PARAM_GRAD, Op.EMBEDDING_GRAD, Op.LAYERNORM_PARAM_GRAD);

    private final Graph g;
    private final int[] consumers;
    /** The nodes that read each node. */
    final Map<Node, List<Node>> readers = new HashMap<>();
    private final Set<Node> readByNonElementwise = new HashSet<>();
    /** Nodes someone outside the graph reads: input gradients, what a loop's body hands out. */
    final Set<Node> readOutside = new HashSet<>();
    /** See {@link #cutChains()}; null until first needed (after readOutside is known). */
    private boolean[] cut;
    /** Params whose gradient is the value of a node itself (a bias over one row): added where that node is computed. */
    final Map<Node, List<Param>> gradIsNode = new HashMap<>();
    /** Params whose gradient is a loop's sum over its steps of a body node: by that body node. */
    final Map<Node, List<Param>> summedInLoops = new HashMap<>();
    final Map<Node, Buffer> bufferOf = new LinkedHashMap<>();
    /** Every buffer of the program, and their field names: shared with the lowerings of loop bodies. */
    private final List<Buffer> buffers;
    private final Set<String> fieldNames;
    /** Prefix of the field names of this graph's buffers: a loop body's are its own. */
    private final String prefix;
    /** Each forward loop's lowering (which the backward loop extending it continues). */
    private final Map<Node, LoopLowering> loops = new HashMap<>();
    /** The kernel list being filled: forward, backward or input-backward. */
    private List<Kernel> kernels;
    /** Whether the kernels being made are a train step's: ops that train differently ({@link Op#TRAINING_MODE}) then do. */
    private boolean training;
    /** The kernels each node was lowered to (before element loops merge): a train step's forward pass reuses them. */
    private final Map<Node, List<Kernel>> kernelsOf = new HashMap<>();
    /** The kernels of each batchnorm and their buffers. */
    private final NormLowering norms = new NormLowering(this);

    private Lowering(Graph g) {
        this(g, new ArrayList<>(), new HashSet<>(), "");
    }

    /** A lowering of {@code g} whose buffers join {@code buffers}, their fields named {@code prefix} + name. */
    Lowering(Graph g, List<Buffer> buffers, Set<String> fieldNames, String prefix) {
        this.g = g;
        this.buffers = buffers;
        this.fieldNames = fieldNames;
        this.prefix = prefix;
        this.consumers = g.consumerCounts();
        for (Node n : g.nodes()) {
            if (!Op.ELEMENTWISE.contains(n.op()) && !contiguousConcat(n)) readByNonElementwise.addAll(n.inputs());
            for (Node in : n.inputs()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
    }

    /** The forward pass only. */
    public static Program lower(Graph g) {
        Lowering l = new Lowering(g);
        List<Kernel> forward = l.lowerNodes(g.nodes());
        return new Program(g, List.copyOf(l.buffers), forward, null, Map.copyOf(l.bufferOf), Tiling.plan(forward, forward, List.of(), null, l.buffers));
    }

    /** The forward pass of {@code forward} and the backward pass that {@code r} derived from it. */
    public static Program lower(Graph forward, BackwardPass.Result r) {
        Graph all = r.graph();
        Lowering l = new Lowering(all);
        l.readOutside.addAll(r.inputGrads().values());
        r.paramGrads().forEach((p, uses) -> uses.forEach(n -> {
            if (n.op() == Op.LOOP_OUT) l.summedInLoops.computeIfAbsent(((LoopSpec.Out) n.arg()).node(), k -> new ArrayList<>()).add(p);
            else if (!SINKS.contains(n.op())) l.gradIsNode.computeIfAbsent(n, k -> new ArrayList<>()).add(p);
        }));
        int nForward = forward.nodes().size();
        // what the param gradients need runs on every step; what only input gradients need, on request
        Set<Node> forParams = ancestors(r.paramGrads().values().stream().flatMap(List::stream).toList(), nForward);
        // the terms' losses, their sum and the activity penalties' value
        Set<Node> objective = ancestors(r.penalty() == null ? List.of(r.loss()) : List.of(r.loss(), r.penalty()), nForward);
        forParams.addAll(objective);
        List<Node> backward = new ArrayList<>(), inputBackward = new ArrayList<>();
        for (Node n : all.nodes().subList(nForward, all.nodes().size())) (forParams.contains(n) || n.op() == Op.INPUT ? backward : inputBackward).add(n);

        List<Kernel> fw = l.lowerNodes(forward.nodes());
        l.training = true;
        List<Kernel> trainFw = l.trainForward(forward.nodes(), fw);
        List<Kernel> bw = l.lowerNodes(backward);
        List<Kernel> ibw = l.lowerNodes(inputBackward);
        List<Program.Stage> stages = NormLowering.stages(trainFw, bw);
        // the losses and penalties alone, after the predicting forward pass: held-out rows of a network that trains differently
        List<Kernel> predictLoss = null;
        if (trainFw != fw) {
            predictLoss = new ArrayList<>();
            for (Node n : backward) if (objective.contains(n)) predictLoss.addAll(l.kernelsOf.getOrDefault(n, List.of()));
        }
        Map<String, Buffer> inputGrads = new LinkedHashMap<>();
        r.inputGrads().forEach((name, n) -> inputGrads.put(name, l.bufferOf.get(n)));
        List<Param> trainable = forward.params().stream().filter(Param::trains).toList();
        List<Program.LossTerm> losses = new ArrayList<>();
        for (int k = 0; k < r.terms().size(); k++) {
            BackwardPass.Term term = r.terms().get(k);
            losses.add(new Program.LossTerm(term.output(), l.bufferOf.get(term.target()), l.bufferOf.get(term.sampleWeight()), l.bufferOf.get(term.loss()),
                    term.function(), term.weight(), forward.losses().get(k).classWeights()));
        }
        Program.Training t = new Program.Training(trainFw, bw, ibw, losses, l.bufferOf.get(r.loss()), r.penalty() == null ? null : l.bufferOf.get(r.penalty()),
                r.penalty() == null ? null : l.bufferOf.get(r.penaltyWeight()), trainable, inputGrads, stages, predictLoss);
        return new Program(forward, List.copyOf(l.buffers), fw, t, Map.copyOf(l.bufferOf), Tiling.plan(fw, trainFw, bw, stages, l.buffers));
    }

    /**
     * A train step's forward pass: the predicting kernels of every node but those of the ops that train
     * differently ({@link Op#TRAINING_MODE}), lowered again in training mode into the same buffers;
     * {@code predicting} itself when there are none.
     */
    private List<Kernel> trainForward(List<Node> nodes, List<Kernel> predicting) {
        if (nodes.stream().noneMatch(n -> Op.TRAINING_MODE.contains(n.op()))) return predicting;
        kernels = new ArrayList<>();
        for (Node n : nodes) {
            if (Op.TRAINING_MODE.contains(n.op())) lowerNode(n);
            else kernels.addAll(kernelsOf.getOrDefault(n, List.of()));
        }
        return mergeMaps(kernels);
    }

    /** Backward nodes (id at least {@code from}) that {@code roots} read, directly or not, and the roots. */
    private static Set<Node> ancestors(Iterable<Node> roots, int from) {
        Set<Node> seen = new HashSet<>();
        List<Node> work = new ArrayList<>();
        roots.forEach(work::add);
        while (!work.isEmpty()) {
            Node n = work.remove(work.size() - 1);
            if (n.id() < from || !seen.add(n)) continue;
            work.addAll(n.inputs());
        }
        return seen;
    }

    List<Kernel> lowerNodes(List<Node> nodes) {
        kernels = new ArrayList<>();
        for (Node n : nodes) {
            int first = kernels.size();
            lowerNode(n);
            for (Param p : gradIsNode.getOrDefault(n, List.of()))
                kernels.add(new Kernel.Map(n.span(), fieldBase(p.layer()) + "_bias_grad", n.shape().size(),
                        List.of(new Kernel.AddToGrad(p, p.shape().size(), 1, expr(n, false)))));
            kernelsOf.put(n, List.copyOf(kernels.subList(first, kernels.size())));
        }
        return mergeMaps(kernels);
    }

    boolean materialized(Node n) {
        if (n.op() == Op.CONST) return false;
        if (contiguousSlice(n)) return readAsBuffer(n); // read in place by any number of loops
        if (!Op.ELEMENTWISE.contains(n.op())) return true;
        return mustBeRead(n) || cutChains()[n.id()];
    }

    private boolean mustBeRead(Node n) {
        return consumers[n.id()] > 1 || readAsBuffer(n);
    }

    /** Whether {@code n} is read other than by element loops: named, an output, read by another kind of kernel or from outside. */
    private boolean readAsBuffer(Node n) {
        return n.name() != null || g.named().containsValue(n) || g.outputs().contains(n) || readByNonElementwise.contains(n) || readOutside.contains(n);
    }

    /**
     * Elementwise nodes where a fused chain is cut into a buffer after {@link #MAX_FUSED_DEPTH} ops:
     * a long sum (an input's gradient from every step of an unrolled lstm) would otherwise become one
     * expression hundreds of levels deep. Computed once, in node order, without recursion.
     */
    private boolean[] cutChains() {
        if (cut != null) return cut;
        cut = new boolean[g.nodes().size()];
        int[] chain = new int[g.nodes().size()];
        for (Node n : g.nodes()) {
            if (!Op.ELEMENTWISE.contains(n.op())) continue;
            int depth = 1;
            for (Node in : n.inputs()) depth = Math.max(depth, 1 + chain[in.id()]);
            if (!mustBeRead(n) && depth >= MAX_FUSED_DEPTH) cut[n.id()] = true;
            chain[n.id()] = mustBeRead(n) || cut[n.id()] ? 0 : depth;
        }
        return cut;
    }

    /** Adds the kernel that computes {@code n}, if it needs a buffer of its own (see {@link #materialized}). */
    private void lowerNode(Node n) {
        if (!materialized(n)) return;
        if (contiguousConcat(n)) {
            concatInPlace(n);
            return;
        }
        Kernel k = kernel(n);
        if (k != null) kernels.add(k);
    }

    /**
     * A slice that is one run of its input's elements (along its first axis, or of a vector): read in
     * place by the element loops of its readers, never copied (an lstm's gates are four slices of z).
     */
    private static boolean contiguousSlice(Node n) {
        return n.op() == Op.SLICE && n.input(0).shape().sizeBefore(((Op.SliceSpec) n.arg()).axis()) == 1 && n.shape().size() > 1; // a [1] broadcasts
    }

    /** A concat whose parts are runs of its elements, one after the other: each part is computed straight into its run. */
    private static boolean contiguousConcat(Node n) {
        return n.op() == Op.CONCAT && n.shape().sizeBefore((Integer) n.arg()) == 1;
    }

    /** A loop per part of a contiguous concat, whose element expression (fused, unless the part has a buffer anyway) is stored at the part's run. */
    private void concatInPlace(Node n) {
        Buffer out = buffer(n);
        int offset = 0;
        for (Node part : n.inputs()) {
            int size = part.shape().size();
            kernels.add(new Kernel.Map(n.span(), label(n), size, List.of(new Kernel.Assign(out, offset, expr(part, false)))));
            offset += size;
        }
    }

    /** The kernel of each op, one case per op and no default; null for ops that only name a buffer. */
    private Kernel kernel(Node n) {
        return switch (n.op()) {
            case INPUT -> {
                buffer(n);
                yield null;
            }
            case RESHAPE -> { // same data, new shape: the input's buffer
                bufferOf.put(n, bufferOf.get(n.input(0)));
                yield null;
            }
            case CONST -> throw new IllegalStateException("a constant is folded into the loops that read it: " + n);
            case BIAS_ADD, ADD, SUB, MUL, DIV, ACTIVATION, DERIV, SECANT -> // elementwise, materialised here
                    new Kernel.Map(n.span(), label(n), n.shape().size(), List.of(new Kernel.Assign(buffer(n), 0, expr(n, true))));
            case LINEAR -> {
                Param p = n.param();
                yield new Kernel.Linear(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), p, n.shape().outer(), p.shape().dim(0), p.shape().dim(1), path(p));
            }
            case LINEAR_T -> {
                Param p = (Param) n.arg();
                yield new Kernel.LinearT(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), p, n.shape().outer(), p.shape().dim(0), p.shape().dim(1), path(p),
                        path(p) == Kernel.LinearPath.UNROLLED ? null : reluInputMasking(n));
            }
            case WEIGHT_GRAD -> {
                Param p = (Param) n.arg();
                Node x = n.input(0);
                Buffer dzRow = x.shape().outer() > 1 && path(p) == Kernel.LinearPath.ROWS ? newBuffer(n, p.shape().dim(1), "$dzRow") : null;
                yield new Kernel.WeightGrad(n.span(), label(n), p, bufferOf.get(x), bufferOf.get(n.input(1)), x.shape().outer(), p.shape().dim(0), p.shape().dim(1), path(p), dzRow);
            }
            case ROW_SUM -> { // a bias gradient over rows: added into the gradient storage, absent entries zeroed by the runtime
                Param p = (Param) n.arg();
                yield new Kernel.Map(n.span(), label(n), n.input(0).shape().size(), List.of(new Kernel.AddToGrad(p, p.shape().size(), 1, expr(n.input(0), false))));
            }
            case SOFTMAX -> new Kernel.Softmax(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), n.shape().outer(), n.shape().last());
            case SOFTMAX_GRAD -> new Kernel.SoftmaxGrad(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), bufferOf.get(n.input(1)), n.shape().outer(), n.shape().last());
            case CONCAT -> {
                int axis = (Integer) n.arg();
                int outer = n.shape().sizeBefore(axis), inner = n.shape().sizeAfter(axis);
                int[] lengths = new int[n.inputs().size()];
                List<Buffer> parts = new ArrayList<>();
                for (int k = 0; k < lengths.length; k++) {
                    lengths[k] = n.input(k).shape().dim(axis) * inner;
                    parts.add(bufferOf.get(n.input(k)));
                }
                yield new Kernel.Concat(n.span(), label(n), buffer(n), parts, outer, lengths);
            }
            case SLICE -> {
                Op.SliceSpec s = (Op.SliceSpec) n.arg();
                Shape in = n.input(0).shape();
                int inner = in.sizeAfter(s.axis());
                yield new Kernel.Slice(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), in.sizeBefore(s.axis()),
                        in.dim(s.axis()) * inner, s.offset() * inner, s.length() * inner);
            }
            case EMBED -> {
                Op.SliceSpec s = (Op.SliceSpec) n.arg();
                int inner = n.shape().sizeAfter(s.axis());
                yield new Kernel.Embed(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), n.shape().sizeBefore(s.axis()),
                        n.shape().dim(s.axis()) * inner, s.offset() * inner, s.length() * inner);
            }
            case SUM -> new Kernel.Sum(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)));
            case LOSS, LOSS_GRAD -> new Kernel.Loss(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), bufferOf.get(n.input(1)),
                    (LossFunction) n.arg(), n.input(0).shape().last(), n.op() == Op.LOSS_GRAD);
            case CONV2D -> {
                ConvSpec c = (ConvSpec) n.arg();
                yield new Kernel.Conv(n.span(), label(n), Kernel.ConvRole.FORWARD, geometry(c, n.input(0).shape(), n.shape()), c.kernel(), c.bias(),
                        bufferOf.get(n.input(0)), buffer(n));
            }
            case CONV2D_INPUT_GRAD -> {
                ConvSpec c = (ConvSpec) n.arg();
                yield new Kernel.Conv(n.span(), label(n), Kernel.ConvRole.INPUT_GRAD, geometry(c, n.shape(), n.input(0).shape()), c.kernel(), null,
                        buffer(n), bufferOf.get(n.input(0)));
            }
            case CONV2D_KERNEL_GRAD -> { // added into the gradient storage, like WEIGHT_GRAD
                ConvSpec c = (ConvSpec) n.arg();
                yield new Kernel.Conv(n.span(), label(n), Kernel.ConvRole.KERNEL_GRAD, geometry(c, n.input(0).shape(), n.input(1).shape()), c.kernel(), null,
                        bufferOf.get(n.input(0)), bufferOf.get(n.input(1)));
            }
            case CONV2D_BIAS_GRAD -> {
                Param p = ((ConvSpec) n.arg()).bias();
                Node dy = n.input(0);
                int positions = dy.shape().size() / p.shape().size();
                yield new Kernel.Map(n.span(), label(n), dy.shape().size(), List.of(new Kernel.AddToGrad(p, p.shape().size(), positions, expr(dy, false))));
            }
            case MAXPOOL, AVGPOOL -> {
                Shape in = n.input(0).shape();
                yield new Kernel.Pool(n.span(), label(n), n.op() == Op.MAXPOOL, bufferOf.get(n.input(0)), buffer(n), poolGeometry(n.arg(), in, n.shape()));
            }
            case MAXPOOL_GRAD, AVGPOOL_GRAD -> {
                boolean max = n.op() == Op.MAXPOOL_GRAD;
                Shape s = n.shape();
                yield new Kernel.PoolGrad(n.span(), label(n), max, max ? bufferOf.get(n.input(0)) : null, bufferOf.get(n.input(max ? 1 : 0)), buffer(n),
                        poolGeometry(n.arg(), s, n.input(max ? 1 : 0).shape()));
            }
            case EMBEDDING -> new Kernel.Lookup(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), n.param());
            case EMBEDDING_GRAD -> new Kernel.LookupGrad(n.span(), label(n), (Param) n.arg(), bufferOf.get(n.input(0)), bufferOf.get(n.input(1)));
            case DROPOUT -> training ? new Kernel.Dropout(n.span(), label(n), buffer(n), bufferOf.get(n.input(0)), (Op.DropoutSpec) n.arg())
                    : new Kernel.Map(n.span(), label(n), n.shape().size(), List.of(new Kernel.Assign(buffer(n), 0, new Expr.Load(bufferOf.get(n.input(0)), 0))));
            case BATCHNORM -> {
                Buffer x = bufferOf.get(n.input(0));
                if (!training) yield norms.kernel(n, Kernel.NormRole.PREDICT, x, null, buffer(n));
                kernels.add(norms.kernel(n, Kernel.NormRole.MOMENTS, x, null, norms.buffers(n).moments()));
                yield norms.kernel(n, Kernel.NormRole.NORMALIZE, x, null, buffer(n));
            }
            case BATCHNORM_GRAD -> {
                Buffer x = bufferOf.get(n.input(0)), dy = bufferOf.get(n.input(1));
                kernels.add(norms.kernel(n, Kernel.NormRole.GRAD_SUMS, x, dy, norms.buffers(n).gradSums()));
                yield norms.kernel(n, Kernel.NormRole.GRAD, x, dy, buffer(n));
            }
            case BATCHNORM_PARAM_GRAD -> norms.kernel(n, ((nnet.ir.BatchNormSpec.ParamGrad) n.arg()).gamma() ? Kernel.NormRole.GAMMA_GRAD : Kernel.NormRole.BETA_GRAD,
                    bufferOf.get(n.input(0)), bufferOf.get(n.input(1)), null);
            case LAYERNORM -> new Kernel.LayerNorm(n.span(), label(n), Kernel.LayerNormRole.FORWARD, (LayerNormSpec) n.arg(), bufferOf.get(n.input(0)), null, buffer(n));
            case LAYERNORM_GRAD -> new Kernel.LayerNorm(n.span(), label(n), Kernel.LayerNormRole.GRAD, (LayerNormSpec) n.arg(), bufferOf.get(n.input(0)),
                    bufferOf.get(n.input(1)), buffer(n));
            case LAYERNORM_PARAM_GRAD -> {
                LayerNormSpec.ParamGrad pg = (LayerNormSpec.ParamGrad) n.arg();
                yield new Kernel.LayerNorm(n.span(), label(n), pg.gamma() ? Kernel.LayerNormRole.GAMMA_GRAD : Kernel.LayerNormRole.BETA_GRAD, pg.spec(),
                        bufferOf.get(n.input(0)), bufferOf.get(n.input(1)), null);
            }
            case LSTM -> throw new IllegalStateException("an lstm is lowered as a loop: expand it first (Compiler.stages): " + n);
            case LOOP -> {
                LoopSpec l = (LoopSpec) n.arg();
                if (l.priorNodes() > 0) yield loops.get(n.input(0)).backward(n);
                LoopLowering loop = new LoopLowering(this, n, backwardOf(n), buffers, fieldNames);
                loops.put(n, loop);
                yield loop.forward();
            }
            case LOOP_OUT -> { // a history of the loop's body (a sum over steps is added into gradient storage by the body)
                LoopSpec.Out out = (LoopSpec.Out) n.arg();
                if (out.summed()) yield null;
                if (out.node().op() == Op.INPUT) yield loopOf(n.input(0)).carriedStack(n, buffer(n)); // a carried state, one step late
                bufferOf.put(n, loopOf(n.input(0)).history(out.node()));
                yield null;
            }
        };
    }

    /** The backward loop extending a forward loop, or null. */
    private Node backwardOf(Node loop) {
        for (Node r : readers.getOrDefault(loop, List.of())) if (r.op() == Op.LOOP) return r;
        return null;
    }

    private LoopLowering loopOf(Node loop) {
        LoopSpec l = (LoopSpec) loop.arg();
        return loops.get(l.priorNodes() > 0 ? loop.input(0) : loop);
    }

    /**
     * When the only use of {@code n} is {@code n * relu'(pre)}, the buffer of {@code pre}: rows where
     * it is not positive need not be computed (half of them, typically). Else null.
     */
    private Buffer reluInputMasking(Node n) {
        List<Node> uses = readers.getOrDefault(n, List.of());
        if (uses.size() != 1 || g.outputs().contains(n) || uses.get(0).op() != Op.MUL) return null;
        Node mul = uses.get(0), other = mul.input(0) == n ? mul.input(1) : mul.input(0);
        if (other == n || other.op() != Op.DERIV || ((Op.ActivationSpec) other.arg()).fn() != Activation.RELU) return null;
        Node pre = other.input(0);
        return materialized(pre) && pre.shape().size() == n.shape().size() ? bufferOf.get(pre) : null;
    }

    private static ConvPlan.Geometry geometry(ConvSpec c, Shape in, Shape out) {
        return new ConvPlan.Geometry(in.dim(0), in.dim(1), in.dim(2), out.dim(0), out.dim(1), out.dim(2), c.kh(), c.kw(), c.strideY(), c.strideX(), c.padTop(), c.padLeft());
    }

    private static Kernel.PoolGeometry poolGeometry(Object spec, Shape in, Shape out) {
        PoolSpec p = (PoolSpec) spec;
        return new Kernel.PoolGeometry(in.dim(0), in.dim(1), in.dim(2), out.dim(1), out.dim(2), p.k(), p.strideY(), p.strideX());
    }

    private static Kernel.LinearPath path(Param p) {
        return p.isFixed() && p.count() <= UNROLL_LIMIT ? Kernel.LinearPath.UNROLLED
                : p.layout() == Param.Layout.ROWS ? Kernel.LinearPath.ROWS : Kernel.LinearPath.CSR;
    }

    /** The element expression of {@code n}; {@code root} is the value being materialised. */
    private Expr expr(Node n, boolean root) {
        if (n.op() == Op.CONST) return new Expr.Const((Float) n.arg());
        if (!root && materialized(n)) return new Expr.Load(bufferOf.get(n), 0);
        return switch (n.op()) {
            case SLICE -> { // contiguous (see materialized): its input's run, read in place
                Op.SliceSpec sl = (Op.SliceSpec) n.arg();
                yield new Expr.Load(bufferOf.get(n.input(0)), sl.offset() * n.shape().sizeAfter(sl.axis()));
            }
            case BIAS_ADD -> new Expr.Binary(Op.ADD, expr(n.input(0), false), new Expr.Bias(n.param(), n.shape().last()));
            case ADD, SUB, MUL, DIV -> new Expr.Binary(n.op(), expr(n.input(0), false), expr(n.input(1), false));
            case ACTIVATION -> new Expr.Activate((Op.ActivationSpec) n.arg(), expr(n.input(0), false));
            case DERIV -> new Expr.Derivative((Op.ActivationSpec) n.arg(), expr(n.input(0), false));
            case SECANT -> new Expr.Secant((Op.ActivationSpec) n.arg(), expr(n.input(0), false), expr(n.input(1), false));
            default -> throw new IllegalStateException("not elementwise: " + n);
        };
    }

    /** The buffer {@code n} is computed into: a new one, or the view a loop gave it. */
    private Buffer buffer(Node n) {
        Buffer b = bufferOf.get(n);
        if (b == null) bufferOf.put(n, b = newBuffer(n, n.shape().size(), ""));
        return b;
    }

    /** A new buffer named after {@code n} (and {@code suffix}), not yet bound to any node. */
    Buffer newBuffer(Node n, int size, String suffix) {
        String base = prefix + (n.name() != null ? fieldBase(n.name()) : "t" + n.id()) + suffix;
        String field = base;
        for (int k = 1; !fieldNames.add(field); k++) field = base + "$" + k;
        Buffer b = new Buffer(field, size);
        buffers.add(b);
        return b;
    }

    static String fieldBase(String name) {
        return name.replace('.', '$');
    }

    static String label(Node n) {
        return (n.name() != null ? fieldBase(n.name()) : "t" + n.id()) + "_" + n.op().lower();
    }

    /**
     * Consecutive element loops of the same extent become one loop: each element of the second
     * reads only elements of the first at the same index, which are already computed.
     */
    private static List<Kernel> mergeMaps(List<Kernel> in) {
        List<Kernel> out = new ArrayList<>();
        for (Kernel k : in) {
            if (k instanceof Kernel.Map m && !out.isEmpty() && out.get(out.size() - 1) instanceof Kernel.Map prev && prev.extent() == m.extent()) {
                List<Kernel.Store> stores = new ArrayList<>(prev.stores());
                stores.addAll(m.stores());
                out.set(out.size() - 1, new Kernel.Map(prev.span(), prev.label() + "_" + m.label(), prev.extent(), stores));
            } else out.add(k);
        }
        return out;
    }
}
