package nnet.ir;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import nnet.runtime.math.LossFunction;

/**
 * The executable specification of a well-formed graph: topological order, every op's arity and
 * shape rule, params registered. Run after every IR phase in tests; a failure is a compiler bug,
 * never a user error, so it throws.
 */
public final class IrVerifier {
    private IrVerifier() {}

    public static void verify(Graph g) {
        Set<Param> params = new HashSet<>(g.params());
        for (int k = 0; k < g.nodes().size(); k++) {
            Node n = g.nodes().get(k);
            check(n.id() == k, n, "id is not its position");
            for (Node in : n.inputs()) check(in.id() < n.id() && g.nodes().get(in.id()) == in, n, "input %" + in.id() + " is not an earlier node");
            check(n.shape().rank() >= 1 && n.shape().sizeLong() > 0, n, "empty shape");
            int arity = n.inputs().size();
            check(n.op().accepts(arity), n, "has " + arity + " inputs");
            String problem = problem(n, params);
            check(problem == null, n, problem);
        }
        for (Node out : g.outputs()) check(g.nodes().get(out.id()) == out, out, "output is not in the graph");
        for (var e : g.named().entrySet()) check(g.nodes().get(e.getValue().id()) == e.getValue(), e.getValue(), "named node " + e.getKey() + " is not in the graph");
    }

