package nnet.lsp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nnet.Compiler;
import nnet.ast.Ast;
import nnet.check.Symbols;
import nnet.diag.Diagnostic;
import nnet.diag.Span;

/**
 * One version of an open document, analysed: its diagnostics, every name it defines (read from
 * the syntax tree, so names of a block that is never called are there too) with what the checker
 * bound to it, and every use the checker resolved. Immutable; a change makes a new index.
 */
final class DocumentIndex {
    enum Kind { NETWORK, BLOCK, PARAMETER, INPUT, CONST, NODE }

    /**
     * A name as defined in the source.
     *
     * @param owner    the network or block whose body defines it; for a network or block itself, that declaration
     * @param bindings what the checker bound to it: one per network for a plain name, one per call for a name in a
     *                 block, none where an error came first or the block is never called
     */
    record Definition(Kind kind, Ast.Ident name, Ast.Decl owner, List<Symbols.Binding> bindings) {}

    final String uri;
    final int version;
    final String text;
    final LineMap lines;
    final List<Diagnostic> diagnostics;
    /** Why the file was not analysed (too large, or the compiler failed on it), or null when it was. */
    final String notAnalysed;
    final Ast.SourceFile ast;
    /** By the place of the defining identifier. */
    private final Map<Span, Definition> definitions = new LinkedHashMap<>();
    /** The place of each resolved use, to the place of its definition (a block body is checked once per call; each use counts once). */
    private final Map<Span, Span> uses = new LinkedHashMap<>();

    private DocumentIndex(String uri, int version, String text, List<Diagnostic> diagnostics, String notAnalysed, Ast.SourceFile ast, Symbols symbols) {
        this.uri = uri;
        this.version = version;
        this.text = text;
        this.lines = new LineMap(text);
        this.diagnostics = diagnostics;
        this.notAnalysed = notAnalysed;
        this.ast = ast;
        Map<Span, List<Symbols.Binding>> bound = new LinkedHashMap<>();
        for (Symbols.Binding b : symbols.bindings()) bound.computeIfAbsent(b.definition(), k -> new ArrayList<>()).add(b);
        for (Ast.Decl d : ast.decls()) collect(d, bound);
        for (Symbols.Use u : symbols.uses()) uses.putIfAbsent(u.use(), u.definition());
    }

    static DocumentIndex of(String uri, int version, String text, Compiler.Analysis analysis) {
        return new DocumentIndex(uri, version, text, analysis.checked().diagnostics(), null, analysis.ast(), analysis.symbols());
    }

    /** An index without names or diagnostics: the file could not be analysed, for the reason given. */
    static DocumentIndex unanalysed(String uri, int version, String text, String reason) {
        return new DocumentIndex(uri, version, text, List.of(), reason, new Ast.SourceFile(uri, List.of()), new Symbols());
    }

    private void collect(Ast.Decl d, Map<Span, List<Symbols.Binding>> bound) {
        define(d instanceof Ast.NetworkDecl ? Kind.NETWORK : d instanceof Ast.BlockDecl ? Kind.BLOCK : Kind.CONST, d.name(), d, bound);
        if (d instanceof Ast.BlockDecl b) for (Ast.Ident p : b.params()) define(Kind.PARAMETER, p, d, bound);
        for (Ast.Stmt s : d.body()) {
            if (s instanceof Ast.InputStmt in) define(Kind.INPUT, in.name(), d, bound);
            else if (s instanceof Ast.ConstStmt c) define(Kind.CONST, c.name(), d, bound);
            else if (s instanceof Ast.AssignStmt a) for (Ast.Ident t : a.targets()) define(Kind.NODE, t, d, bound);
        }
    }

    private void define(Kind kind, Ast.Ident name, Ast.Decl owner, Map<Span, List<Symbols.Binding>> bound) {
        definitions.put(name.span(), new Definition(kind, name, owner, bound.getOrDefault(name.span(), List.of())));
    }

    List<Definition> definitions() {
        return List.copyOf(definitions.values());
    }

    /** The definition named at a 1-based place: on its defining identifier or on a use of it. */
    Optional<Definition> definitionAt(int line, int col) {
        for (Definition d : definitions.values()) if (covers(d.name().span(), line, col)) return Optional.of(d);
        for (Map.Entry<Span, Span> u : uses.entrySet())
            if (covers(u.getKey(), line, col)) return Optional.ofNullable(definitions.get(u.getValue()));
        return Optional.empty();
    }

    /** The definition of the identifier at exactly {@code s}: the one it defines, or the one it uses. */
    Optional<Definition> definitionOf(Span s) {
        Definition d = definitions.get(s);
        if (d != null) return Optional.of(d);
        Span defined = uses.get(s);
        return defined == null ? Optional.empty() : Optional.ofNullable(definitions.get(defined));
    }

    /** Every place that uses {@code d}, in source order. */
    List<Span> uses(Definition d) {
        List<Span> found = new ArrayList<>();
        for (Map.Entry<Span, Span> u : uses.entrySet()) if (u.getValue().equals(d.name().span())) found.add(u.getKey());
        found.sort(SOURCE_ORDER);
        return found;
    }

    /** The network or block whose text holds a 1-based place (the last one starting before it), if any. */
    Optional<Ast.Decl> declAt(int line, int col) {
        Ast.Decl found = null;
        for (Ast.Decl d : ast.decls()) if (before(d.span(), line, col)) found = d;
        return Optional.ofNullable(found);
    }

    private static final Comparator<Span> SOURCE_ORDER = Comparator.comparingInt(Span::line).thenComparingInt(Span::col);

    /** Whether a span starts before a 1-based place. */
    private static boolean before(Span s, int line, int col) {
        return s.line() < line || (s.line() == line && s.col() < col);
    }

    /** An identifier covers the place of the cursor on it and just after it (where a client asks while typing). */
    private static boolean covers(Span s, int line, int col) {
        return s.line() == line && col >= s.col() && col <= s.col() + s.length();
    }
}
