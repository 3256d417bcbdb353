package nnet.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.diag.Diagnostics;
import nnet.ir.Graph;

/**
 * The check phase for a whole file: blocks and top-level consts are collected first (a network may
 * call a block declared after it), then each network is checked and built into a {@link Graph},
 * and finally every block no network expanded is checked on its own, with its parameters' shapes
 * unknown, so that what is wrong in it regardless of its arguments is reported too.
 */
public final class Checker {
    private Checker() {}

    /**
     * @param baseDir where files named in the source ({@code mask "conn.csv"}) are looked up
     * @return the graphs of the networks; meaningful only when {@code diags} has no errors
     */
    public static List<Graph> check(Ast.SourceFile file, Path baseDir, Diagnostics diags) {
        return check(file, baseDir, diags, new Symbols());
    }

    /** The same, and every name bound and resolved goes to {@code symbols} (for the language server). */
    public static List<Graph> check(Ast.SourceFile file, Path baseDir, Diagnostics diags, Symbols symbols) {
        Map<String, Ast.BlockDecl> blocks = new LinkedHashMap<>();
        Map<String, Ast.Decl> seen = new LinkedHashMap<>();
        List<Ast.ConstDecl> consts = new ArrayList<>();
        for (Ast.Decl d : file.decls()) {
            Ast.Decl old = seen.putIfAbsent(d.name().name(), d);
            if (old != null) {
                diags.error(DiagCode.NAME_DUPLICATE, d.name().span(), "'" + d.name().name() + "' is already declared at " + old.name().span().line() + ":" + old.name().span().col());
                continue;
            }
            if (d instanceof Ast.BlockDecl b) {
                blocks.put(b.name().name(), b);
                checkParams(b, diags);
            } else if (d instanceof Ast.ConstDecl c) consts.add(c);
        }
        FileScope scope = new FileScope(diags, blocks, baseDir, file.path(), symbols);
        new NetworkChecker(scope, "<file>", symbols).checkConsts(consts);
        List<Graph> graphs = new ArrayList<>();
        for (Ast.Decl d : file.decls())
            if (d instanceof Ast.NetworkDecl n && seen.get(n.name().name()) == n)
                graphs.add(new NetworkChecker(scope, n.name().name(), symbols).check(n));
        checkUncalledBlocks(scope);
        if (!diags.hasErrors()) warnUnusedInputs(graphs, diags);
        return graphs;
    }

    /**
     * An input no output depends on: likely a statement that should read it (or a leftover). It
     * still compiles; {@code predict} does not ask for it. Only in a file without errors: a
     * statement with an error (or one a syntax error dropped) may be the one that read it.
     */
    private static void warnUnusedInputs(List<Graph> graphs, Diagnostics diags) {
        for (Graph g : graphs)
            for (nnet.ir.Node in : g.unusedInputs())
                diags.warning(DiagCode.INPUT_UNUSED, in.span(), "input " + in.name() + " is not used by any output (predict does not ask for it)");
    }

    /**
     * A block is checked where it is expanded; one that never is (not called, or called only with
     * arguments that have errors, or only from such a block) is checked once here. Its names are
     * not bound for tools: they have no shape without a call.
     */
    private static void checkUncalledBlocks(FileScope scope) {
        for (Ast.BlockDecl b : scope.blocks.values()) {
            if (scope.expanded.contains(b)) continue;
            Symbols unshaped = new Symbols();
            new NetworkChecker(scope, "<block " + b.name().name() + ">", unshaped).checkUncalled(b);
            scope.symbols.addUses(unshaped);
        }
    }

    private static void checkParams(Ast.BlockDecl b, Diagnostics diags) {
        List<String> names = new ArrayList<>();
        for (Ast.Ident p : b.params()) {
            if (names.contains(p.name())) diags.error(DiagCode.NAME_DUPLICATE, p.span(), "parameter '" + p.name() + "' appears twice in block '" + b.name().name() + "'");
            names.add(p.name());
        }
    }
}
