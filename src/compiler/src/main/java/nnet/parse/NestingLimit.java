package nnet.parse;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ErrorNode;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.ParseTreeListener;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Bounds the depth of the parse tree by {@link #MAX_DEPTH}. Every phase after parsing (building
 * the AST, checking names and shapes) walks expressions recursively, as does ANTLR itself for
 * parentheses and unary minus, so a file of a thousand nested parentheses, unary minuses or a
 * thousand-term product would overflow the stack somewhere; refusing it here, with its place,
 * bounds the depth of every later walk. Real networks nest a few levels deep.
 *
 * <p>As a listener it stops the parser's own recursion (parentheses, unary minus). A chain of
 * binary operators is parsed in a loop but makes a tree as deep as it is long, which
 * {@link #deepest} finds afterwards without recursing.
 */
final class NestingLimit implements ParseTreeListener {
    /**
     * Parse-tree levels: a parenthesis costs about three (expr, primary, expr), each operator of a
     * chain one, so this allows about 100 nested parentheses or a 400-term sum.
     */
    static final int MAX_DEPTH = 400;

    /** Thrown through the parser to abandon the file at {@link #where}. */
    static final class TooDeep extends RuntimeException {
        final Token where;

        TooDeep(Token where) {
            super("nested too deeply", null, false, false);
            this.where = where;
        }
    }

    private int depth;

    /** The first token of the leftmost subtree that lies deeper than {@link #MAX_DEPTH}, or null. */
    static Token deepest(ParseTree root) {
        Deque<ParseTree> nodes = new ArrayDeque<>(List.of(root));
        Deque<Integer> depths = new ArrayDeque<>(List.of(1));
        while (!nodes.isEmpty()) {
            ParseTree n = nodes.pop();
            int d = depths.pop();
            if (d > MAX_DEPTH && n instanceof ParserRuleContext ctx) return ctx.getStart();
            for (int i = n.getChildCount() - 1; i >= 0; i--) { // the leftmost child next: the place reported is the first in the text
                nodes.push(n.getChild(i));
                depths.push(d + 1);
            }
        }
        return null;
    }

    @Override
    public void enterEveryRule(ParserRuleContext ctx) {
        if (++depth > MAX_DEPTH) throw new TooDeep(ctx.getStart());
    }

    @Override
    public void exitEveryRule(ParserRuleContext ctx) {
        depth--;
    }

    @Override
    public void visitTerminal(TerminalNode node) {}

    @Override
    public void visitErrorNode(ErrorNode node) {}
}
