package nnet.format;

import java.util.List;
import nnet.diag.Diagnostic;
import nnet.diag.Diagnostics;
import nnet.parse.Parser;

/**
 * The one canonical layout of a {@code .nnet} file, for {@code nnetc fmt} and the language
 * server's formatting (LANGUAGE.md §9). It has no options, like gofmt, terraform fmt and buf
 * format: two spaces per level, one statement per line, one space around operators and after
 * commas, the writer's line breaks inside a statement kept, comments and blank-line groups kept,
 * '=' and trailing comments lined up in runs. It changes layout only: the file parses to the
 * same tree before and after, and formatting twice gives what formatting once gave.
 */
public final class Formatter {
    static final String INDENT = "  ";

    private Formatter() {}

    /**
     * @param text   the formatted file, or null when it has syntax errors
     * @param errors the syntax errors that stop it being formatted (a file that does not parse has no tree to lay out)
     */
    public record Result(String text, List<Diagnostic> errors) {
        public boolean ok() {
            return text != null;
        }
    }

    public static Result format(String path, String text) {
        Diagnostics diags = new Diagnostics();
        Parser.parse(path, text, diags); // every syntax error, the AST builder's too (units=2: named arguments use ':')
        if (diags.hasErrors()) return new Result(null, diags.sorted());
        Parser.Syntax syntax = Parser.syntax(path, text, new Diagnostics());
        if (syntax.tree() == null) return new Result(null, diags.sorted());
        List<Line> lines = Layout.of(syntax.tokens(), TokenRoles.of(syntax.tokens(), syntax.tree()));
        Alignment.equalsSigns(lines);
        Alignment.comments(lines);
        return new Result(print(lines), List.of());
    }

    private static String print(List<Line> lines) {
        StringBuilder out = new StringBuilder();
        for (Line l : lines) {
            if (!l.isBlank()) {
                int start = out.length();
                out.append(INDENT.repeat(l.level)).append(l.code);
                if (l.comment != null) {
                    int width = l.width();
                    int gap = l.commentColumn > width ? l.commentColumn - width : l.code.length() == 0 ? 0 : Alignment.COMMENT_GAP;
                    out.append(" ".repeat(gap)).append(l.comment);
                }
                while (out.length() > start && out.charAt(out.length() - 1) == ' ') out.setLength(out.length() - 1);
            }
            out.append('\n');
        }
        return out.toString();
    }
}
