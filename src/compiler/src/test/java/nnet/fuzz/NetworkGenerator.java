package nnet.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes random valid networks: every op, connectivity pattern, weights argument, gate, merge,
 * block, top-level const and loss of LANGUAGE.md, each applied only where its shapes fit. The
 * generator tracks the shape of every name it binds, so a network it writes must check without
 * errors; when the checker disagrees, one of the two is wrong.
 */
final class NetworkGenerator {
    /** A bound name and its shape. */
    private record Tensor(String name, int[] shape) {
        int last() {
            return shape[shape.length - 1];
        }

        int size() {
            int n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    private static final List<String> ACTIVATIONS = List.of("relu", "sigmoid", "tanh", "softmax", "leaky_relu", "gelu", "linear");
    private final Choices c;
    private final StringBuilder out = new StringBuilder();
    private final List<Tensor> bound = new ArrayList<>();
    private int names;

    private NetworkGenerator(Choices c) {
        this.c = c;
    }

    static String generate(Choices c) {
        return new NetworkGenerator(c).file();
    }

    private String file() {
        boolean withConst = c.chance(30), withBlock = c.chance(30);
        int width = c.between(1, 8);
        if (withConst) out.append("const W = ").append(width).append("\n");
        if (withBlock) out.append("block residual(x, n) {\n  h = dense(x, n, ").append(c.oneOf(ACTIVATIONS)).append(")\n  return dense(h, n) + x\n}\n");
        out.append("network Generated {\n");
        input(withConst ? "W" : Integer.toString(width), new int[] {width});
        if (c.chance(30)) input(null, new int[] {c.between(1, 3), c.between(3, 8), c.between(3, 8)});
        if (c.chance(30)) input(null, new int[] {c.between(1, 4), c.between(1, 5)});
        int steps = c.between(1, 8);
        for (int i = 0; i < steps; i++) step(withBlock);
        Tensor y = bound.get(bound.size() - 1 - c.below(Math.min(3, bound.size())));
        out.append("  output ").append(y.name());
        Tensor extra = bound.get(c.below(bound.size()));
        boolean two = extra != y && c.chance(30);
        if (two) out.append(", ").append(extra.name());
        out.append("\n");
        if (c.chance(70)) loss(y, two);
        if (c.chance(20)) out.append("  train { optimizer: ").append(c.oneOf(List.of("sgd(lr: 0.01, momentum: 0.9)", "adam(lr: 0.001)", "adamw(weight_decay: 0.01)")))
                .append(", batch: ").append(c.between(1, 8)).append(" }\n");
        return out.append("}\n").toString();
    }

    private void input(String firstDim, int[] shape) {
        String name = fresh("in");
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) dims.append(i == 0 ? "" : ", ").append(i == 0 && firstDim != null ? firstDim : Integer.toString(shape[i]));
        out.append("  input ").append(name).append('[').append(dims).append("]\n");
        bound.add(new Tensor(name, shape));
    }

    private void loss(Tensor y, boolean severalOutputs) {
        String target = severalOutputs ? y.name() + ": " : "";
        out.append("  loss ").append(target).append(c.oneOf(List.of("mse", "binary_cross_entropy", "cross_entropy"))).append("\n");
    }

    private String fresh(String prefix) {
        return prefix + names++;
    }

    private Tensor pick(int rank) {
        List<Tensor> fit = bound.stream().filter(t -> t.shape.length == rank).toList();
        return fit.isEmpty() ? null : fit.get(c.below(fit.size()));
    }

    private void bind(String expr, int[] shape) {
        String name = fresh("t");
        out.append("  ").append(name).append(" = ").append(expr).append("\n");
        bound.add(new Tensor(name, shape));
    }

    /** One statement whose shapes fit what is bound so far. */
    private void step(boolean withBlock) {
        Tensor v = pick(1), img = pick(3), seq = pick(2);
        switch (c.below(10)) {
            case 0, 1 -> dense(c.chance(80) || seq == null ? v : seq);
            case 2 -> {
                String act = c.oneOf(ACTIVATIONS);
                bind(act + "(" + v.name() + (act.equals("leaky_relu") && c.chance(50) ? ", 0.2" : "") + ")", v.shape);
            }
            case 3 -> elementwise(v);
            case 4 -> gate(v);
            case 5 -> {
                if (img != null) image(img);
                else dense(v);
            }
            case 6 -> {
                if (seq != null) sequence(seq);
                else dense(v);
            }
            case 7 -> {
                Tensor w = pick(1);
                if (c.chance(50)) bind("concat(" + v.name() + ", " + w.name() + ")", new int[] {v.last() + w.last()});
                else reshape(v);
            }
            case 8 -> {
                if (withBlock) bind("residual(" + v.name() + ", " + v.last() + ")", v.shape);
                else dense(v);
            }
            default -> {
                Tensor any = bound.get(c.below(bound.size()));
                if (any.shape.length > 1) bind("flatten(" + any.name() + ")", new int[] {any.size()});
                else dense(v);
            }
        }
    }

