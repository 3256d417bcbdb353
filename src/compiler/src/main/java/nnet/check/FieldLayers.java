package nnet.check;

import java.util.List;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.ir.BatchNormSpec;
import nnet.ir.Init;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.Shape;

/**
 * The layers of the field's published models beyond dense, conv2d and lstm (LANGUAGE.md §3):
 * {@code dropout} and {@code batchnorm}, which compute differently while training, and {@code embedding},
 * which reads token ids; with Keras' arguments, defaults and weight names.
 */
final class FieldLayers {
    static final Args.Signature DROPOUT = new Args.Signature("dropout", List.of("x", "rate"), 2, List.of());
    static final Args.Signature EMBEDDING = new Args.Signature("embedding", List.of("tokens", "vocab", "dim"), 3, List.of("init"));
    static final Args.Signature BATCHNORM = new Args.Signature("batchnorm", List.of("x"), 1, List.of("center", "scale", "momentum", "epsilon"));
    /** Keras' defaults: {@code BatchNormalization(momentum=0.99, epsilon=0.001)}. */
    static final double MOMENTUM = 0.99, EPSILON = 0.001;

    private final NetworkChecker c;
    private final WeightArgs weightArgs;

    FieldLayers(NetworkChecker c) {
        this.c = c;
        this.weightArgs = new WeightArgs(c);
    }

    /**
     * {@code embedding(tokens, vocab, dim)}: {@code tokens[...]} an integer input, each value a row of the
     * weights {@code embeddings [vocab, dim]} (Keras' name and layout; init Keras' uniform(-0.05, 0.05));
     * the result {@code [..., dim]}.
     */
    Node embedding(Ast.Call call, String name) {
        Args a = Args.bind(call, EMBEDDING, c);
        if (a == null) return null;
        Node tokens = c.tensor(a.get("tokens"), "the tokens of embedding");
        Integer vocab = c.positiveInt(a.get("vocab"), "vocab"), dim = c.positiveInt(a.get("dim"), "dim");
        Init init = a.has("init") ? weightArgs.init(a.get("init")) : new Init.Uniform(-0.05, 0.05);
        if (tokens == null || vocab == null || dim == null || init == null) return null;
        if (!tokens.integers()) {
            c.error(DiagCode.INPUT_TYPE, a.get("tokens").span(), "embedding reads token ids, an integer input such as 'input tokens[100] int'; "
                    + NetworkChecker.describe(a.get("tokens")) + tokens.shape() + " holds floats");
            return null;
        }
        int[] dims = java.util.Arrays.copyOf(tokens.shape().dims(), tokens.shape().rank() + 1);
        dims[dims.length - 1] = dim;
        String desc = "embedding(" + NetworkChecker.describe(a.get("tokens")) + ", " + vocab + ", " + dim + ")";
        if (!c.sizeOk(call.span(), Sizes.product(vocab, dim), desc + ": its embeddings " + vocab + " x " + dim)
                || !c.sizeOk(call.span(), Sizes.product(tokens.shape().size(), dim), desc + ": its output")) return null;
        Param p = new Param(c.layerName(call), "embeddings", new Shape(vocab, dim), null, init, null, null);
        c.param(p);
        return c.node(Op.EMBEDDING, new Shape(dims), List.of(tokens), p, name, call.span());
    }

    /** {@code dropout(x, rate)}: rate in [0, 1), the fraction of values zeroed while training. */
    Node dropout(Ast.Call call, String name) {
        Args a = Args.bind(call, DROPOUT, c);
        if (a == null) return null;
        Node x = c.tensor(a.get("x"), "the input of dropout");
        Double rate = c.number(a.get("rate"));
        if (x == null || rate == null) return null;
        if (!(rate >= 0 && rate < 1)) {
            c.error(DiagCode.ARG_VALUE, a.get("rate").span(), "the rate of dropout is the fraction of values zeroed while training, from 0 up to (not including) 1; found "
                    + Numbers.format(rate));
            return null;
        }
        return c.node(Op.DROPOUT, x.shape(), List.of(x), new Op.DropoutSpec((float) (double) rate, c.layerName(call)), name, call.span());
    }

    /**
     * {@code batchnorm(x, center: true, scale: true, momentum: 0.99, epsilon: 0.001)}: per channel of a
     * {@code [C, H, W]} image, else per element of the last axis; weights {@code gamma}, {@code beta},
     * {@code moving_mean} and {@code moving_variance}, each {@code [channels]}.
     */
    Node batchnorm(Ast.Call call, String name) {
        Args a = Args.bind(call, BATCHNORM, c);
        if (a == null) return null;
        Node x = c.tensor(a.get("x"), "the input of batchnorm");
        Boolean center = a.has("center") ? bool(a.get("center"), "center") : Boolean.TRUE;
        Boolean scale = a.has("scale") ? bool(a.get("scale"), "scale") : Boolean.TRUE;
        Double momentum = a.has("momentum") ? fraction(a.get("momentum"), "momentum", "the weight of the moving statistics at each step") : Double.valueOf(MOMENTUM);
        Double epsilon = a.has("epsilon") ? positive(a.get("epsilon")) : Double.valueOf(EPSILON);
        if (x == null || center == null || scale == null || momentum == null || epsilon == null) return null;
        Shape s = x.shape();
        int axis = s.rank() == 3 ? 0 : s.rank() - 1;
        int channels = s.dim(axis), inner = s.sizeAfter(axis);
        String layer = c.layerName(call);
        Param gamma = scale ? param(layer, "gamma", channels, new Init.Uniform(1, 1)) : null;
        Param beta = center ? param(layer, "beta", channels, new Init.Zeros()) : null;
        Param mean = param(layer, "moving_mean", channels, new Init.Zeros());
        Param variance = param(layer, "moving_variance", channels, new Init.Uniform(1, 1));
        BatchNormSpec spec = new BatchNormSpec(gamma, beta, mean, variance, (float) (double) momentum, (float) (double) epsilon, channels, inner, s.size());
        return c.node(Op.BATCHNORM, s, List.of(x), spec, name, call.span());
    }

    private Param param(String layer, String role, int channels, Init init) {
        Param p = new Param(layer, role, new Shape(channels), null, init, null, null);
        c.param(p);
        return p;
    }

    private Boolean bool(Ast.Expr e, String what) {
        if (e instanceof Ast.Name n && (n.name().equals("true") || n.name().equals("false"))) return n.name().equals("true");
        c.error(DiagCode.ARG_VALUE, e.span(), what + ": takes true or false");
        return null;
    }

    /** A number in [0, 1). */
    private Double fraction(Ast.Expr e, String what, String meaning) {
        Double d = c.number(e);
        if (d == null) return null;
        if (d >= 0 && d < 1) return d;
        c.error(DiagCode.ARG_VALUE, e.span(), what + " is " + meaning + ", from 0 up to (not including) 1; found " + Numbers.format(d));
        return null;
    }

    private Double positive(Ast.Expr e) {
        Double d = c.number(e);
        if (d == null) return null;
        if (d > 0) return d;
        c.error(DiagCode.ARG_VALUE, e.span(), "epsilon is added to the variance before its square root and must be above 0; found " + Numbers.format(d));
        return null;
    }
}
