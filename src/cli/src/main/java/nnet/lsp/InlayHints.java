package nnet.lsp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nnet.ast.Ast;
import nnet.check.Symbols;
import nnet.diag.Span;
import nnet.ir.Param;
import org.eclipse.lsp4j.InlayHint;
import org.eclipse.lsp4j.InlayHintKind;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * The editor as a shape calculator: after each binding the shape it gets ({@code : [16, 32, 32]}),
 * for a layer with a pattern how many of its connections exist ({@code 2,457 of 24,576 conn}),
 * how many entries {@code freeze:} keeps, and at each block call the shape each parameter takes
 * there. Everything comes from the checker's bindings, so a statement with an error has no hint and
 * the others keep theirs. A name in a block has a shape per call: one hint lists them when they differ.
 */
final class InlayHints {
    private InlayHints() {}

    static List<InlayHint> in(DocumentIndex index, Range range) {
        Map<Span, DocumentIndex.Definition> byName = new LinkedHashMap<>();
        for (DocumentIndex.Definition d : index.definitions()) byName.put(d.name().span(), d);
        Map<Span, List<Symbols.Binding>> arguments = new LinkedHashMap<>();
        for (DocumentIndex.Definition d : index.definitions())
            for (Symbols.Binding b : d.bindings()) if (b.site() != null) arguments.computeIfAbsent(b.site(), k -> new ArrayList<>()).add(b);
        List<InlayHint> hints = new ArrayList<>();
        for (Ast.Decl decl : index.ast.decls()) {
            if (decl instanceof Ast.ConstDecl c) constant(index, c.span(), c.value(), byName.get(c.name().span()), hints);
            for (Ast.Stmt s : decl.body()) {
                if (s instanceof Ast.AssignStmt a) {
                    binding(index, a, byName, hints);
                    calls(index, a.value(), arguments, hints);
                } else if (s instanceof Ast.ConstStmt c) constant(index, c.span(), c.value(), byName.get(c.name().span()), hints);
                else if (s instanceof Ast.ReturnStmt r) calls(index, r.value(), arguments, hints);
            }
        }
        return hints.stream().filter(h -> Ranges.contains(range, h.getPosition()))
                .sorted((a, b) -> Ranges.compare(a.getPosition(), b.getPosition())).toList();
    }

    /** {@code : [4]} after the statement, then the connections and the frozen entries of its layers. */
    private static void binding(DocumentIndex index, Ast.AssignStmt a, Map<Span, DocumentIndex.Definition> byName, List<InlayHint> hints) {
        List<String> shapes = new ArrayList<>();
        List<Symbols.Binding> first = List.of();
        for (Ast.Ident t : a.targets()) {
            DocumentIndex.Definition d = byName.get(t.span());
            String shape = d == null ? null : shapes(d.bindings());
            if (shape == null) return; // an error came first: no value to show
            shapes.add(shape);
            if (first.isEmpty()) first = d.bindings();
        }
        Position end = index.lines.range(a.span()).getEnd();
        hints.add(hint(end, ": " + String.join(", ", shapes), InlayHintKind.Type));
        if (first.size() == 1) { // per call, a block's counts would not say which call they are
            String conn = connections(first.get(0).weights()), frozen = frozen(first.get(0).weights());
            if (conn != null) hints.add(hint(end, conn, null));
            if (frozen != null) hints.add(hint(end, frozen, null));
        }
    }

    /** A const's value where it is computed ({@code const H = 2 * N}); a number as written needs none. */
    private static void constant(DocumentIndex index, Span stmt, Ast.Expr value, DocumentIndex.Definition d, List<InlayHint> hints) {
        if (value instanceof Ast.Num || d == null || d.bindings().isEmpty() || d.bindings().get(0).number() == null) return;
        hints.add(hint(index.lines.range(stmt).getEnd(), "= " + HoverText.number(d.bindings().get(0).number()), InlayHintKind.Type));
    }

    /** The shape of one binding, or of each call's where a block is called with different ones; null where any has none. */
    private static String shapes(List<Symbols.Binding> bindings) {
        List<String> each = new ArrayList<>();
        for (Symbols.Binding b : bindings) {
            String v = b.shape() != null ? b.shape().toString() : b.number() != null ? HoverText.number(b.number()) : null;
            if (v == null) return null;
            if (!each.contains(v)) each.add(v);
        }
        return each.isEmpty() ? null : String.join(" | ", each);
    }

    /** At a block call, before each argument: the parameter it binds and, for a tensor, its shape there. */
    private static void calls(DocumentIndex index, Ast.Expr e, Map<Span, List<Symbols.Binding>> arguments, List<InlayHint> hints) {
        if (e instanceof Ast.Call c) {
            List<Symbols.Binding> bound = arguments.get(c.span());
            if (bound != null) {
                for (int i = 0; i < c.args().size(); i++) {
                    Ast.Arg arg = c.args().get(i);
                    List<Symbols.Binding> ofParam = ofParameter(bound, i, c.args().size());
                    if (ofParam.isEmpty()) continue;
                    String name = ofParam.get(0).qualifiedName().substring(ofParam.get(0).qualifiedName().lastIndexOf('.') + 1);
                    String shape = ofParam.get(0).shape() == null ? null : shapes(ofParam);
                    InlayHint h = hint(index.lines.range(arg.span()).getStart(), name + ":" + (shape == null ? "" : " " + shape), InlayHintKind.Parameter);
                    h.setPaddingLeft(false);
                    h.setPaddingRight(true);
                    hints.add(h);
                }
            }
            for (Ast.Arg a : c.args()) calls(index, a.value(), arguments, hints);
        } else if (e instanceof Ast.Binary b) {
            calls(index, b.left(), arguments, hints);
            calls(index, b.right(), arguments, hints);
        } else if (e instanceof Ast.Unary u) calls(index, u.operand(), arguments, hints);
    }

    /** A call binds its parameters in order, once per expansion of the statement around it: parameter i's bindings are every count-th from i. */
    private static List<Symbols.Binding> ofParameter(List<Symbols.Binding> bound, int i, int count) {
        List<Symbols.Binding> out = new ArrayList<>();
        for (int k = i; k < bound.size(); k += count) out.add(bound.get(k));
        return out;
    }

    /** {@code 2,457 of 24,576 conn} for kernels with a pattern; null when every connection exists. */
    static String connections(List<Param> weights) {
        long present = 0, all = 0;
        boolean sparse = false;
        for (Param p : weights) {
            if (p.role().equals("bias")) continue;
            present += p.count();
            all += p.shape().sizeLong();
            sparse |= p.present() != null;
        }
        return sparse ? String.format(Locale.ROOT, "%,d of %,d conn", present, all) : null;
    }

    /** {@code frozen 12}: entries that keep their initial value; null when none. */
    static String frozen(List<Param> weights) {
        long frozen = 0;
        for (Param p : weights)
            if (p.frozen() != null) frozen += p.shape().sizeLong() / ((long) p.frozen().rows() * p.frozen().cols()) * p.frozen().count();
        return frozen == 0 ? null : String.format(Locale.ROOT, "frozen %,d", frozen);
    }

    private static InlayHint hint(Position at, String label, InlayHintKind kind) {
        InlayHint h = new InlayHint(at, Either.forLeft(label));
        if (kind != null) h.setKind(kind);
        h.setPaddingLeft(true);
        return h;
    }
}
