package nnet.check;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.diag.Fix;
import nnet.ir.Connectivity;
import nnet.runtime.io.Csv;
import nnet.runtime.DataFormatException;

/**
 * Turns a {@code connect:} expression into the {@link Connectivity} it denotes for a layer with
 * {@code n} inputs and {@code m} units (LANGUAGE.md §4), after checking each pattern's preconditions.
 */
final class Patterns {
    static final Set<String> NAMES = Set.of("full", "mask", "band", "blocks", "local", "random", "edges", "gmt", "shuffle", "rewire");

    private final Reporter r;
    private final Literals literals;
    private final Function<Ast.Expr, Double> number;
    private final Path baseDir;
    /** Topology tables and GMT files, read once per network. */
    final TopologyTables tables;
    /** The names of the two ends of the layer being evaluated, for tables that name them. */
    private TopologyTables.Ends ends = TopologyTables.Ends.NONE;
    /** The unit count of the layer whose pattern {@link #eval} reads, as written; null outside it. */
    private Ast.Expr units;

    Patterns(Reporter r, Literals literals, Function<Ast.Expr, Double> number, Path baseDir) {
        this.r = r;
        this.literals = literals;
        this.number = number;
        this.baseDir = baseDir;
        this.tables = new TopologyTables(r, baseDir);
    }

    /**
     * @param layer how to name the layer in messages, e.g. {@code dense(x, 2) on x[2]}
     * @param axes  what rows and columns are, e.g. {@code inputs x units}
     */
    Connectivity eval(Ast.Expr e, int n, int m, String layer, String axes) {
        return eval(e, n, m, layer, axes, TopologyTables.Ends.NONE, null);
    }

    /**
     * The same, where tables may name the inputs and units by {@code ends}, and {@code units} is the
     * layer's count of units (or filters) as written, which a mask file's width can correct (null where none can).
     */
    Connectivity eval(Ast.Expr e, int n, int m, String layer, String axes, TopologyTables.Ends ends, Ast.Expr units) {
        this.ends = ends;
        this.units = units;
        try {
            return pattern(e, n, m, layer, axes);
        } catch (Connectivity.TooManyConnections tooMany) {
            r.error(DiagCode.SHAPE_SIZE, e.span(), layer + " has " + tooMany.connections + " connections; one tensor holds at most " + Connectivity.MAX_CONNECTIONS);
            return null;
        } finally {
            this.ends = TopologyTables.Ends.NONE;
            this.units = null;
        }
    }

    /** {@code random} draws once per entry: past this many entries it would take minutes, so larger layers list their edges. */
    static final long MAX_DRAWS = 1L << 33;

    private Connectivity pattern(Ast.Expr e, int n, int m, String layer, String axes) {
        if (e instanceof Ast.Binary b && (b.op().equals("|") || b.op().equals("&"))) {
            Connectivity p = pattern(b.left(), n, m, layer, axes), q = pattern(b.right(), n, m, layer, axes);
            if (p == null || q == null) return null;
            return b.op().equals("|") ? p.union(q) : p.intersect(q);
        }
        if (e instanceof Ast.Name name && name.name().equals("full")) return Connectivity.full(n, m);
        if (TopologyTables.isTable(e)) return tables.connect((Ast.Tagged) e, n, m, layer, ends);
        if (e instanceof Ast.Tagged t && t.columns() != null) {
            r.error(DiagCode.PATTERN_UNKNOWN, t.columns().span(), "columns (a -> b) pick two columns of a table: edges \"topology.csv\" (layer0_node -> layer1_node)");
            return null;
        }
        if (e instanceof Ast.Tagged t && t.tag().name().equals("mask")) return mask(t, n, m, layer, axes);
        if (e instanceof Ast.Tagged t && t.tag().name().equals("edges")) return edges(t, n, m, layer);
        if (e instanceof Ast.Call c && (c.callee().name().equals("shuffle") || c.callee().name().equals("rewire"))) return control(c, n, m, layer, axes);
        if (e instanceof Ast.Call c) {
            String f = c.callee().name();
            List<Double> a = numbers(c);
            if (a == null) return null;
            String problem;
            switch (f) {
                case "band" -> {
                    if (!arity(c, a, 1, 1)) return null;
                    problem = Connectivity.bandProblem(n, m, whole(a.get(0)));
                    if (problem == null) return Connectivity.band(n, m, (int) (double) a.get(0));
                }
                case "blocks" -> {
                    if (!arity(c, a, 1, 1)) return null;
                    problem = Connectivity.blocksProblem(n, m, whole(a.get(0)));
                    if (problem == null) return Connectivity.blocks(n, m, (int) (double) a.get(0));
                }
                case "local" -> {
                    if (!arity(c, a, 2, 2)) return null;
                    problem = Connectivity.localProblem(n, m, whole(a.get(0)), whole(a.get(1)));
                    if (problem == null) return Connectivity.local(n, m, (int) (double) a.get(0), (int) (double) a.get(1));
                }
                case "random" -> {
                    if (!arity(c, a, 1, 2)) return null;
                    problem = Connectivity.randomProblem(n, m, a.get(0));
                    if (problem == null && (long) n * m > MAX_DRAWS)
                        problem = "random(...) draws once per entry, and " + n + " x " + m + " is more than 2^33 entries: list the connections instead (edges \"file.csv\")";
                    long seed = a.size() > 1 ? (long) (double) a.get(1) : 7;
                    if (problem == null) return Connectivity.random(n, m, a.get(0), seed);
                }
                default -> {
                    r.error(DiagCode.PATTERN_UNKNOWN, c.callee().span(), "unknown connectivity pattern '" + f + "'" + Suggest.didYouMean(f, NAMES) + expected(),
                            Suggest.fix(c.callee().span(), f, NAMES));
                    return null;
                }
            }
            r.error(DiagCode.PATTERN_PRECONDITION, c.span(), problem + " in " + layer);
            return null;
        }
        r.error(DiagCode.PATTERN_UNKNOWN, e.span(), "expected a connectivity pattern" + expected());
        return null;
    }

