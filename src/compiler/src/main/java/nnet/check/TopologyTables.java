package nnet.check;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.ir.Connectivity;

/**
 * Connections and unit names from topology tables and GMT files (LANGUAGE.md §4):
 * {@code edges "topology.csv" (layer0_node -> layer1_name)} and {@code gmt "reactome.gmt"}. A column
 * of whole numbers holds indices; any other column holds names, resolved against the input's
 * names (sources) and the layer's (targets) through hash maps, so tables of GenNet's and P-NET's
 * size resolve in linear time. A layer without names of its own is named by its tables' targets,
 * in order of first appearance. Each file is read once per network.
 */
final class TopologyTables {
    /**
     * The names of a layer's two ends: its inputs' ({@code inputsOf} says whose, for messages) and
     * its units'; null where they have none.
     */
    record Ends(Naming.Names inputs, String inputsOf, Naming.Names units) {
        static final Ends NONE = new Ends(null, "the layer's input", null);
    }

    /** What a table says of a layer's units: their names in order of first appearance, or (targets by index) how many its indices need. */
    record Targets(List<String> names, int count) {}

    private final Reporter r;
    private final Path baseDir;
    private final Map<String, Object> read = new HashMap<>();

    TopologyTables(Reporter r, Path baseDir) {
        this.r = r;
        this.baseDir = baseDir;
    }

    /** Whether a pattern is a table: {@code edges "t.csv" (a -> b)} or {@code gmt "f.gmt"}. */
    static boolean isTable(Ast.Expr e) {
        return e instanceof Ast.Tagged t && ((t.tag().name().equals("edges") && t.columns() != null) || t.tag().name().equals("gmt"));
    }

    /** The tables among a {@code connect:} pattern's parts, in source order. */
    static List<Ast.Tagged> tablesIn(Ast.Expr e) {
        List<Ast.Tagged> out = new ArrayList<>();
        collect(e, out);
        return out;
    }

    private static void collect(Ast.Expr e, List<Ast.Tagged> out) {
        if (isTable(e)) out.add((Ast.Tagged) e);
        else if (e instanceof Ast.Binary b) {
            collect(b.left(), out);
            collect(b.right(), out);
        } else if (e instanceof Ast.Call c && !c.args().isEmpty() && c.args().get(0).name() == null) collect(c.args().get(0).value(), out); // shuffle(p), rewire(p)
    }

