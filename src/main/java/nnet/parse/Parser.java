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

    public static Ast.SourceFile parse(String path, String text, Diagnostics diags) {
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
        NnetParser.FileContext tree = parser.file();
        return new AstBuilder(path).build(tree);
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