    /** {@code shuffle(p, seed: s)} and {@code rewire(p, seed: s)}: randomised controls of a pattern (LANGUAGE.md §4). */
    private Connectivity control(Ast.Call c, int n, int m, String layer, String axes) {
        String f = c.callee().name();
        Ast.Expr pattern = null;
        long seed = 7;
        for (Ast.Arg arg : c.args()) {
            if (arg.name() == null && pattern == null) pattern = arg.value();
            else if (arg.name() != null && arg.name().name().equals("seed")) {
                Double d = number.apply(arg.value());
                if (d == null) return null;
                if (d != Math.rint(d)) {
                    r.error(DiagCode.ARG_VALUE, arg.value().span(), f + "'s seed must be a whole number, found " + Numbers.format(d));
                    return null;
                }
                seed = (long) (double) d;
            } else {
                r.error(DiagCode.ARG_UNKNOWN, arg.span(), f + " takes a pattern and seed: (" + f + "(p, seed: 7))");
                return null;
            }
        }
        if (pattern == null) {
            r.error(DiagCode.ARG_COUNT, c.span(), f + " takes the pattern to randomise, e.g. " + f + "(edges \"pathways.csv\", seed: 1)");
            return null;
        }
        Connectivity p = pattern(pattern, n, m, layer, axes);
        if (p == null) return null;
        return f.equals("shuffle") ? p.shuffle(seed) : p.rewire(seed);
    }

    private static String expected() {
        return " (full, mask [[...]], mask \"file.csv\", band(r), blocks(k), local(w, s), random(density, seed: 7), edges [i -> j], edges \"f.csv\", edges \"t.csv\" (a -> b), gmt \"f.gmt\", shuffle(p, seed: 1), rewire(p, seed: 1), p | q, p & q)";
    }

    /** Pattern parameters that must be whole numbers; a fractional one becomes -1, which every precondition rejects. */
    private static int whole(double d) {
        return d == Math.rint(d) && Math.abs(d) < Integer.MAX_VALUE ? (int) d : -1;
    }

    private List<Double> numbers(Ast.Call c) {
        List<Double> out = new ArrayList<>();
        for (Ast.Arg arg : c.args()) {
            if (arg.name() != null && !(c.callee().name().equals("random") && arg.name().name().equals("seed"))) {
                r.error(DiagCode.ARG_UNKNOWN, arg.name().span(), c.callee().name() + " has no argument '" + arg.name().name() + "'");
                return null;
            }
            Double d = number.apply(arg.value());
            if (d == null) return null;
            out.add(d);
        }
        return out;
    }

    private boolean arity(Ast.Call c, List<Double> a, int min, int max) {
        if (a.size() >= min && a.size() <= max) return true;
        r.error(DiagCode.ARG_COUNT, c.span(), c.callee().name() + " takes " + (min == max ? "" + min : min + " or " + max) + " argument" + (max == 1 ? "" : "s") + ", found " + a.size());
        return false;
    }

