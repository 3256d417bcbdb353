package nnet.draw;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import nnet.ir.ConvSpec;
import nnet.ir.Graph;
import nnet.ir.LstmSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;

/**
 * A checked network as a Graphviz DOT graph, at the level the user wrote it: one box per named
 * node (a statement), holding the unnamed ops of its expression, with its shape, its layers, their
 * weight counts ({@link Param#count()}) and connection density. A gate's two sides are drawn with
 * the gate signal's edges labelled {@code g} and {@code 1 - g}; skip paths (an edge that jumps
 * over a longer path between the same boxes, or leaves a gate's {@code 1 - g} side) are dashed;
 * the names a block call prefixes ({@code r1.h}) are drawn inside a cluster per call. A box whose
 * units have names lists them when they are few, and has them as its tooltip.
 */
public final class NetworkDot {
    private static final String GATE_COLOR = "#b35900", SKIP_COLOR = "#1f5fbf";
    /** A box lists its units' names when it has at most this many; every named box has them as its tooltip. */
    static final int LABELLED_UNITS = 8, TOOLTIP_UNITS = 100;

    private final Graph g;
    /** The box each node is drawn in: the named node its value flows into within the same statement. */
    private final Map<Node, Node> box = new HashMap<>();
    private final Map<Node, List<Node>> members = new LinkedHashMap<>();
    /** The {@code g} of each {@code 1 - g}: nodes that gate. */
    private final Set<Node> gateSignals = new HashSet<>();
    private final Set<Node> skipSides = new HashSet<>();

    private NetworkDot(Graph g) {
        this.g = g;
    }

    public static String of(Graph g) {
        return new NetworkDot(g).dot();
    }

    private String dot() {
        groupIntoBoxes();
        Map<Node, Set<Node>> edges = edges();
        StringBuilder out = new StringBuilder("digraph " + quote(g.name()) + " {\n");
        long weights = g.params().stream().mapToLong(Param::count).sum();
        out.append("  label=").append(quote(g.name() + ": " + format(weights) + " weights")).append("; labelloc=t; fontname=Helvetica;\n");
        out.append("  rankdir=TB; node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\", fontname=Helvetica, fontsize=11];\n");
        out.append("  edge [fontname=Helvetica, fontsize=10];\n");
        clusters(out);
        for (var from : edges.entrySet())
            for (Node to : from.getValue()) out.append("  ").append(id(from.getKey())).append(" -> ").append(id(to)).append(edgeStyle(from.getKey(), to, edges)).append(";\n");
        return out.append("}\n").toString();
    }

    /**
     * Named nodes are boxes; an unnamed node joins the box that reads it (nodes are in topological
     * order, so walk backwards). An unnamed node read from several boxes (a block's argument
     * written as an expression, {@code two(concat(a, b))}, read by two statements of the block) is
     * a box of its own: put in one reader's box, it would draw an edge from that box to the others
     * that the network does not have.
     */
    private void groupIntoBoxes() {
        Set<Node> named = new HashSet<>(g.named().values());
        Map<Node, List<Node>> readers = new HashMap<>();
        for (Node n : g.nodes()) for (Node in : n.inputs()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        List<Node> nodes = g.nodes();
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Node n = nodes.get(k);
            Set<Node> readingBoxes = new LinkedHashSet<>();
            for (Node r : readers.getOrDefault(n, List.of())) readingBoxes.add(box.get(r));
            boolean own = named.contains(n) || n.name() != null || readingBoxes.isEmpty() || (readingBoxes.size() > 1 && n.op() != Op.CONST);
            box.put(n, own ? n : readingBoxes.iterator().next());
        }
        for (Node n : nodes) if (box.get(n) == n) members.put(n, new ArrayList<>()); // boxes in source order
        for (Node n : nodes) members.get(box.get(n)).add(n);
        for (Node n : nodes)
            if (isOneMinus(n)) {
                gateSignals.add(n.input(1));
                skipSides.add(box.get(n));
            }
    }

    /** Box-level edges: from the box of each input read from outside a box. */
    private Map<Node, Set<Node>> edges() {
        Map<Node, Set<Node>> edges = new LinkedHashMap<>();
        for (Node b : members.keySet())
            for (Node n : members.get(b))
                for (Node in : n.inputs())
                    if (box.get(in) != b && in.op() != Op.CONST) // a constant (the 1 of 1 - g) is no flow between boxes
                        edges.computeIfAbsent(box.get(in), k -> new LinkedHashSet<>()).add(b);
        return edges;
    }

