package nnet.format;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import nnet.parse.gen.NnetLexer;
import org.antlr.v4.runtime.Token;

/**
 * Lays the tokens out in lines, as terraform fmt does: the writer's line breaks inside a statement
 * are kept, everything else is decided here. Statements stand one per line; spacing between
 * tokens follows one table ({@link #space}); a line is indented one level per enclosing body or
 * bracket opened on an earlier line, one more when it continues a statement outside any bracket
 * of its own; at most one blank line is kept, and none at the start of a body or before its end.
 */
final class Layout {
    private static final Set<String> OPENERS = Set.of("(", "[", "{");
    private static final Set<String> CLOSERS = Set.of(")", "]", "}");

    /** An open bracket: the level of the line it was opened on, and the statement it belongs to (0 outside one). */
    private record Open(int level, int statement) {}

    private final TokenRoles roles;
    private final List<Line> lines = new ArrayList<>();
    private final Deque<Open> open = new ArrayDeque<>();
    private Line current;
    private Token lastEmitted, lastSeen;
    private int statement, statements;
    private Line statementLine;

    private Layout(TokenRoles roles) {
        this.roles = roles;
    }

    static List<Line> of(List<Token> tokens, TokenRoles roles) {
        Layout l = new Layout(roles);
        for (Token t : tokens) if (t.getType() != Token.EOF) l.token(t);
        return l.lines;
    }

    private void token(Token t) {
        int gap = lastSeen == null ? 0 : t.getLine() - endLine(lastSeen);
        lastSeen = t;
        if (roles.has(t, TokenRoles.DROPPED)) return;
        boolean comment = isComment(t);
        if (comment && t.getType() == NnetLexer.LINE_COMMENT && gap == 0 && current != null && current.comment == null) {
            current.comment = text(t); // trailing: kept apart to be lined up
            lastEmitted = t;
            return;
        }
        if (current == null || gap > 0 || breaksBefore(t)) newLine(t, gap);
        else current.code.append(space(lastEmitted, t));
        if (roles.has(t, TokenRoles.STMT_START)) {
            statement = ++statements;
            statementLine = current;
            current.startsStatement = true;
        }
        if ((roles.has(t, TokenRoles.BINDING_EQUALS) || roles.has(t, TokenRoles.CONST_EQUALS)) && current == statementLine) {
            current.equalsKind = roles.has(t, TokenRoles.BINDING_EQUALS) ? TokenRoles.BINDING_EQUALS : TokenRoles.CONST_EQUALS;
            current.equalsAt = current.code.length() - 1; // before the space the table put ahead of '='
        }
        current.code.append(text(t));
        if (roles.has(t, TokenRoles.DECL_START) || roles.has(t, TokenRoles.BODY_CLOSE)) current.boundary = true;
        if (roles.has(t, TokenRoles.BODY_OPEN)) current.opensBody = true;
        if (roles.has(t, TokenRoles.STMT_END)) {
            if (current == statementLine) current.wholeStatement = true;
            statement = 0;
        }
        if (!comment && OPENERS.contains(t.getText())) open.push(new Open(current.level, statement));
        else if (!comment && CLOSERS.contains(t.getText()) && !open.isEmpty()) open.pop();
        lastEmitted = t;
    }

    /** A statement, a declaration and a body's closing brace start their own line; so does whatever follows a body's opening brace. */
    private boolean breaksBefore(Token t) {
        return roles.has(t, TokenRoles.STMT_START) || roles.has(t, TokenRoles.DECL_START) || roles.has(t, TokenRoles.BODY_CLOSE) || current.opensBody;
    }

    private void newLine(Token t, int gap) {
        boolean afterOpen = current != null && current.opensBody;
        if (gap > 1 && current != null && !afterOpen && !roles.has(t, TokenRoles.BODY_CLOSE)) lines.add(Line.BLANK);
        current = new Line(level(t));
        lines.add(current);
    }

    private int level(Token t) {
        Open top = open.peek();
        if (top == null) return 0;
        if (!isComment(t) && CLOSERS.contains(t.getText())) return top.level();
        boolean continues = statement != 0 && !roles.has(t, TokenRoles.STMT_START) && top.statement() != statement;
        return top.level() + 1 + (continues ? 1 : 0);
    }

    /**
     * The space between two tokens on one line: none inside brackets, before ',' and ':', around
     * '..', after a unary '-', between a callee or an input's name and its bracket, in an empty
     * {@code {}}; one elsewhere.
     */
    private String space(Token a, Token b) {
        String x = a.getText(), y = b.getText();
        if (y.equals(",") || y.equals(")") || y.equals("]") || x.equals("(") || x.equals("[")) return "";
        if (isComment(a) || isComment(b)) return " ";
        if (y.equals(":") || x.equals("..") || y.equals("..") || (x.equals("{") && y.equals("}"))) return "";
        if (roles.has(a, TokenRoles.UNARY) || roles.has(b, TokenRoles.SHAPE_BRACKET)) return "";
        return y.equals("(") && a.getType() == NnetLexer.ID ? "" : " ";
    }

    private static boolean isComment(Token t) {
        return t.getType() == NnetLexer.LINE_COMMENT || t.getType() == NnetLexer.BLOCK_COMMENT;
    }

    /** A token's text as written; a comment without trailing spaces, and its line breaks as '\n'. */
    private static String text(Token t) {
        String s = t.getText();
        return isComment(t) ? s.replace("\r\n", "\n").replaceAll("[ \t]+(\n|$)", "$1") : s;
    }

    private static int endLine(Token t) {
        int line = t.getLine();
        String s = t.getText();
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == '\n') line++;
        return line;
    }
}
