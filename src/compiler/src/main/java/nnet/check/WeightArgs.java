package nnet.check;

import java.util.Set;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.ir.Connectivity;
import nnet.ir.Init;
import nnet.ir.Param;
import nnet.ir.Shape;

/** The arguments that say how a layer's weights start and which may change: {@code weights:}, {@code freeze:}, {@code bias:}, {@code init:} (LANGUAGE.md §6). */
final class WeightArgs {
    private final NetworkChecker c;

    WeightArgs(NetworkChecker c) {
        this.c = c;
    }

    /** {@code weights: fixed [[...]]} (constant values) or {@code weights: init [[...]]} (starting values). */
    record Weights(float[] fixed, Init init) {
        static final Weights NONE = new Weights(null, null);
    }

    /**
     * {@code init:} beside {@code weights:} is ignored (the values are given, and fixed ones never
     * change): likely a leftover or a Keras habit (an initializer with given weights), so a warning.
     */
    void warnIgnoredInit(Args a, Weights w) {
        if (!a.has("init") || w == null || w == Weights.NONE) return;
        c.warning(DiagCode.WEIGHTS_INIT, a.get("init").span(), "init: has no effect here: weights: " + (w.fixed() != null
                ? "fixed [...] gives the kernel's values, which never change" : "init [...] gives the kernel's starting values") + " (remove one of the two)");
    }

    /** {@code weights: fixed [[...]]} or {@code weights: init [[...]]}; absent connections must be 0. */
    Weights weights(Ast.Expr e, int n, int m, String desc, Connectivity conn) {
        if (!(e instanceof Ast.Tagged t) || !(t.tag().name().equals("fixed") || t.tag().name().equals("init"))) {
            c.error(DiagCode.ARG_KIND, e.span(), "weights: takes 'fixed [[...]]' (constant) or 'init [[...]]' (trainable, starting there); for an initialiser use init: glorot");
            return null;
        }
        float[][] v = c.literals.matrix(t.value(), DiagCode.WEIGHTS_SIZE, "weights");
        if (v == null) return null;
        if (v.length != n || v[0].length != m) {
            c.error(DiagCode.WEIGHTS_SIZE, t.span(), "weights are " + Literals.dims(v) + ", but " + desc + " needs " + n + " x " + m + " (inputs x units)"
                    + (v.length == m && v[0].length == n ? "; this is its transpose, [out, in] as PyTorch's Linear.weight: write a row per input" : ""),
                    Literals.transposeFix(t.value(), v, n, m, "weights"));
            return null;
        }
        float[] flat = new float[n * m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) {
                if (conn != null && !conn.get(i, j) && v[i][j] != 0) {
                    c.error(DiagCode.MASK_VALUE, t.span(), "weights[" + i + "][" + j + "] is " + v[i][j] + ", but connect: leaves " + i + " -> " + j + " absent (write 0 there)");
                    return null;
                }
                flat[i * m + j] = v[i][j];
            }
        return t.tag().name().equals("fixed") ? new Weights(flat, null) : new Weights(null, new Init.Values(flat));
    }

    /**
     * A conv2d's {@code weights: fixed [...]} or {@code init [...]}: nested lists {@code [filters][C][kh][kw]},
     * the weights file's layout (LANGUAGE.md §6); the taps of absent channel pairs must be 0.
     */
    Weights convWeights(Ast.Expr e, int[] shape, String desc, Connectivity table) {
        if (!(e instanceof Ast.Tagged t) || !(t.tag().name().equals("fixed") || t.tag().name().equals("init"))) {
            c.error(DiagCode.ARG_KIND, e.span(), "weights: takes 'fixed [...]' (constant) or 'init [...]' (trainable, starting there), nested [filters][channels][height][width]; "
                    + "for an initialiser use init: glorot");
            return null;
        }
        float[] flat = c.literals.tensor(t.value(), shape, DiagCode.WEIGHTS_SIZE, "weights", desc + " needs [filters][channels][height][width]");
        if (flat == null) return null;
        int taps = shape[2] * shape[3];
        for (int o = 0; o < shape[0]; o++)
            for (int i = 0; i < shape[1]; i++)
                for (int q = 0; q < taps; q++) {
                    float v = flat[(o * shape[1] + i) * taps + q];
                    if (!table.get(i, o) && v != 0) {
                        c.error(DiagCode.MASK_VALUE, t.span(), "weights[" + o + "][" + i + "][" + q / shape[3] + "][" + q % shape[3] + "] is " + v
                                + ", but connect: leaves channel " + i + " -> filter " + o + " absent (write 0 there)");
                        return null;
                    }
                }
        return t.tag().name().equals("fixed") ? new Weights(flat, null) : new Weights(null, new Init.Values(flat));
    }

    /** {@code freeze:} any pattern ({@code mask [[...]]}, {@code edges "f.csv"}, {@code mask "f.npz"}, {@code band(2)}, ...) over the same {@code n x m} pairs as connect: ({@code axes} names them). */
    Connectivity freeze(Ast.Expr e, int n, int m, String desc, String axes) {
        return freeze(e, n, m, desc, axes, TopologyTables.Ends.NONE);
    }

    /** The same, where a table may name the pairs by the layer's {@code ends}. */
    Connectivity freeze(Ast.Expr e, int n, int m, String desc, String axes, TopologyTables.Ends ends) {
        return c.patterns.eval(e, n, m, desc + " (freeze)", axes, ends, null);
    }

