package nnet.parse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import nnet.diag.DiagCode;
import nnet.diag.Diagnostics;
import nnet.diag.Span;
import nnet.parse.gen.NnetLexer;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns ANTLR's complaints into sentences a user reads: "missing ')' to close 'dense(' at 3:7",
 * "expected an expression, found ','". One mistake gives one diagnostic: at most one per line,
 * and none inside the stretch an unclosed bracket already explains.
 */
final class SyntaxErrors extends BaseErrorListener {
    private final String path;
    private final Diagnostics diags;
    private final Set<Integer> linesWithError = new HashSet<>();
    /** Token index range [from, to] explained by an unclosed-bracket diagnostic. */
    private int explainedFrom = Integer.MAX_VALUE, explainedTo = -1;

    SyntaxErrors(String path, Diagnostics diags) {
        this.path = path;
        this.diags = diags;
    }

    void checkBrackets(List<Token> all) {
        List<Token> tokens = all.stream().filter(t -> t.getChannel() == Token.DEFAULT_CHANNEL).toList(); // comments hold no brackets
        // a string cut at the end of its line swallows brackets: its own error explains the line
        if (tokens.stream().anyMatch(t -> t.getType() == NnetLexer.UNTERMINATED)) return;
        Token[] u = nnet.parse.Parser.Brackets.unclosed(tokens);
        if (u == null) return;
        Token opener = u[0], due = u[1];
        // a '(' or '[' was most likely forgotten at the end of its line; a '}' at the end of what it encloses
        boolean sameLine = !opener.getText().equals("{");
        Token last = opener;
        for (Token t : tokens) {
            if (t.getTokenIndex() >= due.getTokenIndex() || t.getType() == Token.EOF) break;
            if (t.getTokenIndex() > opener.getTokenIndex() && (!sameLine || t.getLine() == opener.getLine())) last = t;
        }
        int at = tokens.indexOf(opener);
        Token named = opener.getText().equals("(") && at > 0 && tokens.get(at - 1).getType() == NnetLexer.ID ? tokens.get(at - 1) : opener;
        String what = describeOpener(tokens, at);
        Span place = new Span(path, last.getLine(), last.getCharPositionInLine() + 1 + Math.max(1, last.getStopIndex() - last.getStartIndex() + 1), 1);
        diags.error(DiagCode.SYNTAX_UNCLOSED, place, "missing '" + nnet.parse.Parser.Brackets.closerOf(opener.getText()) + "' to close '" + what + "' at "
                + named.getLine() + ":" + (named.getCharPositionInLine() + 1));
        linesWithError.add(place.line());
        explainedFrom = opener.getTokenIndex();
        explainedTo = due.getType() == Token.EOF ? Integer.MAX_VALUE : due.getTokenIndex();
    }

    /** {@code dense(} for a call, {@code network Xor {} for a body, else the bracket itself; {@code i} is the opener's place in {@code tokens}. */
    private static String describeOpener(List<Token> tokens, int i) {
        Token opener = tokens.get(i);
        if (opener.getText().equals("(") && i > 0 && tokens.get(i - 1).getType() == NnetLexer.ID) return tokens.get(i - 1).getText() + "(";
        if (opener.getText().equals("{") && i >= 2 && tokens.get(i - 1).getType() == NnetLexer.ID)
            return tokens.get(i - 2).getText() + " " + tokens.get(i - 1).getText() + " {";
        if (opener.getText().equals("{") && i >= 1 && tokens.get(i - 1).getText().equals("train")) return "train {";
        return opener.getText();
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg, RecognitionException e) {
        Token t = (Token) offending;
        if (t != null && t.getTokenIndex() >= explainedFrom && t.getTokenIndex() <= explainedTo) return;
        if (!linesWithError.add(line)) return;
        Span at = t == null ? new Span(path, line, col + 1, 1) : nnet.parse.Parser.spanOf(path, t);
        DiagCode code = t == null ? DiagCode.SYNTAX_UNEXPECTED : nnet.parse.Parser.code(t);
        String message = switch (code) {
            case SYNTAX_TOKEN -> "unexpected character " + describeCharacter(t.getText());
            case SYNTAX_UNTERMINATED -> "this string has no closing '\"' on its line";
            default -> "expected " + expected((Parser) recognizer) + ", found " + found(t);
        };
        diags.error(code, at, message);
    }

    /** {@code '$'}; an invisible or look-alike character by its code and what it likely is. */
    static String describeCharacter(String c) {
        int cp = c.codePointAt(0);
        if (cp > 0x20 && cp < 0x7f) return "'" + c + "'";
        String code = String.format("U+%04X", cp);
        return switch (cp) {
            case 0xFFFD -> code + " (a byte that is not UTF-8 text: save the file as UTF-8)";
            case 0xFEFF -> code + " (a byte-order mark in the middle of the file)";
            case 0x00A0 -> code + " (a no-break space: use a plain space)";
            case 0x200B, 0x200C, 0x200D, 0x2060 -> code + " (an invisible zero-width character)";
            default -> Character.isISOControl(cp) ? code + " (a control character)" : code + " '" + c + "'";
        };
    }

    private static boolean has(Parser p, IntervalSet set, String literal) {
        for (int type : set.toList()) if (literal.equals(p.getVocabulary().getLiteralName(type))) return true;
        return false;
    }

    private static String found(Token t) {
        return t == null || t.getType() == Token.EOF ? "the end of the file" : "'" + t.getText() + "'";
    }

    /** What the parser could have taken, in words rather than token sets. */
    private static String expected(Parser p) {
        IntervalSet set;
        try {
            set = p.getExpectedTokens();
        } catch (IllegalArgumentException | IllegalStateException ex) {
            return "something else";
        }
        if (has(p, set, "'output'") && set.contains(NnetLexer.ID)) return "a statement (input, name = ..., output, loss, train, const)";
        if (has(p, set, "'network'")) return "'network', 'block' or 'const'";
        if (set.contains(NnetLexer.NUMBER) && set.contains(NnetLexer.ID)) return "an expression";
        List<String> words = new ArrayList<>();
        for (int type : set.toList()) {
            if (type == NnetLexer.ID) words.add("a name");
            else if (type == NnetLexer.NUMBER) words.add("a number");
            else if (type == NnetLexer.STRING) words.add("a string");
            else if (type == Token.EOF) words.add("the end of the file");
            else {
                String lit = p.getVocabulary().getLiteralName(type);
                if (lit != null) words.add(lit);
            }
        }
        if (words.isEmpty()) return "something else";
        if (words.size() > 4) return String.join(", ", words.subList(0, 4)) + " or another";
        return words.size() == 1 ? words.get(0) : String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }
}