    /** The rule of each op (its arity already checked), one case per op and no default: null when {@code n} keeps it, else what is wrong. */
    private static String problem(Node n, Set<Param> params) {
        Shape s = n.shape();
        Shape in = n.inputs().isEmpty() ? null : n.input(0).shape();
        return switch (n.op()) {
            case INPUT -> rule(n.arg() == null || n.arg() instanceof InputSpec, "input arg " + n.arg());
            case EMBEDDING -> {
                Param p = n.param();
                int[] want = java.util.Arrays.copyOf(in.dims(), in.rank() + 1);
                want[in.rank()] = p.shape().rank() == 2 ? p.shape().dim(1) : -1;
                yield first(registered(params, p), rule(n.input(0).integers(), "reads " + n.input(0).label() + ", not token ids"),
                        rule(s.equals(new Shape(want)), "embeddings " + p.shape() + " on " + in + " give " + s));
            }
            case EMBEDDING_GRAD -> rule(s.equals(((Param) n.arg()).shape()) && n.input(0).integers(), "embeddings gradient");
            case CONST -> rule(n.arg() instanceof Float && s.isScalar(), "const must be a scalar Float");
            case LINEAR -> {
                Param p = n.param();
                yield first(registered(params, p),
                        rule(p.shape().rank() == 2 && p.shape().dim(0) == in.last() && s.equals(in.withLast(p.shape().dim(1))), "kernel " + p.shape() + " does not map " + in + " to " + s));
            }
            case BIAS_ADD -> {
                Param p = n.param();
                yield first(registered(params, p), rule(s.equals(in) && p.shape().rank() == 1 && p.shape().dim(0) == s.last(), "bias " + p.shape() + " on " + s));
            }
            case ADD, SUB, MUL, DIV -> {
                Shape b = n.input(1).shape();
                yield rule(s.equals(in.isScalar() ? b : in) && (in.equals(b) || in.isScalar() || b.isScalar()), "operands " + in + ", " + b);
            }
            case SECANT -> first(rule(s.equals(in) && s.equals(n.input(1).shape()), "operands " + in + ", " + n.input(1).shape()), rule(n.arg() instanceof Op.ActivationSpec, "activation " + n.arg()));
            case ACTIVATION, DERIV -> first(rule(s.equals(in), "shape changed"), rule(n.arg() instanceof Op.ActivationSpec, "activation " + n.arg()));
            case SOFTMAX -> rule(s.equals(in), "shape changed");
            case RESHAPE -> rule(s.sizeLong() == in.sizeLong(), "reshape changes the size");
            case CONCAT -> concat(n);
            case CONV2D -> {
                ConvSpec c = (ConvSpec) n.arg();
                yield first(registered(params, c.kernel()), c.bias() == null ? null : registered(params, c.bias()),
                        rule(s.rank() == 3 && in.rank() == 3 && c.kernel().shape().dim(0) == s.dim(0) && c.kernel().shape().dim(1) == in.dim(0), "conv kernel " + c.kernel().shape()));
            }
            case MAXPOOL, AVGPOOL -> pool(s, in, n.arg());
            case LSTM -> {
                LstmSpec l = (LstmSpec) n.arg();
                yield first(registered(params, l.kernel()), registered(params, l.recurrent()), l.bias() == null ? null : registered(params, l.bias()),
                        rule(in.rank() == 2 && l.kernel().shape().equals(new Shape(in.dim(1), 4 * l.units())), "lstm kernel"),
                        rule(s.equals(l.sequences() ? new Shape(in.dim(0), l.units()) : new Shape(l.units())), "lstm output"));
            }
            case LOOP -> loop(n, params);
            case LOOP_OUT -> {
                LoopSpec.Out out = (LoopSpec.Out) n.arg();
                if (n.input(0).op() != Op.LOOP) yield "reads " + n.input(0).op().lower() + ", not a loop";
                LoopSpec l = (LoopSpec) n.input(0).arg();
                yield first(rule(l.body().nodes().size() > out.node().id() && l.body().nodes().get(out.node().id()) == out.node(), "%" + out.node().id() + " is not in the loop's body"),
                        rule(s.equals(out.shape(l.steps())), "loop output " + out));
            }
            case DROPOUT -> rule(s.equals(in) && n.arg() instanceof Op.DropoutSpec d && d.rate() >= 0 && d.rate() < 1, "dropout keeps the shape, rate in [0, 1)");
            case BATCHNORM, BATCHNORM_GRAD -> first(rule(s.equals(in), "shape changed"), batchnorm(s, (BatchNormSpec) n.arg(), params));
            case BATCHNORM_PARAM_GRAD -> {
                BatchNormSpec.ParamGrad pg = (BatchNormSpec.ParamGrad) n.arg();
                yield first(rule(pg.param() != null, "gradient of an absent param"), batchnorm(in, pg.spec(), params), rule(s.equals(pg.param().shape()), "param gradient shape"));
            }
            case LAYERNORM, LAYERNORM_GRAD -> first(rule(s.equals(in), "shape changed"), layernorm(s, (LayerNormSpec) n.arg(), params));
            case LAYERNORM_PARAM_GRAD -> {
                LayerNormSpec.ParamGrad pg = (LayerNormSpec.ParamGrad) n.arg();
                yield first(rule(pg.param() != null, "gradient of an absent param"), layernorm(in, pg.spec(), params), rule(s.equals(pg.param().shape()), "param gradient shape"));
            }
            case LINEAR_T -> {
                Param p = (Param) n.arg();
                yield rule(in.last() == p.shape().dim(1) && s.equals(in.withLast(p.shape().dim(0))), "transpose of " + p);
            }
            case WEIGHT_GRAD -> {
                Param p = (Param) n.arg();
                yield rule(s.equals(p.shape()) && in.last() == p.shape().dim(0) && n.input(1).shape().last() == p.shape().dim(1), "gradient of " + p);
            }
            case ROW_SUM -> rule(s.equals(new Shape(in.last())), "row sum");
            case SUM -> rule(s.isScalar(), "a sum is [1]");
            case SLICE -> {
                Op.SliceSpec sl = (Op.SliceSpec) n.arg();
                yield rule(s.equals(in.withDim(sl.axis(), sl.length())) && sl.offset() + sl.length() <= in.dim(sl.axis()), "slice");
            }
            case EMBED -> {
                Op.SliceSpec sl = (Op.SliceSpec) n.arg();
                yield rule(in.equals(s.withDim(sl.axis(), sl.length())) && sl.offset() + sl.length() <= s.dim(sl.axis()), "embed");
            }
            case SOFTMAX_GRAD -> rule(s.equals(in) && s.equals(n.input(1).shape()), "shapes differ");
            case CONV2D_INPUT_GRAD -> {
                ConvSpec c = (ConvSpec) n.arg();
                yield rule(s.rank() == 3 && s.dim(0) == c.kernel().shape().dim(1) && in.dim(0) == c.kernel().shape().dim(0), "conv input gradient");
            }
            case CONV2D_KERNEL_GRAD -> rule(s.equals(((ConvSpec) n.arg()).kernel().shape()), "conv kernel gradient");
            case CONV2D_BIAS_GRAD -> rule(s.equals(new Shape(in.dim(0))), "conv bias gradient");
            case MAXPOOL_GRAD, AVGPOOL_GRAD -> pool(n.input(n.inputs().size() - 1).shape(), s, n.arg());
            case LOSS -> rule(s.isScalar() && n.arg() instanceof LossFunction, "a loss is [1]");
            case LOSS_GRAD -> rule(s.equals(in) && s.equals(n.input(1).shape()) && n.arg() instanceof LossFunction, "shapes differ");
        };
    }

