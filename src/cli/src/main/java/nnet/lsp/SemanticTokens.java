package nnet.lsp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import nnet.ast.Ast;
import nnet.check.Symbols;
import nnet.check.Vocabulary;
import nnet.diag.Span;
import nnet.ir.Param;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.SemanticTokensLegend;

/**
 * What each name in the file is, for colouring by meaning rather than by spelling: layers,
 * activations and patterns (built in), nodes, parameters and consts (resolved by the checker, so a
 * node called like an activation is a node), blocks and networks, argument names and setting
 * words. A node whose layers' weights are all {@code fixed}, and every const, carry {@code readonly}.
 * Layer, activation, pattern, node and const are this language's own types; an editor maps them to
 * standard ones (the VS Code extension declares their super types).
 */
final class SemanticTokens {
    static final List<String> TYPES = List.of("layer", "activation", "pattern", "node", "parameter", "const", "function", "class", "property", "enumMember");
    static final List<String> MODIFIERS = List.of("declaration", "readonly", "defaultLibrary");
    private static final int LAYER = 0, ACTIVATION = 1, PATTERN = 2, NODE = 3, PARAMETER = 4, CONST = 5, BLOCK = 6, NETWORK = 7, PROPERTY = 8, WORD = 9;
    private static final int DECLARATION = 1, READONLY = 2, LIBRARY = 4;

    private record Token(Span at, int type, int modifiers) {}

    private final DocumentIndex index;
    private final Set<String> blocks;
    private final List<Token> tokens = new ArrayList<>();

    private SemanticTokens(DocumentIndex index) {
        this.index = index;
        this.blocks = Set.copyOf(index.ast.decls().stream().filter(d -> d instanceof Ast.BlockDecl).map(d -> d.name().name()).toList());
    }

    static SemanticTokensLegend legend() {
        return new SemanticTokensLegend(TYPES, MODIFIERS);
    }

    /** The protocol's encoding: per token, its line and start relative to the previous one's, its length, type and modifier bits. */
    static org.eclipse.lsp4j.SemanticTokens of(DocumentIndex index) {
        SemanticTokens s = new SemanticTokens(index);
        for (Ast.Decl d : index.ast.decls()) s.declaration(d);
        s.tokens.sort(Comparator.comparingInt((Token t) -> t.at().line()).thenComparingInt(t -> t.at().col()));
        List<Integer> data = new ArrayList<>();
        int line = 0, start = 0;
        for (Token t : s.tokens) {
            Range r = index.lines.range(t.at());
            if (r.getStart().getLine() != r.getEnd().getLine()) continue; // a token never spans lines
            int dl = r.getStart().getLine() - line;
            data.add(dl);
            data.add(dl == 0 ? r.getStart().getCharacter() - start : r.getStart().getCharacter());
            data.add(r.getEnd().getCharacter() - r.getStart().getCharacter());
            data.add(t.type());
            data.add(t.modifiers());
            line = r.getStart().getLine();
            start = r.getStart().getCharacter();
        }
        return new org.eclipse.lsp4j.SemanticTokens(data);
    }

    private void declaration(Ast.Decl d) {
        if (d instanceof Ast.NetworkDecl) add(d.name().span(), NETWORK, DECLARATION);
        else if (d instanceof Ast.BlockDecl b) {
            add(b.name().span(), BLOCK, DECLARATION);
            b.params().forEach(p -> add(p.span(), PARAMETER, DECLARATION));
        } else if (d instanceof Ast.ConstDecl c) {
            add(c.name().span(), CONST, DECLARATION | READONLY);
            expr(c.value());
        }
        for (Ast.Stmt s : d.body()) statement(s);
    }

