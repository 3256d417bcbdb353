package nnet.lsp;

import java.util.ArrayList;
import java.util.List;
import nnet.ast.Ast;
import nnet.check.Symbols;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.SymbolKind;

/** The outline of a file: each network and block, and under it the names it defines with their shapes. */
final class DocumentSymbols {
    private DocumentSymbols() {}

    static List<DocumentSymbol> of(DocumentIndex index) {
        List<DocumentSymbol> outline = new ArrayList<>();
        for (Ast.Decl decl : index.ast.decls()) {
            String kind = decl instanceof Ast.NetworkDecl ? "network" : decl instanceof Ast.BlockDecl ? "block" : "const";
            SymbolKind symbol = switch (kind) {
                case "network" -> SymbolKind.Class;
                case "block" -> SymbolKind.Function;
                default -> SymbolKind.Constant;
            };
            DocumentSymbol top = new DocumentSymbol(decl.name().name(), symbol, index.lines.range(decl.span()), index.lines.range(decl.name().span()), kind);
            List<DocumentSymbol> children = new ArrayList<>();
            for (DocumentIndex.Definition d : index.definitions()) {
                if (d.owner() != decl || d.name() == decl.name()) continue; // the declaration itself is the entry
                Range at = index.lines.range(d.name().span());
                children.add(new DocumentSymbol(d.name().name(), kindOf(d.kind()), at, at, detail(d)));
            }
            top.setChildren(children);
            outline.add(top);
        }
        return outline;
    }

    private static SymbolKind kindOf(DocumentIndex.Kind k) {
        return switch (k) {
            case CONST -> SymbolKind.Constant;
            case PARAMETER -> SymbolKind.TypeParameter;
            case INPUT -> SymbolKind.Field;
            default -> SymbolKind.Variable;
        };
    }

    /** The shape, when the checker knows one: a name in a block has one per call, and these may differ. */
    private static String detail(DocumentIndex.Definition d) {
        List<String> shapes = new ArrayList<>();
        for (Symbols.Binding b : d.bindings())
            if (b.shape() != null && !shapes.contains(b.shape().toString())) shapes.add(b.shape().toString());
        return String.join(" | ", shapes);
    }
}
