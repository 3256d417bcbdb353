package nnet.parse;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.diag.Diagnostics;
import nnet.diag.Span;
import nnet.parse.gen.NnetLexer;
import nnet.parse.gen.NnetParser;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;

/**
 * Source text → AST. Never throws on bad input: syntax errors go to {@link Diagnostics} in
 * human words ({@link SyntaxErrors}), and the statements that did parse are returned so the
 * checker can still report their errors.
 */
public final class Parser {
    private Parser() {}

    /** A UTF-8 byte-order mark, which some editors write before the first line; it is not part of the source. */
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    public static Ast.SourceFile parse(String path, String text, Diagnostics diags) {
        Syntax syntax = syntax(path, text, diags);
        return syntax.tree() == null ? new Ast.SourceFile(path, List.of()) : new AstBuilder(path, diags).build(syntax.tree());
    }

    /**
     * A file's tokens and parse tree, for tools that rewrite its text (the formatter).
     *
     * @param tokens every token in order, the comments among them (on the hidden channel), the EOF last
     * @param tree   the parse tree; null when the file is binary or nested too deeply to parse
     */
    public record Syntax(List<Token> tokens, NnetParser.FileContext tree) {}

    /** Tokens and tree of {@code text}; syntax errors go to {@code diags}, and the tree then holds ANTLR's recovery. */
    public static Syntax syntax(String path, String text, Diagnostics diags) {
        if (!text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK) text = text.substring(1);
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            // A NUL never occurs in text: the file is binary, and its "syntax errors" would be noise.
            diags.error(DiagCode.SOURCE_BINARY, spanAt(path, text, nul), "this is not a .nnet source file: it holds binary data (a NUL byte here)");
            return new Syntax(List.of(), null);
        }
        NnetLexer lexer = new NnetLexer(CharStreams.fromString(text, path));
        lexer.removeErrorListeners(); // every character becomes a token (BAD_CHAR), so the lexer never errs
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokens.fill();
        SyntaxErrors errors = new SyntaxErrors(path, diags);
        errors.checkBrackets(tokens.getTokens());
        NnetParser parser = new NnetParser(tokens);
        parser.removeErrorListeners();
        parser.addErrorListener(errors);
        parser.setErrorHandler(new StatementRecovery());
        parser.addParseListener(new NestingLimit());
        NnetParser.FileContext tree;
        Token tooDeep;
        try {
            tree = parser.file();
            tooDeep = NestingLimit.deepest(tree);
        } catch (NestingLimit.TooDeep e) {
            tree = null;
            tooDeep = e.where;
        }
        if (tooDeep != null) {
            diags.error(DiagCode.SYNTAX_DEPTH, spanOf(path, tooDeep), "this is nested too deeply to compile (more than " + NestingLimit.MAX_DEPTH
                    + " levels of parentheses, brackets, unary minus and operators); split it into named statements");
            return new Syntax(tokens.getTokens(), null);
        }
        return new Syntax(tokens.getTokens(), tree);
    }

    /** The place of the character at a UTF-16 offset: 1-based line, column in code points as ANTLR counts. */
    private static Span spanAt(String path, String text, int offset) {
        int lineStart = text.lastIndexOf('\n', offset - 1) + 1;
        int line = 1;
        for (int i = 0; i < lineStart; i++) if (text.charAt(i) == '\n') line++;
        return new Span(path, line, text.codePointCount(lineStart, offset) + 1, 1);
    }

    /** The tokens a bracket opens and closes, by type. */
    static final class Brackets {
        private Brackets() {}

        static char closerOf(String open) {
            return switch (open) {
                case "(" -> ')';
                case "[" -> ']';
                default -> '}';
            };
        }

        /**
         * Finds the innermost bracket left open: scanning with a stack, a closer that does not
         * match the top (or the end of the file) shows the top was never closed.
         * Returns {opener, the token where its closer was due} or null when all balance.
         */
        static Token[] unclosed(List<Token> tokens) {
            Deque<Token> open = new ArrayDeque<>();
            for (Token t : tokens) {
                String s = t.getText();
                if (t.getType() == Token.EOF) return open.isEmpty() ? null : new Token[] {open.peek(), t};
                if (s.equals("(") || s.equals("[") || s.equals("{")) open.push(t);
                else if (s.equals(")") || s.equals("]") || s.equals("}")) {
                    if (open.isEmpty()) return null; // a stray closer: the parser reports it
                    if (closerOf(open.peek().getText()) != s.charAt(0)) return new Token[] {open.peek(), t};
                    open.pop();
                }
            }
            return null;
        }
    }

    static Span spanOf(String path, Token t) {
        return new Span(path, t.getLine(), t.getCharPositionInLine() + 1, Math.max(1, t.getStopIndex() - t.getStartIndex() + 1));
    }

    static DiagCode code(Token t) {
        return switch (t.getType()) {
            case NnetLexer.UNTERMINATED -> DiagCode.SYNTAX_UNTERMINATED;
            case NnetLexer.BAD_CHAR -> DiagCode.SYNTAX_TOKEN;
            default -> DiagCode.SYNTAX_UNEXPECTED;
        };
    }
}