    /** The body well formed with the outer graph's params, and the loop's inputs and carried values shaped as {@link LoopSpec} says. */
    private static String loop(Node n, Set<Param> params) {
        LoopSpec l = (LoopSpec) n.arg();
        try {
            verify(l.body());
        } catch (IllegalStateException e) {
            return "body: " + e.getMessage();
        }
        for (Param p : l.body().params()) if (!params.contains(p)) return "body param " + p.name() + " not registered";
        int first = 0;
        if (l.priorNodes() > 0) {
            if (n.input(0).op() != Op.LOOP) return "extends %" + n.input(0).id() + ", not a loop";
            LoopSpec prior = (LoopSpec) n.input(0).arg();
            List<Node> shared = l.body().nodes().subList(0, l.priorNodes());
            if (!shared.equals(prior.body().nodes()) || prior.steps() != l.steps()) return "does not extend the body of %" + n.input(0).id();
            first = 1;
        }
        List<Node> steps = l.stepInputs(), carried = l.carriedInputs();
        if (n.inputs().size() - first != steps.size()) return (n.inputs().size() - first) + " sequences for " + steps.size() + " step inputs";
        for (int k = 0; k < steps.size(); k++) {
            Shape seq = n.input(first + k).shape();
            if (!new LoopSpec.Out(steps.get(k), false).shape(l.steps()).equals(seq)) return "sequence " + seq + " for a step " + steps.get(k).shape();
        }
        if (l.body().outputs().size() != carried.size()) return l.body().outputs().size() + " body outputs for " + carried.size() + " carried values";
        for (int k = 0; k < carried.size(); k++)
            if (!l.body().outputs().get(k).shape().equals(carried.get(k).shape())) return "carried value " + k + " changes shape";
        return rule(n.shape().isScalar(), "a loop has no value");
    }

    /** A batchnorm (or its gradient) on a tensor of shape {@code s}: its params registered, one value per channel, channels that tile the shape. */
    private static String batchnorm(Shape s, BatchNormSpec b, Set<Param> params) {
        for (Param p : new Param[] {b.gamma(), b.beta(), b.movingMean(), b.movingVariance()}) {
            if (p == null) continue;
            String problem = first(registered(params, p), rule(p.shape().equals(new Shape(b.channels())), p.name() + " is " + p.shape()));
            if (problem != null) return problem;
        }
        return rule(s.size() == b.size() && b.size() % (b.channels() * b.inner()) == 0 && b.momentum() >= 0 && b.momentum() < 1 && b.epsilon() > 0,
                "batchnorm over " + b.channels() + " channels of " + b.inner() + " on " + s);
    }

    private static String layernorm(Shape s, LayerNormSpec l, Set<Param> params) {
        for (Param p : new Param[] {l.gamma(), l.beta()}) {
            if (p == null) continue;
            String problem = first(registered(params, p), rule(p.shape().equals(new Shape(l.features())), p.name() + " is " + p.shape()));
            if (problem != null) return problem;
        }
        return rule(s.last() == l.features() && l.epsilon() > 0, "layernorm over rows of " + l.features() + " on " + s);
    }

    /** A pool maps {@code in} to {@code out}: whole windows of its spec. */
    private static String pool(Shape out, Shape in, Object arg) {
        if (!(arg instanceof PoolSpec p)) return "pool spec " + arg;
        return rule(out.rank() == 3 && in.rank() == 3 && out.dim(0) == in.dim(0) && out.dim(1) == PoolSpec.outputSize(in.dim(1), p.k(), p.strideY())
                && out.dim(2) == PoolSpec.outputSize(in.dim(2), p.k(), p.strideX()), "pool " + p + " maps " + in + " to " + out);
    }

    private static String concat(Node n) {
        Shape s = n.shape();
        int axis = (Integer) n.arg();
        long total = 0;
        for (Node in : n.inputs()) {
            if (in.shape().rank() != s.rank()) return "rank";
            for (int d = 0; d < s.rank(); d++) if (d != axis && in.shape().dim(d) != s.dim(d)) return "dims off the axis differ";
            total += in.shape().dim(axis);
        }
        return rule(total == s.dim(axis), "axis sizes do not add up");
    }

    private static String registered(Set<Param> params, Param p) {
        return rule(params.contains(p), "param " + p.name() + " not registered");
    }

    private static String rule(boolean ok, String what) {
        return ok ? null : what;
    }

    /** The first problem, in order. */
    private static String first(String... problems) {
        for (String p : problems) if (p != null) return p;
        return null;
    }

    private static void check(boolean ok, Node n, String what) {
        if (!ok) throw new IllegalStateException("IR verifier: %" + n.id() + " " + n.op().lower() + " " + n.shape() + ": " + what);
    }
}
