package nnet.ast;

import java.util.List;
import nnet.diag.Span;

/**
 * The syntax tree of a {@code .nnet} file, exactly as written: no names resolved, no shapes.
 * Every node carries the {@link Span} of the text it came from. Layer names, activations,
 * patterns and settings are plain identifiers and calls here; the checker gives them meaning,
 * so the grammar stays free of semantics.
 */
public final class Ast {
    private Ast() {}

    /** A name as written, with its place. */
    public record Ident(Span span, String name) {}

    public record SourceFile(String path, List<Decl> decls) {}

    public sealed interface Decl permits NetworkDecl, BlockDecl, ConstDecl {
        Span span();
        Ident name();
        List<Stmt> body();
    }

    /** {@code network Name { stmt* }} */
    public record NetworkDecl(Span span, Ident name, List<Stmt> body) implements Decl {}

    /** {@code block name(p1, p2) { stmt* return expr }} */
    public record BlockDecl(Span span, Ident name, List<Ident> params, List<Stmt> body) implements Decl {}

    /** {@code const N = 64} outside any network or block: visible in all of them. */
    public record ConstDecl(Span span, Ident name, Expr value) implements Decl {
        @Override
        public List<Stmt> body() {
            return List.of();
        }
    }

    public sealed interface Stmt permits ConstStmt, InputStmt, AssignStmt, OutputStmt, LossStmt, TrainStmt, ReturnStmt {
        Span span();
    }

    /** {@code const N = 64} */
    public record ConstStmt(Span span, Ident name, Expr value) implements Stmt {}

    /**
     * {@code input x[2, 3]}: the dims are expressions (numbers or const names). {@code type} is the
     * input's type when given ({@code input tokens[100] int}: whole numbers, token ids for an embedding).
     * {@code input img[3, 32, 32] layout: nhwc}: {@code key} and {@code layout} are null without the
     * option (the checker allows only layout:). {@code names} is the {@code names "x.txt"} that names
     * its units, or null.
     */
    public record InputStmt(Span span, Ident name, List<Expr> dims, Ident type, Ident key, Ident layout, Tagged names) implements Stmt {
        public InputStmt(Span span, Ident name, List<Expr> dims) {
            this(span, name, dims, null, null, null, null);
        }
    }

    /** {@code h = expr} or {@code a, b = gate(h, g)}. */
    public record AssignStmt(Span span, List<Ident> targets, Expr value) implements Stmt {}

    /** {@code output y, h} */
    public record OutputStmt(Span span, List<Ident> names) implements Stmt {}

    /** {@code loss mse} ({@code output} is null) or {@code loss y: mse * 0.5} ({@code weight} is null when absent). */
    public record LossStmt(Span span, Ident output, Ident kind, Expr weight, List<Arg> args) implements Stmt {
        /** A loss without arguments ({@code loss mse}). */
        public LossStmt(Span span, Ident output, Ident kind, Expr weight) {
            this(span, output, kind, weight, List.of());
        }
    }

    /** {@code train { optimizer: adam(lr: 0.001), batch: 32 }}: every setting is a named {@link Arg}. */
    public record TrainStmt(Span span, List<Arg> settings) implements Stmt {}

    /** {@code return expr}, only inside a block. */
    public record ReturnStmt(Span span, Expr value) implements Stmt {}

    /** An argument of a call: {@code name} is null for a positional one. */
    public record Arg(Span span, Ident name, Expr value) {}

    public sealed interface Expr permits Num, Str, Name, ListExpr, Call, Binary, Unary, Tagged, Edge, Range, Invalid {
        Span span();
    }

    /** A number literal; {@code integral} when written without '.' or exponent. */
    public record Num(Span span, double value, boolean integral, String text) implements Expr {}

    /** A string literal, quotes removed and escapes resolved. */
    public record Str(Span span, String value) implements Expr {}

    /** A reference to a node, const, parameter, activation or setting word ({@code relu}, {@code same}, {@code true}). */
    public record Name(Span span, String name) implements Expr {}

    /** {@code [a, b, c]}; span covers the brackets. */
    public record ListExpr(Span span, List<Expr> items) implements Expr {}

    /** {@code callee(args)}; span starts at the callee and ends at the closing parenthesis. */
    public record Call(Span span, Ident callee, List<Arg> args) implements Expr {}

    /**
     * {@code left op right} with op one of {@code + - * / | &}. The span is the operator's,
     * so a shape error on {@code a + b} points at the {@code +}.
     */
    public record Binary(Span span, String op, Expr left, Expr right) implements Expr {}

    /** {@code -e}. */
    public record Unary(Span span, String op, Expr operand) implements Expr {}

    /**
     * A word followed by a literal: {@code mask [[1, 0]]}, {@code mask "conn.csv"},
     * {@code fixed [1, 2]}, {@code init [...]}, {@code edges [0 -> 1]}. Span covers both.
     * {@code columns} is what follows in parentheses, the two columns of a table
     * ({@code edges "t.csv" (snp -> gene)}), or null.
     */
    public record Tagged(Span span, Ident tag, Expr value, Expr columns) implements Expr {
        public Tagged(Span span, Ident tag, Expr value) {
            this(span, tag, value, null);
        }
    }

    /** {@code from -> to} inside {@code edges [...]}; span is the arrow's. */
    public record Edge(Span span, Expr from, Expr to) implements Expr {}

    /** {@code from..to}, inclusive; span is the {@code ..}'s. */
    public record Range(Span span, Expr from, Expr to) implements Expr {}

    /**
     * What the parser could not read (a syntax error, already reported). The statement around it
     * is kept, so the names it binds exist and do not cascade into "unknown name" errors.
     */
    public record Invalid(Span span) implements Expr {}
}
