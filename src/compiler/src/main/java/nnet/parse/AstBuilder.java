package nnet.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import nnet.ast.Ast;
import nnet.diag.Span;
import nnet.parse.gen.NnetBaseVisitor;
import nnet.parse.gen.NnetParser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * ANTLR parse tree → {@link Ast} records with spans. After a syntax error ANTLR leaves parts of
 * the tree missing; a statement or expression with a missing piece becomes null and is dropped,
 * so the good statements around it are still checked.
 */
final class AstBuilder extends NnetBaseVisitor<Object> {
    private final String file;
    private final nnet.diag.Diagnostics diags;

    AstBuilder(String file, nnet.diag.Diagnostics diags) {
        this.file = file;
        this.diags = diags;
    }

    Span span(Token t) {
        return new Span(file, t.getLine(), t.getCharPositionInLine() + 1, Math.max(1, t.getStopIndex() - t.getStartIndex() + 1));
    }

    private Span span(ParserRuleContext c) {
        Token a = c.getStart(), b = c.getStop();
        int len = b == null || b.getStopIndex() < a.getStartIndex() ? 1 : b.getStopIndex() - a.getStartIndex() + 1;
        return new Span(file, a.getLine(), a.getCharPositionInLine() + 1, len);
    }

    /** A token ANTLR made up during recovery has no text of the user's: treat it as missing. */
    private static boolean missing(Token t) {
        return t == null || t.getTokenIndex() < 0 || t.getText() == null || t.getText().startsWith("<missing");
    }

    private Ast.Ident ident(Token t) {
        return missing(t) ? null : new Ast.Ident(span(t), t.getText());
    }

    private List<Ast.Ident> idents(List<Token> ts) {
        return all(ts, this::ident);
    }

    /** Each element built, or null when any one is missing: a list with a hole is not the user's list. */
    private static <A, B> List<B> all(List<A> in, Function<A, B> build) {
        List<B> out = new ArrayList<>();
        for (A a : in) {
            B b = build.apply(a);
            if (b == null) return null;
            out.add(b);
        }
        return out;
    }

    Ast.SourceFile build(NnetParser.FileContext f) {
        List<Ast.Decl> decls = new ArrayList<>();
        for (NnetParser.DeclContext d : f.decl()) {
            Object v = visit(d);
            if (v != null) decls.add((Ast.Decl) v);
        }
        return new Ast.SourceFile(file, decls);
    }

    private List<Ast.Stmt> stmts(List<NnetParser.StmtContext> cs) {
        List<Ast.Stmt> out = new ArrayList<>();
        for (NnetParser.StmtContext c : cs) {
            Object s = visit(c);
            if (s != null) out.add((Ast.Stmt) s);
        }
        return out;
    }

    @Override
    public Object visitNetworkDecl(NnetParser.NetworkDeclContext c) {
        Ast.Ident name = ident(c.name);
        return name == null ? null : new Ast.NetworkDecl(span(c), name, stmts(c.stmt()));
    }

    @Override
    public Object visitBlockDecl(NnetParser.BlockDeclContext c) {
        Ast.Ident name = ident(c.name);
        List<Ast.Ident> params = idents(c.params);
        return name == null || params == null ? null : new Ast.BlockDecl(span(c), name, params, stmts(c.stmt()));
    }

    @Override
    public Object visitConstDecl(NnetParser.ConstDeclContext c) {
        Ast.Ident name = ident(c.name);
        return name == null ? null : new Ast.ConstDecl(span(c), name, orInvalid(expr(c.value), c));
    }

    @Override
    public Object visitConstStmt(NnetParser.ConstStmtContext c) {
        Ast.Ident name = ident(c.name);
        return name == null ? null : new Ast.ConstStmt(span(c), name, orInvalid(expr(c.value), c));
    }

    @Override
    public Object visitInputStmt(NnetParser.InputStmtContext c) {
        Ast.Ident name = ident(c.name);
        List<Ast.Expr> dims = exprs(c.dims);
        Ast.Tagged names = c.names == null ? null : tagged(c.names);
        return name == null || dims == null || (c.names != null && names == null) ? null
                : new Ast.InputStmt(span(c), name, dims, c.type == null ? null : ident(c.type), c.key == null ? null : ident(c.key),
                        c.layout == null ? null : ident(c.layout), names);
    }

    @Override
    public Object visitAssignStmt(NnetParser.AssignStmtContext c) {
        List<Ast.Ident> targets = idents(c.targets);
        return targets == null || targets.isEmpty() ? null : new Ast.AssignStmt(span(c), targets, orInvalid(expr(c.value), c));
    }

    @Override
    public Object visitOutputStmt(NnetParser.OutputStmtContext c) {
        List<Ast.Ident> names = idents(c.names);
        return names == null ? null : new Ast.OutputStmt(span(c), names);
    }

    @Override
    public Object visitLossStmt(NnetParser.LossStmtContext c) {
        Ast.Ident kind = ident(c.kind);
        Ast.Ident target = c.target == null ? null : ident(c.target);
        Ast.Expr weight = c.weight == null ? null : orInvalid(expr(c.weight), c);
        List<Ast.Arg> args = args(c.args);
        return kind == null || args == null || (c.target != null && target == null) ? null : new Ast.LossStmt(span(c), target, kind, weight, args);
    }