    /** {@code bias: true | false | fixed [...] | init [...] | mask [...]}. */
    record Bias(boolean present, float[] fixed, float[] init, Connectivity mask) {
        static final Bias DEFAULT = new Bias(true, null, null, null);

        Param param(String layer, int m) {
            return param(layer, m, new Init.Zeros());
        }

        /** The bias param, starting from {@code byDefault} unless the source gives its values. */
        Param param(String layer, int m, Init byDefault) {
            if (!present) return null;
            return new Param(layer, "bias", new Shape(m), mask, init != null ? new Init.Values(init) : byDefault, fixed, null);
        }
    }

    Bias bias(Ast.Expr e, int m, String desc) {
        if (e instanceof Ast.Name n && (n.name().equals("true") || n.name().equals("false")))
            return new Bias(n.name().equals("true"), null, null, null);
        if (e instanceof Ast.Tagged t && Set.of("fixed", "init", "mask").contains(t.tag().name())) {
            float[] v = c.literals.vector(t.value(), DiagCode.WEIGHTS_SIZE, "bias");
            if (v == null) return null;
            if (v.length != m) {
                c.error(t.tag().name().equals("mask") ? DiagCode.MASK_SIZE : DiagCode.WEIGHTS_SIZE, t.span(),
                        "bias " + t.tag().name() + " has " + v.length + " entries, but " + desc + " has " + m + " units");
                return null;
            }
            if (t.tag().name().equals("mask")) {
                boolean[][] rows = new boolean[1][m];
                for (int j = 0; j < m; j++) {
                    if (v[j] != 0 && v[j] != 1) {
                        c.error(DiagCode.MASK_VALUE, t.span(), "bias mask entry " + j + " is " + v[j] + "; a mask holds only 0 and 1");
                        return null;
                    }
                    rows[0][j] = v[j] == 1;
                }
                return new Bias(true, null, null, Connectivity.fromRows(rows));
            }
            return t.tag().name().equals("fixed") ? new Bias(true, v, null, null) : new Bias(true, null, v, null);
        }
        c.error(DiagCode.ARG_KIND, e.span(), "bias: takes true, false, fixed [...], init [...] or mask [...]");
        return null;
    }

    /** {@code init: glorot | he | zeros | normal(std) | uniform(low, high)}. */
    Init init(Ast.Expr e) {
        if (e instanceof Ast.Name n) {
            switch (n.name()) {
                case "glorot": return new Init.Glorot();
                case "he": return new Init.He();
                case "zeros": return new Init.Zeros();
                default: break;
            }
        } else if (e instanceof Ast.Call call && (call.callee().name().equals("normal") || call.callee().name().equals("uniform"))) {
            boolean normal = call.callee().name().equals("normal");
            int want = normal ? 1 : 2;
            if (call.args().size() != want) {
                c.error(DiagCode.ARG_COUNT, call.span(), normal ? "normal takes the standard deviation: normal(0.01)" : "uniform takes its bounds: uniform(-0.1, 0.1)");
                return null;
            }
            Double p = c.number(call.args().get(0).value());
            Double q = normal ? Double.valueOf(0) : c.number(call.args().get(1).value());
            if (p == null || q == null) return null;
            if (normal ? p < 0 : p > q) {
                c.error(DiagCode.ARG_VALUE, call.span(), normal ? "a standard deviation cannot be negative" : "uniform(low, high) needs low <= high");
                return null;
            }
            return normal ? new Init.Normal(p) : new Init.Uniform(p, q);
        }
        c.error(DiagCode.ARG_KIND, e.span(), "init: takes glorot, he, zeros, normal(std) or uniform(low, high)");
        return null;
    }

    /**
     * {@code regularize: l1(0.01) | l2(0.01) | l1_l2(0.01, 0.01)} and {@code activity:} likewise:
     * Keras' regularizers, their factors numbers of at least 0 ({@code l1_l2} also by name, {@code l1_l2(l2: 0.01)}).
     */
    nnet.runtime.math.Penalty penalty(Ast.Expr e, String what) {
        if (e instanceof Ast.Call call && java.util.List.of("l1", "l2", "l1_l2").contains(call.callee().name())) {
            String f = call.callee().name();
            Args a = Args.bind(call, new Args.Signature(f, f.equals("l1_l2") ? java.util.List.of("l1", "l2") : java.util.List.of("factor"), f.equals("l1_l2") ? 0 : 1, java.util.List.of()), c);
            if (a == null) return null;
            Double l1 = factor(a, f.equals("l2") ? null : f.equals("l1") ? "factor" : "l1"), l2 = factor(a, f.equals("l1") ? null : f.equals("l2") ? "factor" : "l2");
            return l1 == null || l2 == null ? null : new nnet.runtime.math.Penalty(l1.floatValue(), l2.floatValue());
        }
        c.error(DiagCode.ARG_KIND, e.span(), what + ": takes l1(0.01), l2(0.01) or l1_l2(0.01, 0.01) (Keras' regularizers)");
        return null;
    }

    /** A penalty's factor: 0 when {@code name} is null or not given (l1_l2's), else a number of at least 0. */
    private Double factor(Args a, String name) {
        if (name == null || !a.has(name)) return 0.0;
        Double v = c.number(a.get(name));
        if (v == null) return null;
        if (!(v >= 0) || v > Float.MAX_VALUE) {
            c.error(DiagCode.ARG_VALUE, a.get(name).span(), "a penalty's factor is a number of at least 0, found " + Numbers.format(v));
            return null;
        }
        return v;
    }
}
