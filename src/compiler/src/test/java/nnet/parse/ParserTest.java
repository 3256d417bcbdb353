package nnet.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import nnet.ast.Ast;
import nnet.diag.Diagnostics;
import org.junit.jupiter.api.Test;

class ParserTest {
    private static Ast.Expr value(String expr) {
        Diagnostics d = new Diagnostics();
        Ast.SourceFile f = Parser.parse("t.nnet", "network N {\n  y = " + expr + "\n}\n", d);
        assertFalse(d.hasErrors(), () -> d.sorted().toString());
        return ((Ast.AssignStmt) f.decls().get(0).body().get(0)).value();
    }

    @Test
    void precedenceAndSpans() {
        Ast.Binary sum = assertInstanceOf(Ast.Binary.class, value("a + b * c"));
        assertEquals("+", sum.op());
        assertEquals(2, sum.span().line());
        assertEquals(9, sum.span().col(), "a binary's span is its operator");
        assertEquals("*", ((Ast.Binary) sum.right()).op());
        Ast.Binary or = assertInstanceOf(Ast.Binary.class, value("p | q & r"));
        assertEquals("|", or.op());
        assertEquals("&", ((Ast.Binary) or.right()).op());
        Ast.Binary left = (Ast.Binary) value("a - b - c");
        assertEquals("-", ((Ast.Binary) left.left()).op(), "left associative");
    }

    @Test
    void literals() {
        Ast.Num n = assertInstanceOf(Ast.Num.class, value("-1"));
        assertEquals(-1, n.value());
        assertEquals(1e-3, ((Ast.Num) value("1e-3")).value());
        assertFalse(((Ast.Num) value("0.5")).integral());
        Ast.ListExpr m = assertInstanceOf(Ast.ListExpr.class, value("[[1, 0], [0, 1],]"));
        assertEquals(2, m.items().size());
    }

    @Test
    void callsTagsEdgesAndRanges() {
        Ast.Call c = assertInstanceOf(Ast.Call.class, value("dense(x, 2, connect: mask [[1, 0]] | edges [0 -> 1, 3 -> 0..2])"));
        assertEquals("dense", c.callee().name());
        assertEquals(7, c.span().col());
        assertEquals("connect", c.args().get(2).name().name());
        Ast.Binary union = (Ast.Binary) c.args().get(2).value();
        Ast.Tagged mask = assertInstanceOf(Ast.Tagged.class, union.left());
        assertEquals("mask", mask.tag().name());
        Ast.Tagged edges = (Ast.Tagged) union.right();
        Ast.Edge second = (Ast.Edge) ((Ast.ListExpr) edges.value()).items().get(1);
        Ast.Range to = assertInstanceOf(Ast.Range.class, second.to());
        assertEquals(0, ((Ast.Num) to.from()).value());
        assertInstanceOf(Ast.Str.class, ((Ast.Tagged) value("mask \"conn.csv\"")).value());
    }

    @Test
    void brokenStatementsKeepTheirNames() {
        Diagnostics d = new Diagnostics();
        Ast.SourceFile f = Parser.parse("t.nnet", "network N {\n  input x[2]\n  h = dense(x, , 2)\n  output h\n}\n", d);
        assertEquals(1, d.count());
        Ast.AssignStmt h = (Ast.AssignStmt) f.decls().get(0).body().get(1);
        assertEquals("h", h.targets().get(0).name());
        assertInstanceOf(Ast.Invalid.class, h.value());
        assertInstanceOf(Ast.OutputStmt.class, f.decls().get(0).body().get(2));
    }
}
