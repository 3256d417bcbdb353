package nnet.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ast.Ast;

/**
 * LANGUAGE.md §6: the weight-holding calls of one statement (layers and block calls) take its
 * name, then {@code name_1}, {@code name_2}, ... in source order.
 */
final class LayerNames {
    private LayerNames() {}

    static Map<Ast.Call, String> of(Ast.Expr statementValue, String base, Set<String> blocks) {
        List<Ast.Call> found = new ArrayList<>();
        collect(statementValue, blocks, found);
        found.sort(Comparator.comparingInt((Ast.Call c) -> c.span().line()).thenComparingInt(c -> c.span().col()));
        Map<Ast.Call, String> names = new IdentityHashMap<>();
        for (int i = 0; i < found.size(); i++) names.put(found.get(i), i == 0 ? base : base + "_" + i);
        return names;
    }

    private static void collect(Ast.Expr e, Set<String> blocks, List<Ast.Call> out) {
        if (e instanceof Ast.Call c) {
            if (Layers.WEIGHTED.contains(c.callee().name()) || blocks.contains(c.callee().name())) out.add(c);
            for (Ast.Arg a : c.args()) collect(a.value(), blocks, out);
        } else if (e instanceof Ast.Binary b) {
            collect(b.left(), blocks, out);
            collect(b.right(), blocks, out);
        } else if (e instanceof Ast.Unary u) collect(u.operand(), blocks, out);
    }
}
