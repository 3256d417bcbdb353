package nnet.ir;

import java.util.stream.Collectors;

/** Text form of a graph, for {@code nnetc dump-ir} and for tests that check the IR line by line. */
public final class IrPrinter {
    private IrPrinter() {}

    public static String print(Graph g) {
        StringBuilder sb = new StringBuilder();
        sb.append("network ").append(g.name()).append("  // ").append(g.sourceFile()).append('\n');
        for (Param p : g.params()) {
            sb.append("  param ").append(p.name()).append(' ').append(p.shape());
            if (p.isFixed()) sb.append(" fixed");
            if (p.present() != null) sb.append(" connections ").append(p.present().count()).append('/').append(p.present().rows() * (long) p.present().cols());
            if (p.frozen() != null) sb.append(" frozen ").append(p.frozen().count());
            if (p.penalty() != null) sb.append(" regularize ").append(p.penalty());
            sb.append('\n');
        }
        nodes(g, sb, "  ", 0);
        sb.append("  output ").append(g.outputs().stream().map(Node::label).collect(Collectors.joining(", "))).append('\n');
        for (Graph.Loss l : g.losses())
            sb.append("  loss ").append(l.output().label()).append(": ").append(l.function())
                    .append(l.classWeights() == null ? "" : "(class_weights: " + java.util.Arrays.toString(l.classWeights()) + ")").append(l.weight() == 1 ? "" : " * " + l.weight()).append('\n');
        for (Graph.Activity a : g.activities()) sb.append("  activity ").append(a.node().label()).append(": ").append(a.penalty()).append('\n');
        return sb.toString();
    }

    /** Nodes from {@code from} on, a loop's body indented below it (a body extending another loop's prints its own nodes only). */
    private static void nodes(Graph g, StringBuilder sb, String indent, int from) {
        for (Node n : g.nodes().subList(from, g.nodes().size())) {
            sb.append(indent).append('%').append(n.id());
            if (n.name() != null) sb.append(' ').append(n.name());
            sb.append(" = ").append(n.op().lower()).append('(');
            sb.append(n.inputs().stream().map(i -> "%" + i.id()).collect(Collectors.joining(", ")));
            sb.append(')');
            String arg = argText(n);
            if (!arg.isEmpty()) sb.append(' ').append(arg);
            sb.append(" : ").append(n.shape());
            if (n.span() != null && n.span().line() > 0) sb.append("  // line ").append(n.span().line());
            sb.append('\n');
            if (n.arg() instanceof LoopSpec l) {
                nodes(l.body(), sb, indent + "    ", l.priorNodes());
                sb.append(indent).append("    carry ").append(l.body().outputs().stream().map(o -> "%" + o.id()).collect(Collectors.joining(", "))).append('\n');
            }
        }
    }

    private static String argText(Node n) {
        Object a = n.arg();
        if (a == null) return "";
        if (a instanceof Param p) return p.name();
        if (a instanceof ConvSpec c)
            return c.kernel().name() + " k=" + c.kh() + "x" + c.kw() + " stride=" + c.strideY() + "x" + c.strideX() + " pad=" + c.padTop() + "," + c.padLeft();
        if (a instanceof LstmSpec l) return l.kernel().name() + " units=" + l.units() + (l.sequences() ? " sequences" : "");
        if (n.op() == Op.DERIV) return a + "'";
        if (n.op() == Op.SECANT) return a + " secant";
        if (a instanceof LoopSpec l)
            return "steps=" + l.steps() + (l.reverse() ? " reverse" : "") + " carried=" + l.carried() + (l.priorNodes() > 0 ? " extends=%" + n.input(0).id() : "");
        return a.toString();
    }
}
