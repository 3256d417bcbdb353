package nnet.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.diag.Span;
import nnet.ir.Connectivity;
import nnet.ir.ConvSpec;
import nnet.ir.Init;
import nnet.ir.LstmSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.ir.PoolSpec;
import nnet.ir.Shape;
import nnet.runtime.math.Activation;
import nnet.runtime.math.LossFunction;

/**
 * The rules of every built-in call of LANGUAGE.md §3–§6: arguments, shapes, connectivity and
 * weights; each builds its IR nodes and params once its arguments check.
 */
final class Layers {
    /** Activation names usable as calls and as the third argument of dense/conv2d: the elementwise ones of the {@link Activation} table, softmax, and linear (the identity). */
    static final List<String> ACTIVATIONS = activationNames();

    private static List<String> activationNames() {
        List<String> names = new ArrayList<>();
        for (Activation a : Activation.values()) names.add(a.name);
        names.add("softmax");
        names.add("linear");
        return List.copyOf(names);
    }

    static final Set<String> CALLS = Set.of("dense", "conv2d", "maxpool", "avgpool", "lstm", "flatten", "reshape", "concat", "gate",
            "dropout", "batchnorm", "layernorm", "embedding");
    /** Calls that hold weights and so take a layer name (§6). */
    static final Set<String> WEIGHTED = Set.of("dense", "conv2d", "lstm", "batchnorm", "layernorm", "embedding");
    /** The losses the language names (the {@link LossFunction} table's rows that have a name). */
    static final List<String> LOSSES = java.util.Arrays.stream(LossFunction.values()).map(f -> f.name).filter(java.util.Objects::nonNull).toList();

    /** dense's units may be left out when the tables of its connect: give them (§4). */
    static final Args.Signature DENSE = new Args.Signature("dense", List.of("x", "units", "act"), 1,
            List.of("connect", "weights", "bias", "freeze", "init", "names", "regularize", "activity"));
    static final Args.Signature CONV = new Args.Signature("conv2d", List.of("x", "filters", "kernel", "act"), 3,
            List.of("stride", "pad", "connect", "weights", "bias", "freeze", "init", "regularize", "activity"));
    static final Args.Signature LSTM = new Args.Signature("lstm", List.of("x", "units"), 2,
            List.of("sequences", "connect", "recurrent", "bias", "init", "regularize", "activity"));
    static final Args.Signature CONCAT = new Args.Signature("concat", List.of("a", "b", "more..."), 2, List.of("axis"));

    /** The parameters of a built-in call, for binding its arguments and for tools (signature help); null for a name that is none. */
    static Args.Signature signature(String f) {
        if (ACTIVATIONS.contains(f)) {
            Activation fn = Activation.named(f);
            return new Args.Signature(f, fn != null && fn.takesSlope ? List.of("x", "alpha") : List.of("x"), 1, List.of());
        }
        return switch (f) {
            case "dense" -> DENSE;
            case "conv2d" -> CONV;
            case "lstm" -> LSTM;
            case "concat" -> CONCAT;
            case "gate" -> new Args.Signature("gate", List.of("h", "g"), 2, List.of());
            case "maxpool", "avgpool" -> new Args.Signature(f, List.of("x", "k"), 2, List.of("stride"));
            case "flatten" -> new Args.Signature("flatten", List.of("x"), 1, List.of());
            case "reshape" -> new Args.Signature("reshape", List.of("x", "shape"), 2, List.of());
            case "dropout" -> FieldLayers.DROPOUT;
            case "batchnorm" -> FieldLayers.BATCHNORM;
            case "layernorm" -> FieldLayers.LAYERNORM;
            case "embedding" -> FieldLayers.EMBEDDING;
            default -> null;
        };
    }

    private final NetworkChecker c;
    private final WeightArgs weightArgs;
    private final FieldLayers field;

    Layers(NetworkChecker c) {
        this.c = c;
        this.weightArgs = new WeightArgs(c);
        this.field = new FieldLayers(c);
    }