    /** The units a table names, or null after an error (reported). */
    Targets targets(Ast.Tagged t) {
        Object file = read(t);
        if (file instanceof TableFiles.GeneSets sets) return new Targets(sets.sets(), sets.sets().size());
        if (!(file instanceof TableFiles.Pairs p)) return null;
        if (p.to().holdsIndices()) {
            int max = 0;
            for (int v : p.to().indices()) max = Math.max(max, v);
            return new Targets(null, max + 1);
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (String v : p.to().values()) seen.putIfAbsent(v, seen.size());
        return new Targets(List.copyOf(seen.keySet()), seen.size());
    }

    /** The connections a table gives a layer of {@code n} inputs and {@code m} units, or null after an error (reported). */
    Connectivity connect(Ast.Tagged t, int n, int m, String layer, Ends ends) {
        Object file = read(t);
        if (file == null) return null;
        try {
            if (file instanceof TableFiles.GeneSets sets) {
                int[] in = new int[sets.genes().length], unit = new int[in.length];
                for (int k = 0; k < in.length; k++) {
                    in[k] = byName(sets.genes()[k], ends.inputs(), ends.inputsOf(), sets.file(), sets.lines()[k], "gene");
                    unit[k] = ends.units() == null ? sets.setOf()[k] : byName(sets.sets().get(sets.setOf()[k]), ends.units(), "the layer", sets.file(), sets.lines()[k], "gene set");
                }
                return Connectivity.edges(n, m, in, unit, in.length);
            }
            TableFiles.Pairs p = (TableFiles.Pairs) file;
            int[] in = new int[p.rows()], unit = new int[p.rows()];
            for (int k = 0; k < p.rows(); k++) {
                in[k] = resolve(p, p.from(), k, n, ends.inputs(), ends.inputsOf(), "input", layer);
                unit[k] = resolve(p, p.to(), k, m, ends.units(), "the layer", "unit", layer);
            }
            return Connectivity.edges(n, m, in, unit, in.length);
        } catch (TableFiles.Problem problem) {
            r.error(problem.code, t.value().span(), problem.getMessage());
            return null;
        }
    }

    /** Row {@code k}'s value in a column: an index within {@code size}, or a name among {@code names}. */
    private static int resolve(TableFiles.Pairs p, TableFiles.Column c, int k, int size, Naming.Names names, String whose, String what, String layer) {
        if (c.holdsIndices()) {
            int v = c.indices()[k];
            if (v >= size)
                throw new TableFiles.Problem(DiagCode.MASK_FILE, p.file() + ":" + p.lines()[k] + ": " + what + " index " + v + " (column " + c.header() + ") is out of range: " + layer + " has "
                        + size + " " + what + "s (0.." + (size - 1) + ")");
            return v;
        }
        return byName(c.values()[k], names, whose, p.file(), p.lines()[k], "column " + c.header());
    }

    private static int byName(String name, Naming.Names names, String whose, String file, int line, String where) {
        if (names == null)
            throw new TableFiles.Problem(DiagCode.NAMES_UNKNOWN, file + ":" + line + ": '" + name + "' (" + where + ") is a name, but " + whose
                    + " has no names (name its units: input x[100] names \"x.txt\", or dense(..., names: \"units.txt\"))");
        int k = names.indexOf(name);
        if (k < 0) throw new TableFiles.Problem(DiagCode.NAMES_UNKNOWN, file + ":" + line + ": '" + name + "' (" + where + ") is not a unit of " + whose + Suggest.didYouMean(name, names.list));
        return k;
    }

    /** Two columns of a table for {@code names "t.csv" (index -> name)}, or null after an error (reported). */
    TableFiles.Pairs pairs(Ast.Tagged t) {
        return read(t) instanceof TableFiles.Pairs p ? p : null;
    }

    /** The file a table names, read once: {@link TableFiles.Pairs} or {@link TableFiles.GeneSets}; null after an error (reported). */
    private Object read(Ast.Tagged t) {
        if (!(t.value() instanceof Ast.Str file)) {
            r.error(DiagCode.PATTERN_UNKNOWN, t.value().span(), t.tag().name() + " takes a file here: " + t.tag().name() + (t.tag().name().equals("gmt") ? " \"pathways.gmt\"" : " \"topology.csv\" (layer0_node -> layer1_node)"));
            return null;
        }
        String[] columns = null;
        if (!t.tag().name().equals("gmt")) {
            columns = columns(t.columns());
            if (columns == null) return null;
        } else if (t.columns() != null) {
            r.error(DiagCode.PATTERN_UNKNOWN, t.columns().span(), "a GMT file has no columns to pick: each line is a gene set (its name, a description, its genes)");
            return null;
        }
        Path p = baseDir.resolve(file.value());
        String key = p.toAbsolutePath().normalize() + (columns == null ? "" : "\0" + columns[0] + "\0" + columns[1]);
        Object cached = read.get(key);
        if (cached != null) return cached;
        if (!Files.isRegularFile(p)) {
            r.error(DiagCode.MASK_FILE, file.span(), t.tag().name() + " file " + file.value() + " not found (looked in " + baseDir.toAbsolutePath().normalize() + ")");
            return null;
        }
        try {
            Object v = columns == null ? TableFiles.geneSets(p, file.value()) : TableFiles.pairs(p, file.value(), columns[0], columns[1]);
            read.put(key, v);
            return v;
        } catch (TableFiles.Problem problem) {
            Ast.Expr at = problem.missingColumn == null ? file : columnNamed((Ast.Edge) t.columns(), problem.missingColumn);
            r.error(problem.code, at.span(), problem.getMessage());
            return null;
        }
    }

    /** {@code (a -> b)}: two column names, as words or strings; null after an error (reported). */
    private String[] columns(Ast.Expr e) {
        if (e instanceof Ast.Edge edge) {
            String a = columnName(edge.from()), b = columnName(edge.to());
            if (a != null && b != null) return new String[] {a, b};
        }
        r.error(DiagCode.PATTERN_UNKNOWN, e.span(), "a table's columns are (source -> target), each a name or a string: (layer0_node -> layer1_node)");
        return null;
    }

    private static String columnName(Ast.Expr e) {
        return e instanceof Ast.Name n ? n.name() : e instanceof Ast.Str s ? s.value() : null;
    }

    /** Where the source names a column, to place an error about it there. */
    private static Ast.Expr columnNamed(Ast.Edge columns, String name) {
        return name.equals(columnName(columns.from())) ? columns.from() : columns.to();
    }
}
