package nnet.check;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.diag.Span;

/**
 * Where the names of units come from (LANGUAGE.md §4, Names): {@code input x[3] names "x.txt"} (a
 * name a line), {@code names ["a", "b", "c"]}, or a table's column of names by a column of indices
 * ({@code names "topology.csv" (layer0_node -> layer0_name)}); a layer's {@code names:} argument;
 * and, for a layer without it, the tables of its {@code connect:}, whose targets name its units
 * and may give their count. Every unit has exactly one name, and no two units share one.
 */
final class NameSources {
    /** A layer's units: how many, and their names (null: none). */
    record Units(int count, Naming.Names names) {}

    private final Reporter r;
    private final Path baseDir;
    private final TopologyTables tables;

    NameSources(Reporter r, Path baseDir, TopologyTables tables) {
        this.r = r;
        this.baseDir = baseDir;
        this.tables = tables;
    }

    /** The names of an input's {@code count} elements ({@code what} names it: {@code input x[3]}), or null after an error (reported). */
    Naming.Names input(Ast.Tagged t, int count, String what) {
        if (!t.tag().name().equals("names")) {
            r.error(DiagCode.ARG_KIND, t.tag().span(), "an input takes names after its shape: " + what + " names \"names.txt\" (one name a line)");
            return null;
        }
        if (t.columns() != null) return fromTable(t, count, what);
        return counted(t.value(), names(t.value()), count, what);
    }

    /**
     * The units of a layer: {@code units} when given (else null), named by {@code names:} or by the
     * tables of {@code connect:} in order of first appearance, counted by either when not given.
     * Null after an error (reported).
     */
    Units layer(Args a, Integer units, Span call, String what) {
        Naming.Names named = null;
        String from = null;
        int indexCount = 0;
        if (a.has("names")) {
            named = names(a.get("names"));
            if (named == null) return null;
        } else if (a.has("connect")) {
            LinkedHashSet<String> targets = new LinkedHashSet<>();
            for (Ast.Tagged t : TopologyTables.tablesIn(a.get("connect"))) {
                TopologyTables.Targets found = tables.targets(t);
                if (found == null) return null;
                if (found.names() != null) {
                    targets.addAll(found.names());
                    from = from == null ? ((Ast.Str) t.value()).value() : "the tables of connect:";
                } else indexCount = Math.max(indexCount, found.count());
            }
            if (!targets.isEmpty()) named = new Naming.Names(new ArrayList<>(targets));
        }
        if (units == null) {
            if (named != null) return new Units(named.size(), named);
            if (indexCount > 0) return new Units(indexCount, null);
            r.error(DiagCode.ARG_COUNT, call, "dense needs 'units' (dense(x, units)), or a connect: table whose targets give them");
            return null;
        }
        if (named != null && named.size() != units) {
            Span at = a.has("names") ? a.get("names").span() : a.get("units").span();
            r.error(DiagCode.NAMES_COUNT, at, (from == null ? "names: gives " : from + " names ") + named.size() + " units (" + named.sample() + "), but " + what + " has " + units);
            return null;
        }
        return new Units(units, named);
    }

    /** The names of a layer's {@code names:}: a file or a list; null after an error (reported). */
    private Naming.Names names(Ast.Expr e) {
        if (e instanceof Ast.Str file) return file(file);
        if (e instanceof Ast.ListExpr list) return list(list);
        r.error(DiagCode.ARG_KIND, e.span(), "names are a file with one name a line, names: \"genes.txt\", or a list, names: [\"a\", \"b\"]");
        return null;
    }

    private Naming.Names counted(Ast.Expr at, Naming.Names names, int count, String what) {
        if (names == null || names.size() == count) return names;
        r.error(DiagCode.NAMES_COUNT, at.span(), (at instanceof Ast.Str f ? f.value() + " has " : "the list has ") + names.size() + " name" + (names.size() == 1 ? "" : "s")
                + ", but " + what + " has " + count + " unit" + (count == 1 ? "" : "s"));
        return null;
    }