    private void statement(Ast.Stmt s) {
        if (s instanceof Ast.ConstStmt c) {
            add(c.name().span(), CONST, DECLARATION | READONLY);
            expr(c.value());
        } else if (s instanceof Ast.InputStmt in) {
            add(in.name().span(), NODE, DECLARATION);
            in.dims().forEach(this::expr);
        } else if (s instanceof Ast.AssignStmt a) {
            a.targets().forEach(t -> name(t.span(), DECLARATION));
            expr(a.value());
        } else if (s instanceof Ast.OutputStmt o) o.names().forEach(n -> name(n.span(), 0));
        else if (s instanceof Ast.LossStmt l) {
            if (l.output() != null) name(l.output().span(), 0);
            add(l.kind().span(), WORD, LIBRARY);
            if (l.weight() != null) expr(l.weight());
        } else if (s instanceof Ast.TrainStmt t) args(t.settings());
        else if (s instanceof Ast.ReturnStmt r) expr(r.value());
    }

    private void expr(Ast.Expr e) {
        if (e instanceof Ast.Name n) word(n);
        else if (e instanceof Ast.Call c) {
            String f = c.callee().name();
            if (blocks.contains(f)) add(c.callee().span(), BLOCK, 0);
            else if (Vocabulary.activations().contains(f)) add(c.callee().span(), ACTIVATION, LIBRARY);
            else if (Vocabulary.layers().contains(f)) add(c.callee().span(), LAYER, LIBRARY);
            else if (Vocabulary.patterns().contains(f)) add(c.callee().span(), PATTERN, LIBRARY);
            args(c.args());
        } else if (e instanceof Ast.Tagged t) {
            if (Vocabulary.patterns().contains(t.tag().name())) add(t.tag().span(), PATTERN, LIBRARY);
            else add(t.tag().span(), WORD, LIBRARY | (t.tag().name().equals("fixed") ? READONLY : 0));
            expr(t.value());
        } else if (e instanceof Ast.Binary b) {
            expr(b.left());
            expr(b.right());
        } else if (e instanceof Ast.Unary u) expr(u.operand());
        else if (e instanceof Ast.ListExpr l) l.items().forEach(this::expr);
        else if (e instanceof Ast.Edge edge) {
            expr(edge.from());
            expr(edge.to());
        } else if (e instanceof Ast.Range r) {
            expr(r.from());
            expr(r.to());
        }
    }

    private void args(List<Ast.Arg> args) {
        for (Ast.Arg a : args) {
            if (a.name() != null) add(a.name().span(), PROPERTY, 0);
            expr(a.value());
        }
    }

    /** A name in an expression: what the checker resolved it to, else a built-in word. */
    private void word(Ast.Name n) {
        if (index.definitionOf(n.span()).isPresent()) {
            name(n.span(), 0);
            return;
        }
        if (Vocabulary.activations().contains(n.name())) add(n.span(), ACTIVATION, LIBRARY);
        else if (Vocabulary.patterns().contains(n.name())) add(n.span(), PATTERN, LIBRARY);
        else if (ArgumentValues.WORDS.values().stream().anyMatch(w -> w.contains(n.name()))) add(n.span(), WORD, LIBRARY);
    }

    /** A defined name, by what it was defined as. */
    private void name(Span at, int modifiers) {
        index.definitionOf(at).ifPresent(d -> {
            switch (d.kind()) {
                case CONST -> add(at, CONST, modifiers | READONLY);
                case PARAMETER -> add(at, PARAMETER, modifiers);
                case BLOCK -> add(at, BLOCK, modifiers);
                case NETWORK -> add(at, NETWORK, modifiers);
                default -> add(at, NODE, modifiers | (fixed(d) ? READONLY : 0));
            }
        });
    }

    /** Whether the layers that made a node all hold fixed weights (a name in a block: in every call). */
    private static boolean fixed(DocumentIndex.Definition d) {
        boolean any = false;
        for (Symbols.Binding b : d.bindings())
            for (Param p : b.weights()) {
                if (!p.isFixed()) return false;
                any = true;
            }
        return any;
    }

    private void add(Span at, int type, int modifiers) {
        tokens.add(new Token(at, type, modifiers));
    }
}