    private Connectivity mask(Ast.Tagged t, int n, int m, String layer, String axes) {
        float[][] values;
        if (t.value() instanceof Ast.Str file && EdgeFiles.isSparseMatrix(file.value())) return fromFile(file, n, m, layer, "mask");
        if (t.value() instanceof Ast.Str file) {
            values = readCsv(file);
        } else {
            values = literals.matrix(t.value(), DiagCode.MASK_SIZE, "mask");
        }
        if (values == null) return null;
        if (values.length != n || values[0].length != m) {
            r.error(DiagCode.MASK_SIZE, t.span(), "mask is " + Literals.dims(values) + ", but " + layer + " needs " + n + " x " + m + " (" + axes + ")",
                    t.value() instanceof Ast.Str file ? unitsFix(file, values, n) : Literals.transposeFix(t.value(), values, n, m, "mask"));
            return null;
        }
        boolean[][] present = new boolean[n][m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) {
                float v = values[i][j];
                if (v != 0 && v != 1) {
                    r.error(DiagCode.MASK_VALUE, t.span(), "mask entry [" + i + "][" + j + "] is " + v + "; a mask holds only 0 and 1");
                    return null;
                }
                present[i][j] = v == 1;
            }
        return Connectivity.fromRows(present);
    }

    /** A mask file with the layer's inputs as rows but other columns: the unit count written as a number is what is wrong. */
    private List<Fix> unitsFix(Ast.Str file, float[][] values, int n) {
        if (values.length != n || !(units instanceof Ast.Num written) || !written.integral()) return List.of();
        String width = Integer.toString(values[0].length);
        return List.of(new Fix("Set the count to " + width + ", the columns of " + file.value(), written.span(), width));
    }

    private float[][] readCsv(Ast.Str file) {
        Path p = baseDir.resolve(file.value());
        if (!Files.isRegularFile(p)) {
            r.error(DiagCode.MASK_FILE, file.span(), "mask file " + file.value() + " not found (looked in " + baseDir.toAbsolutePath().normalize() + ")");
            return null;
        }
        try {
            return Csv.read(p);
        } catch (DataFormatException ex) {
            r.error(DiagCode.MASK_FILE, file.span(), "mask file: " + ex.getMessage());
            return null;
        }
    }

    /** {@code edges "f.csv"}, {@code edges "f.npz"}, {@code mask "f.npz"}: connections from a file beside the source ({@link EdgeFiles}). */
    private Connectivity fromFile(Ast.Str file, int n, int m, String layer, String pattern) {
        Path p = baseDir.resolve(file.value());
        if (!Files.isRegularFile(p)) {
            r.error(DiagCode.MASK_FILE, file.span(), pattern + " file " + file.value() + " not found (looked in " + baseDir.toAbsolutePath().normalize() + ")");
            return null;
        }
        try {
            return EdgeFiles.read(p, file.value(), n, m, layer);
        } catch (DataFormatException ex) {
            r.error(DiagCode.MASK_FILE, file.span(), pattern + " file " + ex.getMessage());
            return null;
        }
    }

    private Connectivity edges(Ast.Tagged t, int n, int m, String layer) {
        if (t.value() instanceof Ast.Str file) return fromFile(file, n, m, layer, "edges");
        if (!(t.value() instanceof Ast.ListExpr list)) {
            r.error(DiagCode.PATTERN_UNKNOWN, t.span(), "edges takes a list like [0 -> 1, 2 -> 0..3], or a file: edges \"edges.csv\" (input,unit per line) or edges \"m.npz\" (scipy.sparse)");
            return null;
        }
        List<int[]> pairs = new ArrayList<>();
        for (Ast.Expr item : list.items()) {
            if (!(item instanceof Ast.Edge edge)) {
                r.error(DiagCode.PATTERN_UNKNOWN, item.span(), "an edge is 'input -> unit', e.g. 0 -> 1 or 3 -> 0..2");
                return null;
            }
            int[] from = range(edge.from(), n, "input", layer), to = range(edge.to(), m, "unit", layer);
            if (from == null || to == null) return null;
            for (int i = from[0]; i <= from[1]; i++)
                for (int j = to[0]; j <= to[1]; j++) pairs.add(new int[] {i, j});
        }
        return Connectivity.edges(n, m, pairs);
    }

    /** An index or an inclusive range {@code a..b}, checked against {@code 0..size-1}. */
    private int[] range(Ast.Expr e, int size, String what, String layer) {
        Ast.Expr lo = e instanceof Ast.Range rg ? rg.from() : e, hi = e instanceof Ast.Range rg ? rg.to() : e;
        Double a = number.apply(lo), b = number.apply(hi);
        if (a == null || b == null) return null;
        for (double v : new double[] {a, b}) {
            if (v != Math.rint(v) || v < 0 || v >= size) {
                r.error(DiagCode.EDGE_RANGE, e.span(), what + " index " + Numbers.format(v) + " is out of range: " + layer + " has " + size + " " + what + "s (0.." + (size - 1) + ")");
                return null;
            }
        }
        if (a > b) {
            r.error(DiagCode.EDGE_RANGE, e.span(), "range " + Numbers.format(a) + ".." + Numbers.format(b) + " is empty");
            return null;
        }
        return new int[] {(int) (double) a, (int) (double) b};
    }
}