    private String edgeStyle(Node from, Node to, Map<Node, Set<Node>> edges) {
        if (gateSignals.contains(from) && (skipSides.contains(to) || members.get(to).stream().anyMatch(n -> n.op() == Op.MUL && n.inputs().contains(from))))
            return " [label=" + quote(skipSides.contains(to) ? "1 - g" : "g") + ", color=\"" + GATE_COLOR + "\", fontcolor=\"" + GATE_COLOR + "\", style=bold, arrowhead=odot]";
        if (skipSides.contains(from) || longerPath(from, to, edges))
            return " [label=\"skip\", color=\"" + SKIP_COLOR + "\", fontcolor=\"" + SKIP_COLOR + "\", style=dashed]";
        return "";
    }

    /** Whether {@code to} can also be reached from {@code from} through another box: the direct edge then skips over it. */
    private static boolean longerPath(Node from, Node to, Map<Node, Set<Node>> edges) {
        Set<Node> seen = new HashSet<>();
        List<Node> todo = new ArrayList<>();
        for (Node next : edges.getOrDefault(from, Set.of())) if (next != to) todo.add(next);
        while (!todo.isEmpty()) {
            Node n = todo.remove(todo.size() - 1);
            if (n == to) return true;
            if (seen.add(n)) todo.addAll(edges.getOrDefault(n, Set.of()));
        }
        return false;
    }

    /** Boxes grouped by block call: {@code r1.h} and the call's result {@code r1} in cluster r1, nested calls nested. */
    private void clusters(StringBuilder out) {
        Set<String> prefixes = new LinkedHashSet<>();
        for (Node b : members.keySet()) {
            String name = label(b);
            for (int dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) prefixes.add(name.substring(0, dot));
        }
        writeCluster(out, "", prefixes, 1);
    }

    private void writeCluster(StringBuilder out, String prefix, Set<String> prefixes, int depth) {
        String indent = "  ".repeat(depth);
        for (String p : prefixes)
            if (isChild(prefix, p)) {
                out.append(indent).append("subgraph ").append(quote("cluster_" + p)).append(" {\n");
                out.append(indent).append("  label=").append(quote("block call " + p)).append("; style=\"rounded,dashed\"; color=\"#888888\";\n");
                writeCluster(out, p, prefixes, depth + 1);
                out.append(indent).append("}\n");
            }
        for (Node b : members.keySet())
            if (clusterOf(label(b), prefixes).equals(prefix)) out.append(indent).append(id(b)).append(" [").append(boxStyle(b)).append("];\n");
    }

    private static boolean isChild(String parent, String p) {
        return parent.isEmpty() ? !p.contains(".") : p.startsWith(parent + ".") && !p.substring(parent.length() + 1).contains(".");
    }

    /** The innermost call a box belongs to: its longest prefix, or itself when it is a call's result ({@code r1}). */
    private static String clusterOf(String name, Set<String> prefixes) {
        if (prefixes.contains(name)) return name;
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(0, dot);
    }

    private String boxStyle(Node b) {
        List<String> lines = new ArrayList<>();
        lines.add(isNamed(b) ? label(b) + " " + b.shape() : b.shape().toString()); // an expression's box: its ops say what it is
        long weights = 0;
        List<String> ops = new ArrayList<>();
        for (Node n : members.get(b)) {
            String d = describe(n);
            if (d != null) ops.add(d);
            for (Param p : params(n)) weights += p.count();
        }
        if (!ops.isEmpty()) lines.add(String.join(", ", ops));
        if (weights > 0) lines.add(format(weights) + " weights");
        List<String> units = g.unitNames().get(label(b));
        if (units != null && units.size() <= LABELLED_UNITS) lines.add(String.join(", ", units));
        String style = "label=" + quote(String.join("\n", lines));
        if (units != null) style += ", tooltip=" + quote(tooltip(units));
        if (b.op() == Op.INPUT) style += ", shape=box, style=\"filled\", fillcolor=\"#dde8f7\"";
        if (g.outputs().contains(b)) style += ", peripheries=2";
        if (gateSignals.contains(b)) style += ", fillcolor=\"#fbe3cc\"";
        if (skipSides.contains(b)) style += ", fillcolor=\"#dfe9f9\"";
        return style;
    }

