package nnet.lsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nnet.ast.Ast;
import nnet.check.Vocabulary;
import nnet.diag.DiagCode;
import nnet.diag.Diagnostic;
import nnet.diag.Fix;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * Quick fixes for the diagnostics at a place, keyed by their codes: the checker's own fixes (a
 * did-you-mean, a transposed literal, a unit count a mask file implies), and the statements a
 * network lacks ({@code output}, {@code loss}), which need the text to know where they go. Beside
 * them, the refactoring of a literal mask into a file ({@link MaskToFile}).
 */
final class CodeActions {
    private CodeActions() {}

    static List<Either<Command, CodeAction>> at(DocumentIndex index, Range range) {
        List<Either<Command, CodeAction>> out = new ArrayList<>();
        for (Diagnostic d : index.diagnostics) {
            if (!Ranges.overlap(index.lines.range(d.span()), range)) continue;
            org.eclipse.lsp4j.Diagnostic published = ProtocolDiagnostics.of(index, d);
            for (Fix f : d.fixes())
                out.add(Either.forRight(quickFix(f.title(), published, edit(index, new TextEdit(index.lines.range(f.span()), f.replacement())), d.fixes().size() == 1)));
            if (d.code() == DiagCode.OUTPUT_MISSING) networkNamedAt(index, d).flatMap(n -> lastValue(n).map(name -> addition(index, n, published, "output " + name, true)))
                    .ifPresent(a -> out.add(Either.forRight(a)));
            if (d.code() == DiagCode.LOSS_MISSING) index.declAt(d.span().line(), d.span().col()).ifPresent(n -> {
                for (String loss : Vocabulary.losses()) out.add(Either.forRight(addition(index, n, published, "loss " + loss, false)));
            });
        }
        MaskToFile.offers(index, range).forEach(c -> out.add(Either.forRight(c)));
        return out;
    }

    /** The network a diagnostic on its name is about. */
    private static Optional<Ast.Decl> networkNamedAt(DocumentIndex index, Diagnostic d) {
        return index.ast.decls().stream().filter(n -> n instanceof Ast.NetworkDecl && n.name().span().equals(d.span())).findFirst();
    }

    /** The name the network's last statement binds (an output is usually the last thing computed), or its last input. */
    private static Optional<String> lastValue(Ast.Decl network) {
        String last = null;
        for (Ast.Stmt s : network.body()) {
            if (s instanceof Ast.AssignStmt a) last = a.targets().get(0).name();
            else if (s instanceof Ast.InputStmt in && last == null) last = in.name().name();
        }
        return Optional.ofNullable(last);
    }

    /** A statement added at the end of a network's body, on its own line, indented as the formatter does. */
    private static CodeAction addition(DocumentIndex index, Ast.Decl network, org.eclipse.lsp4j.Diagnostic fixed, String statement, boolean preferred) {
        int close = index.lines.offset(index.lines.range(network.span()).getEnd()) - 1; // the closing brace
        int lineStart = index.text.lastIndexOf('\n', close - 1) + 1;
        boolean braceAlone = index.text.substring(lineStart, close).isBlank();
        int at = braceAlone ? lineStart : close;
        String text = (braceAlone ? "" : "\n") + "  " + statement + "\n";
        TextEdit insert = new TextEdit(new Range(index.lines.position(at), index.lines.position(at)), text);
        return quickFix("Add '" + statement + "'", fixed, edit(index, insert), preferred);
    }

    private static CodeAction quickFix(String title, org.eclipse.lsp4j.Diagnostic fixed, WorkspaceEdit edit, boolean preferred) {
        CodeAction a = new CodeAction(title);
        a.setKind(CodeActionKind.QuickFix);
        a.setDiagnostics(List.of(fixed));
        a.setEdit(edit);
        if (preferred) a.setIsPreferred(true);
        return a;
    }

    private static WorkspaceEdit edit(DocumentIndex index, TextEdit e) {
        return new WorkspaceEdit(Map.of(index.uri, List.of(e)));
    }
}
