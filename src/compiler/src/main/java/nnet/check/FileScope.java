package nnet.check;

import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import nnet.ast.Ast;
import nnet.diag.Diagnostics;

/**
 * What every network and block of one file shares while it is checked: the blocks, the consts
 * declared outside any network (visible in all), where to report, and which blocks have been
 * expanded somewhere (the others are checked on their own, so their mistakes are found too).
 */
final class FileScope {
    final Diagnostics diags;
    final Map<String, Ast.BlockDecl> blocks;
    final Map<String, NetworkChecker.Binding> globals = new LinkedHashMap<>();
    final Path baseDir;
    final String file;
    final Symbols symbols;
    final Set<Ast.BlockDecl> expanded = Collections.newSetFromMap(new IdentityHashMap<>());

    FileScope(Diagnostics diags, Map<String, Ast.BlockDecl> blocks, Path baseDir, String file, Symbols symbols) {
        this.diags = diags;
        this.blocks = blocks;
        this.baseDir = baseDir;
        this.file = file;
        this.symbols = symbols;
    }
}
