package nnet.format;

import java.util.List;
import nnet.parse.gen.NnetParser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * What each token is to the layout, read from the parse tree: where statements and declarations
 * start and end, which braces hold a body, which '-' is unary, which '=' lines up with its
 * neighbours. The layout itself never looks at the tree, only at these flags.
 */
final class TokenRoles {
    static final int STMT_START = 1;
    static final int STMT_END = 1 << 1;
    /** {@code network} or {@code block}: a header, which no alignment crosses. */
    static final int DECL_START = 1 << 2;
    static final int BODY_OPEN = 1 << 3;
    static final int BODY_CLOSE = 1 << 4;
    /** An optional ';': statements stand one per line, so it is dropped. */
    static final int DROPPED = 1 << 5;
    static final int UNARY = 1 << 6;
    /** The '[' of {@code input x[4]}, written against the name. */
    static final int SHAPE_BRACKET = 1 << 7;
    /** The '=' of a binding with one target: runs of them line up. */
    static final int BINDING_EQUALS = 1 << 8;
    /** The '=' of a const: runs of consts line up, apart from bindings. */
    static final int CONST_EQUALS = 1 << 9;

    private final int[] roles;

    private TokenRoles(int size) {
        roles = new int[size];
    }

    static TokenRoles of(List<Token> tokens, NnetParser.FileContext tree) {
        TokenRoles r = new TokenRoles(tokens.size());
        r.walk(tree);
        return r;
    }

    boolean has(Token t, int role) {
        return (roles[t.getTokenIndex()] & role) != 0;
    }

    private void walk(ParseTree node) {
        if (node instanceof NnetParser.StmtContext || node instanceof NnetParser.ConstDeclContext) statement((ParserRuleContext) node);
        if (node instanceof NnetParser.NetworkDeclContext || node instanceof NnetParser.BlockDeclContext) declaration((ParserRuleContext) node);
        if (node instanceof NnetParser.NegContext neg) mark(neg.op, UNARY);
        for (int i = 0; i < node.getChildCount(); i++) walk(node.getChild(i));
    }

    private void statement(ParserRuleContext s) {
        mark(s.getStart(), STMT_START);
        Token end = s.getStop();
        for (ParseTree child : s.children) {
            if (!(child instanceof TerminalNode t)) continue;
            String text = t.getText();
            if (text.equals(";")) {
                mark(t.getSymbol(), DROPPED);
                end = previous(s, t);
            } else if (text.equals("[") && s instanceof NnetParser.InputStmtContext) mark(t.getSymbol(), SHAPE_BRACKET);
            else if (text.equals("=")) {
                if (s instanceof NnetParser.AssignStmtContext a && a.targets.size() == 1) mark(t.getSymbol(), BINDING_EQUALS);
                else if (!(s instanceof NnetParser.AssignStmtContext)) mark(t.getSymbol(), CONST_EQUALS);
            }
        }
        mark(end, STMT_END);
    }

    /** The last token of {@code s} before its child {@code t}. */
    private static Token previous(ParserRuleContext s, TerminalNode t) {
        int i = s.children.indexOf(t);
        ParseTree before = s.getChild(i - 1);
        return before instanceof TerminalNode term ? term.getSymbol() : ((ParserRuleContext) before).getStop();
    }

    private void declaration(ParserRuleContext d) {
        mark(d.getStart(), DECL_START);
        boolean opened = false;
        for (ParseTree child : d.children) {
            if (!(child instanceof TerminalNode t)) continue;
            if (t.getText().equals("{") && !opened) {
                mark(t.getSymbol(), BODY_OPEN);
                opened = true;
            } else if (t.getText().equals("}")) mark(t.getSymbol(), BODY_CLOSE);
        }
    }

    private void mark(Token t, int role) {
        if (t != null && t.getTokenIndex() >= 0) roles[t.getTokenIndex()] |= role;
    }
}