    Node call(Ast.Call call, String name) {
        String f = call.callee().name();
        if (ACTIVATIONS.contains(f)) return activationCall(call, name);
        return switch (f) {
            case "dense" -> dense(call, name);
            case "conv2d" -> conv2d(call, name);
            case "maxpool", "avgpool" -> pool(call, name, f.equals("maxpool") ? Op.MAXPOOL : Op.AVGPOOL);
            case "lstm" -> lstm(call, name);
            case "flatten" -> flatten(call, name);
            case "reshape" -> reshape(call, name);
            case "concat" -> concat(call, name);
            case "dropout" -> field.dropout(call, name);
            case "batchnorm" -> field.batchnorm(call, name);
            case "layernorm" -> field.layernorm(call, name);
            case "embedding" -> field.embedding(call, name);
            default -> throw new IllegalStateException("no rule for " + f);
        };
    }

    // ---- dense

    private Node dense(Ast.Call call, String name) {
        Args a = Args.bind(call, DENSE, c);
        if (a == null) return null;
        Node x = c.tensor(a.get("x"), "the input of dense");
        Integer units = a.has("units") ? c.positiveInt(a.get("units"), "units") : null;
        String act = a.has("act") ? activationArg(a.get("act")) : "linear";
        boolean actOk = act != null, linear = "linear".equals(act);
        if (x == null || (a.has("units") && units == null)) return null;
        String input = NetworkChecker.describe(a.get("x"));
        NameSources.Units named = c.nameSources.layer(a, units, call.span(), "dense(" + input + ", " + units + ")");
        if (named == null) return null;
        int n = x.shape().last(), m = named.count();
        if (named.names() != null && x.shape().rank() > 1 && a.has("names")) {
            c.error(DiagCode.NAMES_COUNT, a.get("names").span(), "names: names the units of a layer with one axis; dense(" + input + ", " + m + ") on " + input + x.shape() + " is " + x.shape().withLast(m));
            return null;
        }
        TopologyTables.Ends ends = new TopologyTables.Ends(c.naming.of(x), input, named.names());
        String layer = c.layerName(call);
        String desc = "dense(" + input + ", " + m + ") on " + input + x.shape();
        // a sparse kernel stores its present connections only, so its limit is on those (checked by the pattern), not on n x m
        if ((!a.has("connect") && !c.sizeOk(call.span(), Sizes.product(n, m), desc + ": its kernel " + n + " x " + m))
                || !c.sizeOk(call.span(), Sizes.product(x.shape().outer(), m), desc + ": its output")) return null;
        // without connect: the layer is full, and no n x m pattern is built for it (large layers would wait for it)
        Connectivity conn = a.has("connect") ? c.patterns.eval(a.get("connect"), n, m, desc, "inputs x units", ends, a.get("units")) : null;
        if (conn != null && conn.isFull() && !c.sizeOk(call.span(), Sizes.product(n, m), desc + ": its kernel " + n + " x " + m)) return null;
        Init init = a.has("init") ? weightArgs.init(a.get("init")) : new Init.Glorot();
        WeightArgs.Weights w = a.has("weights") ? weightArgs.weights(a.get("weights"), n, m, desc, conn) : WeightArgs.Weights.NONE;
        Connectivity frozen = a.has("freeze") ? weightArgs.freeze(a.get("freeze"), n, m, desc, "inputs x units", ends) : null;
        WeightArgs.Bias bias = a.has("bias") ? weightArgs.bias(a.get("bias"), m, desc) : WeightArgs.Bias.DEFAULT;
        Penalties penalties = penalties(a, w != null && w.fixed() != null);
        if ((a.has("connect") && conn == null) || init == null || w == null || (a.has("freeze") && frozen == null) || bias == null || !actOk || penalties == null) return null;
        if (w.fixed() != null && frozen != null) {
            c.error(DiagCode.ARG_VALUE, a.get("freeze").span(), "freeze has no effect on fixed weights: they never change");
            return null;
        }
        if (conn != null) warnUnconnected(conn, a.get("connect").span(), desc);
        weightArgs.warnIgnoredInit(a, w);
        Param kernel = new Param(layer, "kernel", new Shape(n, m), conn == null || conn.isFull() ? null : conn, w.init() != null ? w.init() : init, w.fixed(), frozen, penalties.kernel());
        c.param(kernel);
        Span span = call.span();
        Param b = bias.param(layer, m);
        Node out = c.node(Op.LINEAR, x.shape().withLast(m), List.of(x), kernel, b == null && linear ? name : null, span);
        if (x.shape().rank() == 1) c.naming.name(out, named.names()); // before the bias and activation, which take them on
        if (b != null) {
            c.param(b);
            out = c.node(Op.BIAS_ADD, out.shape(), List.of(out), b, linear ? name : null, span);
        }
        return penalties.onOutput(linear ? c.producedBy(out, a.has("act") ? "linear" : "dense") : activation(act, out, Activation.DEFAULT_SLOPE, name, span));
    }