    private void dense(Tensor x) {
        int n = x.last(), m = c.between(1, 8);
        StringBuilder call = new StringBuilder("dense(" + x.name() + ", ");
        String connect = null;
        switch (c.below(9)) {
            case 0 -> connect = "band(" + c.between(0, 2) + ")";
            case 1 -> {
                int k = c.between(1, 3);
                if (n % k == 0) {
                    m = k * c.between(1, 3);
                    connect = "blocks(" + k + ")";
                }
            }
            case 2 -> {
                int w = c.between(1, n), s = c.between(1, 2);
                m = (n - w) / s + 1;
                if ((n - w) % s == 0) connect = "local(" + w + ", " + s + ")";
                else m = c.between(1, 8);
            }
            case 3 -> connect = "random(0." + c.between(1, 9) + ", seed: " + c.between(0, 99) + ")";
            case 4 -> connect = "mask " + matrix(n, m, true);
            case 5 -> connect = "edges [0 -> 0, " + (n - 1) + " -> 0.." + (m - 1) + "]";
            case 6 -> connect = "band(1) | random(0.5)";
            case 7 -> connect = "full & band(" + c.between(0, 3) + ")";
            default -> { }
        }
        call.append(m);
        if (c.chance(60)) call.append(", ").append(c.oneOf(ACTIVATIONS));
        if (connect != null) call.append(", connect: ").append(connect);
        if (connect == null && n * m <= 16 && c.chance(20)) call.append(", weights: ").append(c.chance(50) ? "fixed " : "init ").append(matrix(n, m, false));
        else if (n * m <= 16 && c.chance(15)) call.append(", freeze: mask ").append(matrix(n, m, true));
        if (c.chance(20)) call.append(", bias: ").append(c.oneOf(List.of("false", "true", "fixed " + vector(m), "init " + vector(m), "mask " + mask(m))));
        if (c.chance(20)) call.append(", init: ").append(c.oneOf(List.of("glorot", "he", "zeros", "normal(0.1)", "uniform(-0.5, 0.5)")));
        int[] shape = x.shape.clone();
        shape[shape.length - 1] = m;
        bind(call.append(")").toString(), shape);
    }

    private void elementwise(Tensor v) {
        Tensor w = bound.stream().filter(t -> java.util.Arrays.equals(t.shape, v.shape) && t != v).findFirst().orElse(v);
        String e = switch (c.below(6)) {
            case 0 -> v.name() + " + " + w.name();
            case 1 -> v.name() + " - " + w.name();
            case 2 -> v.name() + " * " + w.name();
            case 3 -> "0.5 * " + v.name() + " - 1";
            case 4 -> v.name() + " / 2";
            default -> "-" + v.name() + " + (" + w.name() + " * 2)";
        };
        bind(e, v.shape);
    }

    private void gate(Tensor h) {
        String g;
        if (c.chance(50)) {
            g = fresh("g");
            out.append("  ").append(g).append(" = dense(").append(h.name()).append(", ").append(h.last()).append(", sigmoid)\n");
            bound.add(new Tensor(g, h.shape));
        } else g = "0." + c.between(0, 9);
        String on = fresh("on"), skip = fresh("skip");
        out.append("  ").append(on).append(", ").append(skip).append(" = gate(").append(h.name()).append(", ").append(g).append(")\n");
        bound.add(new Tensor(on, h.shape));
        bound.add(new Tensor(skip, h.shape));
    }

    private void image(Tensor img) {
        int ch = img.shape[0], h = img.shape[1], w = img.shape[2];
        if (c.chance(40)) {
            int k = c.between(1, Math.min(h, w));
            String pool = c.chance(50) ? "maxpool" : "avgpool";
            bind(pool + "(" + img.name() + ", " + k + ")", new int[] {ch, h / k, w / k});
            return;
        }
        int f = c.between(1, 4), k = c.between(1, Math.min(3, Math.min(h, w))), stride = c.between(1, 2);
        boolean same = c.chance(50);
        int oh = same ? (h + stride - 1) / stride : (h - k) / stride + 1, ow = same ? (w + stride - 1) / stride : (w - k) / stride + 1;
        StringBuilder call = new StringBuilder("conv2d(" + img.name() + ", " + f + ", " + (c.chance(50) ? k : "[" + k + ", " + k + "]"));
        if (c.chance(50)) call.append(", ").append(c.oneOf(ACTIVATIONS));
        call.append(", stride: ").append(stride).append(", pad: ").append(same ? "same" : "valid");
        if (c.chance(30)) call.append(", connect: mask ").append(matrix(ch, f, true));
        bind(call.append(")").toString(), new int[] {f, oh, ow});
    }

    private void sequence(Tensor seq) {
        int u = c.between(1, 5);
        boolean all = c.chance(50);
        StringBuilder call = new StringBuilder("lstm(" + seq.name() + ", " + u);
        if (all) call.append(", sequences: true");
        if (c.chance(30)) call.append(", connect: band(1)");
        if (c.chance(30)) call.append(", recurrent: mask ").append(matrix(u, u, true));
        bind(call.append(")").toString(), all ? new int[] {seq.shape[0], u} : new int[] {u});
    }

    private void reshape(Tensor v) {
        int n = v.size();
        List<Integer> divisors = new ArrayList<>();
        for (int d = 1; d <= n; d++) if (n % d == 0) divisors.add(d);
        int a = c.oneOf(divisors);
        bind("reshape(" + v.name() + ", [" + a + ", " + (c.chance(50) ? "-1" : Integer.toString(n / a)) + "])", new int[] {a, n / a});
    }

    /** A rows x cols matrix literal: 0/1 entries (with each row's first set, so no unit is cut off entirely) or small weights. */
    private String matrix(int rows, int cols, boolean zeroOne) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rows; i++) {
            sb.append(i == 0 ? "[" : ", [");
            for (int j = 0; j < cols; j++) {
                sb.append(j == 0 ? "" : ", ");
                sb.append(zeroOne ? (i == j % rows || c.chance(50) ? "1" : "0") : Integer.toString(c.between(-3, 3)));
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    private String vector(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int j = 0; j < n; j++) sb.append(j == 0 ? "" : ", ").append(c.between(-2, 2));
        return sb.append(']').toString();
    }

    private String mask(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int j = 0; j < n; j++) sb.append(j == 0 ? "" : ", ").append(c.chance(70) ? 1 : 0);
        return sb.append(']').toString();
    }
}