    @Override
    public Object visitTrainStmt(NnetParser.TrainStmtContext c) {
        List<Ast.Arg> settings = args(c.settings);
        return settings == null ? null : new Ast.TrainStmt(span(c), settings);
    }

    @Override
    public Object visitReturnStmt(NnetParser.ReturnStmtContext c) {
        return new Ast.ReturnStmt(span(c), orInvalid(expr(c.value), c));
    }

    private Ast.Expr orInvalid(Ast.Expr e, ParserRuleContext stmt) {
        return e != null ? e : new Ast.Invalid(span(stmt));
    }

    private List<Ast.Arg> args(List<NnetParser.ArgContext> cs) {
        return all(cs, a -> {
            Ast.Expr v = expr(a.value);
            Ast.Ident name = a.name == null ? null : ident(a.name);
            // a Python habit: said once, and the argument is taken as named, so nothing else is reported about it
            if (a.equals != null && name != null)
                diags.error(nnet.diag.DiagCode.SYNTAX_ARGUMENT, span(a.equals), "named arguments use ':', not '=': write " + name.name() + ": "
                        + (a.value.getStart() == a.value.getStop() ? a.value.getText() : "..."));
            return v == null || (a.name != null && name == null) ? null : new Ast.Arg(span(a), name, v);
        });
    }

    private List<Ast.Expr> exprs(List<NnetParser.ExprContext> cs) {
        return all(cs, this::expr);
    }

    private Ast.Expr expr(ParserRuleContext c) {
        return c == null || c.exception != null ? null : (Ast.Expr) visit(c);
    }

    @Override
    public Object visitNeg(NnetParser.NegContext c) {
        Ast.Expr e = expr(c.operand);
        if (e instanceof Ast.Num n) return new Ast.Num(span(c), -n.value(), n.integral(), "-" + n.text());
        return e == null ? null : new Ast.Unary(span(c.op), "-", e);
    }

    @Override
    public Object visitBinary(NnetParser.BinaryContext c) {
        Ast.Expr l = expr(c.left), r = expr(c.right);
        return l == null || r == null || missing(c.op) ? null : new Ast.Binary(span(c.op), c.op.getText(), l, r);
    }

    @Override
    public Object visitRange(NnetParser.RangeContext c) {
        Ast.Expr l = expr(c.left), r = expr(c.right);
        return l == null || r == null ? null : new Ast.Range(span(c.op), l, r);
    }

    @Override
    public Object visitEdge(NnetParser.EdgeContext c) {
        Ast.Expr l = expr(c.left), r = expr(c.right);
        return l == null || r == null ? null : new Ast.Edge(span(c.op), l, r);
    }

    @Override
    public Object visitAtom(NnetParser.AtomContext c) {
        return c.primary().exception != null ? null : visit(c.primary());
    }

    @Override
    public Object visitCall(NnetParser.CallContext c) {
        Ast.Ident callee = ident(c.callee);
        List<Ast.Arg> args = args(c.args);
        return callee == null || args == null ? null : new Ast.Call(span(c), callee, args);
    }

    @Override
    public Object visitTaggedExpr(NnetParser.TaggedExprContext c) {
        return c.tagged().exception != null ? null : tagged(c.tagged());
    }

    private Ast.Tagged tagged(NnetParser.TaggedContext c) {
        Ast.Ident tag = ident(c.tag);
        NnetParser.LiteralContext lit = c.value;
        Ast.Expr v = lit == null || lit.exception != null ? null
                : lit.list() != null ? (Ast.Expr) visit(lit.list()) : string(lit.STRING().getSymbol());
        Ast.Expr columns = c.columns == null ? null : expr(c.columns);
        return tag == null || v == null || (c.columns != null && columns == null) ? null : new Ast.Tagged(span(c), tag, v, columns);
    }

    @Override
    public Object visitName(NnetParser.NameContext c) {
        return missing(c.ID().getSymbol()) ? null : new Ast.Name(span(c.ID().getSymbol()), c.ID().getText());
    }

    @Override
    public Object visitNumber(NnetParser.NumberContext c) {
        Token t = c.NUMBER().getSymbol();
        if (missing(t)) return null;
        String text = t.getText();
        boolean integral = !text.contains(".") && !text.contains("e") && !text.contains("E");
        return new Ast.Num(span(t), Double.parseDouble(text), integral, text);
    }

    @Override
    public Object visitString(NnetParser.StringContext c) {
        return string(c.STRING().getSymbol());
    }

    private Ast.Str string(Token t) {
        if (missing(t)) return null;
        String raw = t.getText();
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < raw.length() - 1; i++) {
            char ch = raw.charAt(i);
            if (ch == '\\' && i + 1 < raw.length() - 1) {
                char e = raw.charAt(++i);
                sb.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            } else sb.append(ch);
        }
        return new Ast.Str(span(t), sb.toString());
    }

    @Override
    public Object visitListLit(NnetParser.ListLitContext c) {
        return visit(c.list());
    }

    @Override
    public Object visitList(NnetParser.ListContext c) {
        List<Ast.Expr> items = exprs(c.items);
        return items == null ? null : new Ast.ListExpr(span(c), items);
    }

    @Override
    public Object visitParen(NnetParser.ParenContext c) {
        return expr(c.inner);
    }
}
