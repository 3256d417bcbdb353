package nnet.lsp;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nnet.ast.Ast;
import nnet.runtime.io.AtomicFiles;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

/**
 * Moves a literal mask ({@code mask [[1, 0], ...]}) into a CSV file beside the source and names the
 * file instead ({@code mask "c3_mask.csv"}, LANGUAGE.md §4), for masks too large to read inline. A
 * command rather than a plain edit: the server writes the file at once, so the checker reads it
 * when the source changes, where an edit creating it would leave it unsaved in the editor.
 */
final class MaskToFile {
    static final String COMMAND = "nnet.moveMaskToFile";

    /** A literal mask of numbers ({@code mask} and its rows), and the name its statement binds (for the file's name). */
    private record Literal(Ast.Tagged tagged, Ast.ListExpr rows, String owner) {}

    private MaskToFile() {}

    /** The offer for each literal mask the range touches, in a saved file (the CSV goes beside it). */
    static List<CodeAction> offers(DocumentIndex index, Range range) {
        List<CodeAction> out = new ArrayList<>();
        if (directory(index.uri) == null) return out;
        for (Literal l : literals(index.ast))
            if (Ranges.overlap(index.lines.range(l.tagged().span()), range)) {
                int rows = l.rows().items().size(), cols = ((Ast.ListExpr) l.rows().items().get(0)).items().size();
                Position at = index.lines.range(l.rows().span()).getStart();
                CodeAction a = new CodeAction("Move this " + rows + " x " + cols + " mask to " + fileName(index.uri, l.owner()));
                a.setKind(CodeActionKind.RefactorExtract);
                a.setCommand(new Command(a.getTitle(), COMMAND, List.of(index.uri, at.getLine(), at.getCharacter())));
                out.add(a);
            }
        return out;
    }

    /** Writes the CSV of the literal mask at {@code at} and returns the edit that names it in the source. */
    static WorkspaceEdit run(DocumentIndex index, Position at) {
        Path dir = directory(index.uri);
        Literal l = literals(index.ast).stream().filter(x -> index.lines.range(x.rows().span()).getStart().equals(at)).findFirst()
                .orElseThrow(() -> failed("there is no literal mask at " + (at.getLine() + 1) + ":" + (at.getCharacter() + 1) + " any more"));
        if (dir == null) throw failed("the file is not saved: a mask file goes beside it");
        String name = fileName(index.uri, l.owner());
        StringBuilder csv = new StringBuilder();
        for (Ast.Expr row : l.rows().items()) {
            List<String> cells = new ArrayList<>();
            for (Ast.Expr e : ((Ast.ListExpr) row).items()) cells.add(((Ast.Num) e).text());
            csv.append(String.join(",", cells)).append('\n');
        }
        AtomicFiles.write(dir.resolve(name), out -> out.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
        return new WorkspaceEdit(Map.of(index.uri, List.of(new TextEdit(index.lines.range(l.rows().span()), "\"" + name + "\""))));
    }

    /** {@code c3_mask.csv}, or {@code c3_mask_2.csv} and on when that exists already. */
    private static String fileName(String uri, String owner) {
        Path dir = directory(uri);
        String name = owner + "_mask.csv";
        for (int i = 2; dir != null && Files.exists(dir.resolve(name)); i++) name = owner + "_mask_" + i + ".csv";
        return name;
    }

    private static List<Literal> literals(Ast.SourceFile ast) {
        List<Literal> out = new ArrayList<>();
        for (Ast.Decl d : ast.decls())
            for (Ast.Stmt s : d.body())
                if (s instanceof Ast.AssignStmt a) find(a.value(), a.targets().get(0).name(), out);
        return out;
    }

    private static void find(Ast.Expr e, String owner, List<Literal> out) {
        if (e instanceof Ast.Tagged t && t.tag().name().equals("mask") && isNumberMatrix(t.value())) out.add(new Literal(t, (Ast.ListExpr) t.value(), owner));
        else if (e instanceof Ast.Call c) c.args().forEach(a -> find(a.value(), owner, out));
        else if (e instanceof Ast.Binary b) {
            find(b.left(), owner, out);
            find(b.right(), owner, out);
        } else if (e instanceof Ast.Unary u) find(u.operand(), owner, out);
    }

    private static boolean isNumberMatrix(Ast.Expr e) {
        if (!(e instanceof Ast.ListExpr rows) || rows.items().isEmpty()) return false;
        for (Ast.Expr row : rows.items())
            if (!(row instanceof Ast.ListExpr r) || r.items().isEmpty() || !r.items().stream().allMatch(x -> x instanceof Ast.Num)) return false;
        return true;
    }

    /** The directory of a saved file, or null for an unsaved buffer. */
    private static Path directory(String uri) {
        return Optional.ofNullable(OpenDocuments.pathOf(uri)).map(Path::getParent).orElse(null);
    }

    private static ResponseErrorException failed(String why) {
        return new ResponseErrorException(new ResponseError(ResponseErrorCode.RequestFailed, "cannot move the mask: " + why, null));
    }
}
