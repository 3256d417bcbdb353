package nnet.ir;

import java.util.HashSet;
import java.util.Set;

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
            verifyOp(n, params);
        }
        for (Node out : g.outputs()) check(g.nodes().get(out.id()) == out, out, "output is not in the graph");
        for (var e : g.named().entrySet()) check(g.nodes().get(e.getValue().id()) == e.getValue(), e.getValue(), "named node " + e.getKey() + " is not in the graph");
    }

    private static void verifyOp(Node n, Set<Param> params) {
        Shape s = n.shape();
        switch (n.op()) {
            case INPUT -> arity(n, 0);
            case CONST -> {
                arity(n, 0);
                check(n.arg() instanceof Float && s.isScalar(), n, "const must be a scalar Float");
            }
            case LINEAR -> {
                arity(n, 1);
                Param p = n.param();
                check(params.contains(p), n, "param not registered");
                Shape in = n.input(0).shape();
                check(p.shape().rank() == 2 && p.shape().dim(0) == in.last() && s.equals(in.withLast(p.shape().dim(1))), n, "kernel " + p.shape() + " does not map " + in + " to " + s);
            }
            case BIAS_ADD -> {
                arity(n, 1);
                Param p = n.param();
                check(params.contains(p), n, "param not registered");
                check(s.equals(n.input(0).shape()) && p.shape().rank() == 1 && p.shape().dim(0) == s.last(), n, "bias " + p.shape() + " on " + s);
            }
            case ADD, SUB, MUL, DIV -> {
                arity(n, 2);
                Shape a = n.input(0).shape(), b = n.input(1).shape();
                check(s.equals(a.isScalar() ? b : a) && (a.equals(b) || a.isScalar() || b.isScalar()), n, "operands " + a + ", " + b);
            }
            case RELU, SIGMOID, TANH, GELU, LEAKY_RELU, SOFTMAX -> {
                arity(n, 1);
                check(s.equals(n.input(0).shape()), n, "shape changed");
            }
            case RESHAPE -> {
                arity(n, 1);
                check(s.sizeLong() == n.input(0).shape().sizeLong(), n, "reshape changes the size");
            }
            case CONCAT -> {
                check(n.inputs().size() >= 2, n, "concat of fewer than two");
                int axis = (Integer) n.arg();
                long total = 0;
                for (Node in : n.inputs()) {
                    check(in.shape().rank() == s.rank(), n, "rank");
                    for (int d = 0; d < s.rank(); d++) if (d != axis) check(in.shape().dim(d) == s.dim(d), n, "dims off the axis differ");
                    total += in.shape().dim(axis);
                }
                check(total == s.dim(axis), n, "axis sizes do not add up");
            }
            case CONV2D -> {
                arity(n, 1);
                ConvSpec c = (ConvSpec) n.arg();
                check(params.contains(c.kernel()) && (c.bias() == null || params.contains(c.bias())), n, "param not registered");
                check(s.rank() == 3 && n.input(0).shape().rank() == 3 && c.kernel().shape().dim(0) == s.dim(0)
                        && c.kernel().shape().dim(1) == n.input(0).shape().dim(0), n, "conv kernel " + c.kernel().shape());
            }
            case MAXPOOL, AVGPOOL -> {
                arity(n, 1);
                int k = (Integer) n.arg();
                Shape in = n.input(0).shape();
                check(s.rank() == 3 && s.dim(0) == in.dim(0) && s.dim(1) == in.dim(1) / k && s.dim(2) == in.dim(2) / k, n, "pool shape");
            }
            case DERIV -> {
                arity(n, 1);
                check(s.equals(n.input(0).shape()) && n.arg() instanceof Op.Derivative, n, "derivative of " + n.arg());
            }
            case LINEAR_T -> {
                arity(n, 1);
                Param p = (Param) n.arg();
                check(n.input(0).shape().last() == p.shape().dim(1) && s.equals(n.input(0).shape().withLast(p.shape().dim(0))), n, "transpose of " + p);
            }
            case WEIGHT_GRAD -> {
                arity(n, 2);
                Param p = (Param) n.arg();
                check(s.equals(p.shape()) && n.input(0).shape().last() == p.shape().dim(0) && n.input(1).shape().last() == p.shape().dim(1), n, "gradient of " + p);
            }
            case ROW_SUM -> {
                arity(n, 1);
                check(s.equals(new Shape(n.input(0).shape().last())), n, "row sum");
            }
            case SUM, LOSS -> {
                check(n.inputs().size() == (n.op() == Op.SUM ? 1 : 2) && s.isScalar(), n, "a sum is [1]");
            }
            case SLICE -> {
                arity(n, 1);
                Op.SliceSpec sl = (Op.SliceSpec) n.arg();
                check(s.equals(n.input(0).shape().withDim(sl.axis(), sl.length())) && sl.offset() + sl.length() <= n.input(0).shape().dim(sl.axis()), n, "slice");
            }
            case EMBED -> {
                arity(n, 1);
                Op.SliceSpec sl = (Op.SliceSpec) n.arg();
                check(n.input(0).shape().equals(s.withDim(sl.axis(), sl.length())) && sl.offset() + sl.length() <= s.dim(sl.axis()), n, "embed");
            }
            case SOFTMAX_GRAD, LOSS_GRAD -> {
                arity(n, 2);
                check(s.equals(n.input(0).shape()) && s.equals(n.input(1).shape()), n, "shapes differ");
            }
            case CONV2D_INPUT_GRAD -> {
                arity(n, 1);
                ConvSpec c = (ConvSpec) n.arg();
                check(s.rank() == 3 && s.dim(0) == c.kernel().shape().dim(1) && n.input(0).shape().dim(0) == c.kernel().shape().dim(0), n, "conv input gradient");
            }
            case CONV2D_KERNEL_GRAD -> {
                arity(n, 2);
                check(s.equals(((ConvSpec) n.arg()).kernel().shape()), n, "conv kernel gradient");
            }
            case CONV2D_BIAS_GRAD -> {
                arity(n, 1);
                check(s.equals(new Shape(n.input(0).shape().dim(0))), n, "conv bias gradient");
            }
            case MAXPOOL_GRAD, AVGPOOL_GRAD -> {
                arity(n, n.op() == Op.MAXPOOL_GRAD ? 2 : 1);
                int k = (Integer) n.arg();
                Shape dy = n.input(n.inputs().size() - 1).shape();
                check(s.rank() == 3 && dy.dim(0) == s.dim(0) && dy.dim(1) == s.dim(1) / k && dy.dim(2) == s.dim(2) / k, n, "pool gradient");
            }
            case LSTM -> {
                arity(n, 1);
                LstmSpec l = (LstmSpec) n.arg();
                Shape in = n.input(0).shape();
                check(in.rank() == 2 && l.kernel().shape().equals(new Shape(in.dim(1), 4 * l.units())), n, "lstm kernel");
                check(s.equals(l.sequences() ? new Shape(in.dim(0), l.units()) : new Shape(l.units())), n, "lstm output");
            }
        }
    }

    private static void arity(Node n, int k) {
        check(n.inputs().size() == k, n, "expects " + k + " inputs, has " + n.inputs().size());
    }

    private static void check(boolean ok, Node n, String what) {
        if (!ok) throw new IllegalStateException("IR verifier: %" + n.id() + " " + n.op().lower() + " " + n.shape() + ": " + what);
    }
}