    /** A layer's {@code regularize:} (its kernel's penalty) and {@code activity:} (its output's), either null when not given. */
    private record Penalties(nnet.runtime.math.Penalty kernel, nnet.runtime.math.Penalty activity, Span span, NetworkChecker c) {
        /** The layer's output, its activity penalty recorded. */
        Node onOutput(Node out) {
            if (activity != null && out != null) c.activity(out, activity, span);
            return out;
        }
    }

    /** The penalties of a layer, or null after an error; a penalty on fixed weights is one (they never change). */
    private Penalties penalties(Args a, boolean fixed) {
        nnet.runtime.math.Penalty kernel = a.has("regularize") ? weightArgs.penalty(a.get("regularize"), "regularize") : null;
        nnet.runtime.math.Penalty activity = a.has("activity") ? weightArgs.penalty(a.get("activity"), "activity") : null;
        if ((a.has("regularize") && kernel == null) || (a.has("activity") && activity == null)) return null;
        if (kernel != null && fixed) {
            c.error(DiagCode.ARG_VALUE, a.get("regularize").span(), "regularize has no effect on fixed weights: they never change");
            return null;
        }
        return new Penalties(kernel, activity, a.has("activity") ? a.get("activity").span() : null, c);
    }

    /** A unit no input feeds outputs its bias alone, whatever the data: likely a gap in a pathway table (a warning, as it compiles). */
    private void warnUnconnected(Connectivity conn, Span at, String desc) {
        int[] degree = conn.unitDegrees();
        List<Integer> none = new java.util.ArrayList<>();
        for (int j = 0; j < degree.length; j++) if (degree[j] == 0) none.add(j);
        if (none.isEmpty()) return;
        String listed = none.stream().limit(5).map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) + (none.size() > 5 ? ", ..." : "");
        c.warning(DiagCode.CONNECT_UNCONNECTED, at, none.size() + " of the " + degree.length + " units of " + desc + (none.size() == 1 ? " has" : " have") + " no incoming connection (unit"
                + (none.size() == 1 ? " " : "s ") + listed + "): they output their bias alone");
    }

    // ---- activations

    /** The activation named as the third positional argument of dense/conv2d (checked), or null after an error. */
    private String activationArg(Ast.Expr e) {
        if (e instanceof Ast.Name n && ACTIVATIONS.contains(n.name())) return n.name();
        String found = e instanceof Ast.Name n ? "'" + n.name() + "'" + Suggest.didYouMean(n.name(), ACTIVATIONS) : "this";
        c.error(DiagCode.ARG_KIND, e.span(), "expected an activation (" + String.join(", ", ACTIVATIONS) + "), found " + found,
                e instanceof Ast.Name n ? Suggest.fix(n.span(), n.name(), ACTIVATIONS) : List.of());
        return null;
    }

    /** {@code f(x)} for an activation name: an elementwise activation, softmax, or x itself for linear. */
    Node activation(String f, Node x, double alpha, String name, Span span) {
        if (f.equals("linear")) return x;
        if (f.equals("softmax")) return c.producedBy(c.node(Op.SOFTMAX, x.shape(), List.of(x), null, name, span), f);
        Activation fn = Activation.named(f);
        return c.producedBy(c.node(Op.ACTIVATION, x.shape(), List.of(x), new Op.ActivationSpec(fn, fn.takesSlope ? (float) alpha : 0f), name, span), f);
    }

    private Node activationCall(Ast.Call call, String name) {
        String f = call.callee().name();
        Args a = Args.bind(call, signature(f), c);
        if (a == null) return null;
        Node x = c.tensor(a.get("x"), "the input of " + f);
        Double alpha = a.has("alpha") ? c.number(a.get("alpha")) : Double.valueOf(Activation.DEFAULT_SLOPE);
        if (x == null || alpha == null) return null;
        return activation(f, x, alpha, name, call.span());
    }

    // ---- gate

    /** {@code a, b = gate(h, g)}: a = g * h, b = (1 - g) * h. */
    Node[] gate(Ast.Call call, String onName, String skipName) {
        Args a = Args.bind(call, signature("gate"), c);
        if (a == null) return null;
        Node h = c.tensor(a.get("h"), "the gated value h");
        Value g = c.eval(a.get("g"), null);
        if (h == null || g == null) return null;
        Span span = call.span();
        Node gate, rest;
        if (g instanceof Value.Number num) {
            if (num.value() < 0 || num.value() > 1) {
                c.error(DiagCode.ARG_VALUE, a.get("g").span(), "a constant gate is a fraction between 0 and 1, found " + Numbers.format(num.value()));
                return null;
            }
            gate = c.constant((float) num.value(), span);
            rest = c.constant((float) (1 - num.value()), span);
        } else {
            gate = ((Value.Tensor) g).node();
            if (!gate.shape().equals(h.shape()) && !gate.shape().isScalar()) {
                c.error(DiagCode.SHAPE_MISMATCH, a.get("g").span(), "gate needs g of h's shape or [1]: " + NetworkChecker.describe(a.get("h")) + " is " + h.shape()
                        + ", " + NetworkChecker.describe(a.get("g")) + " is " + gate.shape());
                return null;
            }
            rest = c.node(Op.SUB, gate.shape(), List.of(c.constant(1, span), gate), null, null, span);
        }
        Node on = c.node(Op.MUL, h.shape(), List.of(gate, h), null, onName, span);
        Node skip = c.node(Op.MUL, h.shape(), List.of(rest, h), null, skipName, span);
        return new Node[] {on, skip};
    }

    // ---- conv2d and pools

    private Node conv2d(Ast.Call call, String name) {
        Args a = Args.bind(call, CONV, c);
        if (a == null) return null;
        Node x = c.tensor(a.get("x"), "the input of conv2d");
        Integer filters = c.positiveInt(a.get("filters"), "filters");
        int[] k = pair(a.get("kernel"), "kernel size", "kernel height", "kernel width");
        int[] stride = a.has("stride") ? pair(a.get("stride"), "stride", "vertical stride", "horizontal stride") : new int[] {1, 1};
        String act = a.has("act") ? activationArg(a.get("act")) : "linear";
        boolean actOk = act != null, linear = "linear".equals(act);
        Boolean same = a.has("pad") ? padding(a.get("pad")) : Boolean.FALSE;
        Init init = a.has("init") ? weightArgs.init(a.get("init")) : new Init.Glorot();
        if (x == null || filters == null || k == null || stride == null || same == null || init == null || !actOk) return null;
        if (x.shape().rank() != 3) {
            c.error(DiagCode.SHAPE_RANK, a.get("x").span(), "conv2d needs an input [channels, height, width], found " + NetworkChecker.describe(a.get("x")) + x.shape());
            return null;
        }
        int ch = x.shape().dim(0), h = x.shape().dim(1), w = x.shape().dim(2);
        String desc = "conv2d(" + NetworkChecker.describe(a.get("x")) + ", " + filters + ", ...) on " + NetworkChecker.describe(a.get("x")) + x.shape();
        int oh, ow, padTop = 0, padLeft = 0;
        if (same) {
            oh = (h + stride[0] - 1) / stride[0];
            ow = (w + stride[1] - 1) / stride[1];
            padTop = Math.max((oh - 1) * stride[0] + k[0] - h, 0) / 2;
            padLeft = Math.max((ow - 1) * stride[1] + k[1] - w, 0) / 2;
        } else {
            if (k[0] > h || k[1] > w) {
                c.error(DiagCode.SHAPE_MISMATCH, a.get("kernel").span(), "kernel " + k[0] + " x " + k[1] + " is larger than the " + h + " x " + w + " image of " + desc + " (use pad: same)");
                return null;
            }
            oh = (h - k[0]) / stride[0] + 1;
            ow = (w - k[1]) / stride[1] + 1;
        }
        if (!c.sizeOk(call.span(), Sizes.product(filters, ch, k[0], k[1]), desc + ": its kernel")
                || !c.sizeOk(call.span(), Sizes.product(filters, oh, ow), desc + ": its output")) return null;
        Connectivity table = a.has("connect") ? c.patterns.eval(a.get("connect"), ch, filters, desc, "channels x filters", TopologyTables.Ends.NONE, a.get("filters")) : Connectivity.full(ch, filters);
        int[] kernelShape = {filters, ch, k[0], k[1]};
        WeightArgs.Weights wa = a.has("weights") && table != null ? weightArgs.convWeights(a.get("weights"), kernelShape, desc, table) : WeightArgs.Weights.NONE;
        Connectivity frozen = a.has("freeze") ? weightArgs.freeze(a.get("freeze"), ch, filters, desc, "channels x filters") : null;
        WeightArgs.Bias bias = a.has("bias") ? weightArgs.bias(a.get("bias"), filters, desc) : WeightArgs.Bias.DEFAULT;
        Penalties penalties = wa == null ? null : penalties(a, wa.fixed() != null);
        if (table == null || wa == null || (a.has("freeze") && frozen == null) || bias == null || penalties == null) return null;
        if (wa.fixed() != null && frozen != null) {
            c.error(DiagCode.ARG_VALUE, a.get("freeze").span(), "freeze has no effect on fixed weights: they never change");
            return null;
        }
        weightArgs.warnIgnoredInit(a, wa);
        String layer = c.layerName(call);
        Param kernel = new Param(layer, "kernel", new Shape(kernelShape), table.isFull() ? null : table, wa.init() != null ? wa.init() : init, wa.fixed(), frozen, penalties.kernel());
        c.param(kernel);
        Param b = bias.param(layer, filters);
        if (b != null) c.param(b);
        Node out = c.node(Op.CONV2D, new Shape(filters, oh, ow), List.of(x), new ConvSpec(kernel, b, k[0], k[1], stride[0], stride[1], padTop, padLeft),
                linear ? name : null, call.span());
        return penalties.onOutput(linear ? c.producedBy(out, a.has("act") ? "linear" : "conv2d") : activation(act, out, Activation.DEFAULT_SLOPE, name, call.span()));
    }

    /** A number {@code n} (as {@code [n, n]}) or {@code [first, second]} of positive integers: a kernel size or a stride. */
    private int[] pair(Ast.Expr e, String what, String first, String second) {
        if (e instanceof Ast.ListExpr l) {
            if (l.items().size() != 2) {
                c.error(DiagCode.ARG_VALUE, e.span(), "a " + what + " is a number or [" + first + ", " + second + "], found a list of " + l.items().size());
                return null;
            }
            Integer p = c.positiveInt(l.items().get(0), first), q = c.positiveInt(l.items().get(1), second);
            return p == null || q == null ? null : new int[] {p, q};
        }
        Integer n = c.positiveInt(e, what);
        return n == null ? null : new int[] {n, n};
    }

    private Boolean padding(Ast.Expr e) {
        if (e instanceof Ast.Name n && (n.name().equals("same") || n.name().equals("valid"))) return n.name().equals("same");
        c.error(DiagCode.ARG_VALUE, e.span(), "pad: takes valid or same");
        return null;
    }

    /** {@code maxpool(x, k, stride: k)}: k x k windows every {@code stride} rows and columns (a number or [vertical, horizontal]); whole windows only. */
    private Node pool(Ast.Call call, String name, Op op) {
        String f = call.callee().name();
        Args a = Args.bind(call, signature(f), c);
        if (a == null) return null;
        Node x = c.tensor(a.get("x"), "the input of " + f);
        Integer k = c.positiveInt(a.get("k"), "the window size of " + f);
        int[] stride = a.has("stride") ? pair(a.get("stride"), "stride", "vertical stride", "horizontal stride") : null;
        if (x == null || k == null || (a.has("stride") && stride == null)) return null;
        Shape s = x.shape();
        if (s.rank() != 3) {
            c.error(DiagCode.SHAPE_RANK, a.get("x").span(), f + " needs an input [channels, height, width], found " + NetworkChecker.describe(a.get("x")) + s);
            return null;
        }
        if (k > s.dim(1) || k > s.dim(2)) {
            c.error(DiagCode.SHAPE_MISMATCH, a.get("k").span(), f + " window " + k + " is larger than the " + s.dim(1) + " x " + s.dim(2) + " image of " + NetworkChecker.describe(a.get("x")) + s);
            return null;
        }
        PoolSpec spec = stride == null ? new PoolSpec(k, k, k) : new PoolSpec(k, stride[0], stride[1]);
        Shape out = new Shape(s.dim(0), PoolSpec.outputSize(s.dim(1), k, spec.strideY()), PoolSpec.outputSize(s.dim(2), k, spec.strideX()));
        return c.node(op, out, List.of(x), spec, name, call.span());
    }

    // ---- lstm

    private Node lstm(Ast.Call call, String name) {
        Args a = Args.bind(call, LSTM, c);
        if (a == null) return null;
        Node x = c.tensor(a.get("x"), "the input of lstm");
        Integer units = c.positiveInt(a.get("units"), "units");
        Boolean sequences = a.has("sequences") ? bool(a.get("sequences"), "sequences") : Boolean.FALSE;
        Init init = a.has("init") ? weightArgs.init(a.get("init")) : new Init.Glorot();
        if (x == null || units == null || sequences == null || init == null) return null;
        if (x.shape().rank() != 2) {
            c.error(DiagCode.SHAPE_RANK, a.get("x").span(), "lstm needs an input [time, features], found " + NetworkChecker.describe(a.get("x")) + x.shape());
            return null;
        }
        int t = x.shape().dim(0), f = x.shape().dim(1), u = units;
        String desc = "lstm(" + NetworkChecker.describe(a.get("x")) + ", " + u + ") on " + NetworkChecker.describe(a.get("x")) + x.shape();
        if (!c.sizeOk(call.span(), Sizes.product(4, u, Sizes.plus(f, u)), desc + ": its kernels")) return null;
        Connectivity in = a.has("connect") ? c.patterns.eval(a.get("connect"), f, u, desc, "features x units", TopologyTables.Ends.NONE, a.get("units")) : Connectivity.full(f, u);
        Connectivity rec = a.has("recurrent") ? c.patterns.eval(a.get("recurrent"), u, u, desc + " (recurrent)", "units x units") : Connectivity.full(u, u);
        WeightArgs.Bias bias = a.has("bias") ? weightArgs.bias(a.get("bias"), 4 * u, desc + " (4 gates)") : WeightArgs.Bias.DEFAULT;
        Penalties penalties = penalties(a, false);
        if (in == null || rec == null || bias == null || penalties == null) return null;
        String layer = c.layerName(call);
        // regularize: is Keras' kernel_regularizer, on the input kernel only (Keras' recurrent_regularizer is another argument)
        Param kernel = new Param(layer, "kernel", new Shape(f, 4 * u), in.isFull() ? null : in, init, null, null, penalties.kernel());
        Param recurrent = new Param(layer, "recurrent_kernel", new Shape(u, 4 * u), rec.isFull() ? null : rec, init, null, null);
        // the forget gate's bias starts at 1, as Keras's unit_forget_bias: the state is kept, not forgotten, until trained otherwise
        float[] forgetOnes = new float[4 * u];
        java.util.Arrays.fill(forgetOnes, u, 2 * u, 1f);
        Param b = bias.param(layer, 4 * u, new Init.Values(forgetOnes));
        c.param(kernel);
        c.param(recurrent);
        if (b != null) c.param(b);
        Shape out = sequences ? new Shape(t, u) : new Shape(u);
        return penalties.onOutput(c.node(Op.LSTM, out, List.of(x), new LstmSpec(kernel, recurrent, b, u, sequences), name, call.span()));
    }

    private Boolean bool(Ast.Expr e, String what) {
        if (e instanceof Ast.Name n && (n.name().equals("true") || n.name().equals("false"))) return n.name().equals("true");
        c.error(DiagCode.ARG_VALUE, e.span(), what + ": takes true or false");
        return null;
    }

    // ---- shape ops

    private Node flatten(Ast.Call call, String name) {
        Args a = Args.bind(call, signature("flatten"), c);
        if (a == null) return null;
        Node x = c.tensor(a.get("x"), "the input of flatten");
        return x == null ? null : c.node(Op.RESHAPE, new Shape(x.shape().size()), List.of(x), null, name, call.span());
    }

    private Node reshape(Ast.Call call, String name) {
        Args a = Args.bind(call, signature("reshape"), c);
        if (a == null) return null;
        Node x = c.tensor(a.get("x"), "the input of reshape");
        if (x == null) return null;
        if (!(a.get("shape") instanceof Ast.ListExpr l) || l.items().isEmpty()) {
            c.error(DiagCode.ARG_KIND, a.get("shape").span(), "reshape takes a shape like [4, 7] (one entry may be -1)");
            return null;
        }
        int[] dims = new int[l.items().size()];
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            Double d = c.number(l.items().get(i));
            if (d == null) return null;
            if (d == -1 && unknown < 0) {
                unknown = i;
                continue;
            }
            Integer v = c.positiveInt(l.items().get(i), "dimension " + i + " of reshape");
            if (v == null) return null;
            dims[i] = v;
            known = Sizes.times(known, v);
        }
        if (!c.sizeOk(a.get("shape").span(), known, "reshape to " + shapeText(dims, unknown))) return null;
        long size = x.shape().sizeLong();
        if (unknown >= 0 && size % known == 0) dims[unknown] = (int) (size / known);
        if ((unknown >= 0 && size % known != 0) || (unknown < 0 && known != size)) {
            c.error(DiagCode.SHAPE_MISMATCH, a.get("shape").span(), "reshape to " + shapeText(dims, unknown) + " needs " + (unknown >= 0 ? "a multiple of " + known : known)
                    + " elements, but " + NetworkChecker.describe(a.get("x")) + x.shape() + " has " + size);
            return null;
        }
        return c.node(Op.RESHAPE, new Shape(dims), List.of(x), null, name, call.span());
    }

    private static String shapeText(int[] dims, int unknown) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) parts.add(i == unknown ? "-1" : Integer.toString(dims[i]));
        return "[" + String.join(", ", parts) + "]";
    }

    private Node concat(Ast.Call call, String name) {
        Args a = Args.bind(call, CONCAT, c);
        if (a == null) return null;
        List<Ast.Expr> exprs = new ArrayList<>(List.of(a.get("a"), a.get("b")));
        if (a.has("more...")) exprs.add(a.get("more..."));
        for (Ast.Arg extra : a.rest()) exprs.add(extra.value());
        List<Node> parts = new ArrayList<>();
        for (Ast.Expr e : exprs) parts.add(c.tensor(e, "an input of concat"));
        Double axisArg = a.has("axis") ? c.number(a.get("axis")) : Double.valueOf(-1);
        if (parts.contains(null) || axisArg == null) return null;
        int rank = parts.get(0).shape().rank();
        int axis = (int) (double) axisArg;
        if (axisArg != Math.rint(axisArg) || axis < -rank || axis >= rank) {
            c.error(DiagCode.ARG_VALUE, a.get("axis").span(), "axis " + Numbers.format(axisArg) + " is out of range for rank " + rank + " (-" + rank + ".." + (rank - 1) + ")");
            return null;
        }
        if (axis < 0) axis += rank;
        Shape first = parts.get(0).shape();
        long total = 0;
        for (int i = 0; i < parts.size(); i++) {
            Shape s = parts.get(i).shape();
            boolean fits = s.rank() == rank;
            for (int d = 0; fits && d < rank; d++) fits = d == axis || s.dim(d) == first.dim(d);
            if (!fits) {
                c.error(DiagCode.SHAPE_MISMATCH, exprs.get(i).span(), "concat on axis " + axis + " needs equal shapes off that axis: "
                        + NetworkChecker.describe(exprs.get(0)) + " is " + first + ", " + NetworkChecker.describe(exprs.get(i)) + " is " + s);
                return null;
            }
            total = Sizes.plus(total, s.dim(axis));
        }
        int[] dims = first.dims();
        dims[axis] = (int) Math.min(total, Integer.MAX_VALUE);
        if (!c.sizeOk(call.span(), Sizes.times(total, first.sizeLong() / first.dim(axis)), "concat")) return null;
        return c.node(Op.CONCAT, new Shape(dims), parts, axis, name, call.span());
    }
}