    /** What a node does, as the user wrote it, or null for what goes without saying (a bias). */
    private String describe(Node n) {
        return switch (n.op()) {
            case INPUT -> n.integers() ? "input (token ids)" : "input";
            case LINEAR -> {
                Param p = n.param();
                yield "dense " + p.shape().dim(0) + " \u2192 " + p.shape().dim(1) + density("", p);
            }
            case CONV2D -> {
                ConvSpec c = (ConvSpec) n.arg();
                yield "conv2d " + c.kh() + "\u00d7" + c.kw() + (c.strideY() > 1 || c.strideX() > 1 ? " stride " + (c.strideY() == c.strideX() ? c.strideY() : c.strideY() + "\u00d7" + c.strideX()) : "") + density("channel ", c.kernel());
            }
            case LSTM -> {
                LstmSpec l = (LstmSpec) n.arg();
                yield "lstm " + l.units() + (l.sequences() ? " (sequences)" : "") + density("input ", l.kernel()) + density("recurrent ", l.recurrent());
            }
            case ACTIVATION -> ((Op.ActivationSpec) n.arg()).toString();
            case SOFTMAX -> "softmax";
            case MAXPOOL, AVGPOOL -> n.op().lower() + " " + n.arg();
            case RESHAPE -> n.shape().rank() == 1 ? "flatten" : "reshape";
            case CONCAT -> "concat";
            case ADD -> "+";
            case SUB -> isOneMinus(n) ? null : "-"; // 1 - g is shown by the gate's product
            case MUL -> gateProduct(n);
            case DIV -> "/";
            case BIAS_ADD, CONST -> null;
            case DROPOUT -> "dropout " + ((Op.DropoutSpec) n.arg()).rate();
            case BATCHNORM -> "batchnorm";
            case EMBEDDING -> "embedding " + n.param().shape().dim(0) + " \u2192 " + n.param().shape().dim(1);
            case DERIV, SECANT, LINEAR_T, WEIGHT_GRAD, ROW_SUM, EMBED, SUM, SLICE, SOFTMAX_GRAD, CONV2D_INPUT_GRAD, CONV2D_KERNEL_GRAD, CONV2D_BIAS_GRAD,
                 MAXPOOL_GRAD, AVGPOOL_GRAD, LOSS, LOSS_GRAD, LOOP, LOOP_OUT, BATCHNORM_GRAD, BATCHNORM_PARAM_GRAD, EMBEDDING_GRAD ->
                    throw new IllegalStateException(n.op() + " is not part of a checked network");
        };
    }

    /** The first {@link #TOOLTIP_UNITS} names of a node's units, and how many more. */
    private static String tooltip(List<String> units) {
        String shown = String.join(", ", units.subList(0, Math.min(units.size(), TOOLTIP_UNITS)));
        return units.size() + " units: " + shown + (units.size() > TOOLTIP_UNITS ? ", ... (" + (units.size() - TOOLTIP_UNITS) + " more)" : "");
    }

    private static boolean isOneMinus(Node n) {
        return n.op() == Op.SUB && n.input(0).op() == Op.CONST && (Float) n.input(0).arg() == 1f;
    }

    /** A gate's side: {@code gate g · h} or {@code gate (1 - g) · h}; any other product is {@code ×}. */
    private String gateProduct(Node mul) {
        for (int k = 0; k < 2; k++) {
            Node factor = mul.input(k), other = mul.input(1 - k);
            if (gateSignals.contains(factor)) return "gate " + label(box.get(factor)) + " \u00b7 " + label(box.get(other));
            if (isOneMinus(factor)) return "gate (1 - " + label(box.get(factor.input(1))) + ") \u00b7 " + label(box.get(other));
        }
        return "\u00d7";
    }

    private static List<Param> params(Node n) {
        return switch (n.op()) {
            case LINEAR, BIAS_ADD -> List.of(n.param());
            case CONV2D -> {
                ConvSpec c = (ConvSpec) n.arg();
                yield c.bias() == null ? List.of(c.kernel()) : List.of(c.kernel(), c.bias());
            }
            case LSTM -> {
                LstmSpec l = (LstmSpec) n.arg();
                yield l.bias() == null ? List.of(l.kernel(), l.recurrent()) : List.of(l.kernel(), l.recurrent(), l.bias());
            }
            default -> List.of();
        };
    }

    private static String density(String which, Param p) {
        return p.present() == null ? "" : String.format(Locale.ROOT, ", %sdensity %.3g", which, p.present().density());
    }

    private boolean isNamed(Node b) {
        return b.name() != null || g.named().containsValue(b);
    }

    /** The name a box is known by: its node's own, or the first name bound to it. */
    private String label(Node b) {
        if (b.name() != null) return b.name();
        for (var e : g.named().entrySet()) if (e.getValue() == b) return e.getKey();
        return "%" + b.id();
    }

    private String id(Node b) {
        return quote(label(b));
    }

    private static String format(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A DOT string: quotes and backslashes escaped, line breaks as DOT's centred {@code \n}. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
