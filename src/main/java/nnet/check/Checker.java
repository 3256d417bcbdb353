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
 * The check phase for a whole file: blocks are collected first (a network may call a block
 * declared after it), then each network is checked and built into a {@link Graph}.
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
        for (Ast.Decl d : file.decls()) {
            Ast.Decl old = seen.putIfAbsent(d.name().name(), d);
            if (old != null) {
                diags.error(DiagCode.NAME_DUPLICATE, d.name().span(), "'" + d.name().name() + "' is already declared at " + old.name().span().line() + ":" + old.name().span().col());
                continue;
            }
            if (d instanceof Ast.BlockDecl b) {
                blocks.put(b.name().name(), b);
                checkParams(b, diags);
            }
        }
        List<Graph> graphs = new ArrayList<>();
        for (Ast.Decl d : file.decls())
            if (d instanceof Ast.NetworkDecl n && seen.get(n.name().name()) == n)
                graphs.add(new NetworkChecker(diags, blocks, n, baseDir, file.path(), symbols).check(n));
        return graphs;
    }

    private static void checkParams(Ast.BlockDecl b, Diagnostics diags) {
        List<String> names = new ArrayList<>();
        for (Ast.Ident p : b.params()) {
            if (names.contains(p.name())) diags.error(DiagCode.NAME_DUPLICATE, p.span(), "parameter '" + p.name() + "' appears twice in block '" + b.name().name() + "'");
            names.add(p.name());
        }
    }
}