    /** A names file: one name a line, spaces around it dropped; blank lines at the end ignored. */
    private Naming.Names file(Ast.Str f) {
        Path p = baseDir.resolve(f.value());
        if (!Files.isRegularFile(p)) {
            r.error(DiagCode.NAMES_FILE, f.span(), "names file " + f.value() + " not found (looked in " + baseDir.toAbsolutePath().normalize() + ")");
            return null;
        }
        try {
            List<String> lines = new ArrayList<>(TableFiles.lines(p, f.value()));
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) lines.remove(lines.size() - 1);
            Map<String, Integer> lineOf = new HashMap<>(lines.size() * 2);
            List<String> names = new ArrayList<>(lines.size());
            for (int k = 0; k < lines.size(); k++) {
                String name = lines.get(k).strip();
                if (name.isEmpty()) throw new TableFiles.Problem(DiagCode.NAMES_FILE, f.value() + ":" + (k + 1) + ": no name on this line (a names file has one name a line)");
                Integer earlier = lineOf.putIfAbsent(name, k + 1);
                if (earlier != null) throw new TableFiles.Problem(DiagCode.NAMES_DUPLICATE, f.value() + ":" + (k + 1) + ": '" + name + "' is also on line " + earlier);
                names.add(name);
            }
            if (names.isEmpty()) throw new TableFiles.Problem(DiagCode.NAMES_FILE, f.value() + ": the file has no names");
            return new Naming.Names(names);
        } catch (TableFiles.Problem problem) {
            r.error(problem.code, f.span(), "names file " + problem.getMessage());
            return null;
        }
    }

    private Naming.Names list(Ast.ListExpr list) {
        Map<String, Integer> itemOf = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (Ast.Expr item : list.items()) {
            if (!(item instanceof Ast.Str s) || s.value().isBlank() || s.value().contains("\n") || s.value().contains("\r")) {
                r.error(DiagCode.ARG_KIND, item.span(), "a name is a string of one line that is not blank: names [\"a\", \"b\"]");
                return null;
            }
            Integer earlier = itemOf.putIfAbsent(s.value(), names.size());
            if (earlier != null) {
                r.error(DiagCode.NAMES_DUPLICATE, item.span(), "'" + s.value() + "' names two units (" + earlier + " and " + names.size() + ")");
                return null;
            }
            names.add(s.value());
        }
        return new Naming.Names(names);
    }

    /** {@code names "t.csv" (index -> name)}: unit i is named by the name column on the rows whose index column holds i. */
    private Naming.Names fromTable(Ast.Tagged t, int count, String what) {
        TableFiles.Pairs p = tables.pairs(t);
        if (p == null) return null;
        String shown = p.file();
        try {
            if (!p.from().holdsIndices())
                throw new TableFiles.Problem(DiagCode.NAMES_FILE, shown + ": column " + p.from().header() + " must hold unit indices (0, 1, ...) to name " + what + " by its column " + p.to().header());
            String[] names = new String[count];
            int[] lineOf = new int[count];
            Map<String, Integer> unitOf = new HashMap<>(count * 2);
            for (int k = 0; k < p.rows(); k++) {
                int i = p.from().indices()[k], line = p.lines()[k];
                String name = p.to().values()[k];
                if (i >= count)
                    throw new TableFiles.Problem(DiagCode.MASK_FILE, shown + ":" + line + ": unit " + i + " is out of range: " + what + " has " + count + " units (0.." + (count - 1) + ")");
                if (names[i] != null && !names[i].equals(name))
                    throw new TableFiles.Problem(DiagCode.NAMES_DUPLICATE, shown + ":" + line + ": unit " + i + " is named '" + name + "' here and '" + names[i] + "' on line " + lineOf[i]);
                Integer other = unitOf.putIfAbsent(name, i);
                if (other != null && other != i)
                    throw new TableFiles.Problem(DiagCode.NAMES_DUPLICATE, shown + ":" + line + ": '" + name + "' names unit " + i + " here and unit " + other + " on line " + lineOf[other]);
                names[i] = name;
                lineOf[i] = line;
            }
            for (int i = 0; i < count; i++)
                if (names[i] == null)
                    throw new TableFiles.Problem(DiagCode.NAMES_COUNT, shown + " names " + unitOf.size() + " of the " + count + " units of " + what + "; unit " + i + " has no row");
            return new Naming.Names(Arrays.asList(names));
        } catch (TableFiles.Problem problem) {
            r.error(problem.code, t.value().span(), "names file " + problem.getMessage());
            return null;
        }
    }
}
