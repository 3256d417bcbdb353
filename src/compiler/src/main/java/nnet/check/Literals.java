package nnet.check;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.diag.Fix;

/**
 * Number lists written in the source: {@code [1, 0]} vectors and {@code [[1, 0], [1, 1]]} matrices
 * of weights and masks. Entries are number expressions (literals, {@code -1}, const names).
 */
final class Literals {
    private final Reporter r;
    private final Function<Ast.Expr, Double> number;

    /** {@code number} evaluates an entry to a compile-time number, or reports and returns null. */
    Literals(Reporter r, Function<Ast.Expr, Double> number) {
        this.r = r;
        this.number = number;
    }

    /** A rectangular matrix, or null after reporting; {@code code} is the error for ragged rows. */
    float[][] matrix(Ast.Expr e, DiagCode code, String what) {
        if (!(e instanceof Ast.ListExpr rows) || rows.items().isEmpty() || !(rows.items().get(0) instanceof Ast.ListExpr)) {
            r.error(code, e.span(), what + " must be a matrix like [[1, 0], [0, 1]]");
            return null;
        }
        float[][] m = new float[rows.items().size()][];
        for (int i = 0; i < m.length; i++) {
            Ast.Expr row = rows.items().get(i);
            m[i] = vector(row, code, what + " row " + i);
            if (m[i] == null) return null;
            if (m[i].length != m[0].length) {
                r.error(code, row.span(), what + " row " + i + " has " + m[i].length + " entries, row 0 has " + m[0].length);
                return null;
            }
        }
        return m;
    }

    float[] vector(Ast.Expr e, DiagCode code, String what) {
        if (!(e instanceof Ast.ListExpr list) || list.items().isEmpty()) {
            r.error(code, e.span(), what + " must be a list of numbers like [1, 0]");
            return null;
        }
        float[] v = new float[list.items().size()];
        for (int i = 0; i < v.length; i++) {
            Double d = number.apply(list.items().get(i));
            if (d == null) return null;
            v[i] = d.floatValue();
        }
        return v;
    }

    /**
     * Nested lists of numbers shaped exactly {@code shape} (row-major, flattened), or null after
     * reporting: a ragged or too shallow list where it is, a wrong shape as what was found against
     * what {@code needs} says ({@code "conv2d(...) needs [filters][channels][height][width]"}).
     */
    float[] tensor(Ast.Expr e, int[] shape, DiagCode code, String what, String needs) {
        java.util.List<Integer> found = new java.util.ArrayList<>();
        for (Ast.Expr at = e; at instanceof Ast.ListExpr l && !l.items().isEmpty(); at = l.items().get(0)) found.add(l.items().size());
        String foundText = found.stream().map(d -> "[" + d + "]").collect(java.util.stream.Collectors.joining());
        String wanted = java.util.Arrays.stream(shape).mapToObj(d -> "[" + d + "]").collect(java.util.stream.Collectors.joining());
        if (found.size() != shape.length || !java.util.stream.IntStream.range(0, shape.length).allMatch(d -> found.get(d) == shape[d])) {
            r.error(code, e.span(), what + " are " + (found.isEmpty() ? "not a list" : foundText) + ", but " + needs + " = " + wanted);
            return null;
        }
        float[] out = new float[java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        return fill(e, shape, 0, out, 0, code, what) ? out : null;
    }

    /** Reads the list {@code e} at depth {@code d} into {@code out} from {@code at}; false after reporting. */
    private boolean fill(Ast.Expr e, int[] shape, int d, float[] out, int at, DiagCode code, String what) {
        if (d == shape.length) {
            if (e instanceof Ast.ListExpr) {
                r.error(code, e.span(), what + " nest " + shape.length + " lists deep; this entry is a list");
                return false;
            }
            Double v = number.apply(e);
            if (v == null) return false;
            out[at] = v.floatValue();
            return true;
        }
        if (!(e instanceof Ast.ListExpr l) || l.items().size() != shape[d]) {
            r.error(code, e.span(), what + " need lists of " + shape[d] + " at depth " + d + " (as the first list there), "
                    + (e instanceof Ast.ListExpr l2 ? "this one has " + l2.items().size() : "found a number"));
            return false;
        }
        int inner = 1;
        for (int k = d + 1; k < shape.length; k++) inner *= shape[k];
        for (int i = 0; i < shape[d]; i++) if (!fill(l.items().get(i), shape, d + 1, out, at + i * inner, code, what)) return false;
        return true;
    }

    static String dims(float[][] m) {
        return m.length + " x " + m[0].length;
    }

    /** A single-line literal longer than this is written a row per line. */
    private static final int LINE = 100;

    /**
     * The fix of a matrix literal written the other way round ({@code m x n} where {@code n x m} is
     * needed): the literal transposed, each entry as written where it is a number. None otherwise.
     */
    static List<Fix> transposeFix(Ast.Expr literal, float[][] values, int n, int m, String what) {
        if (!(literal instanceof Ast.ListExpr rows) || n == m || values.length != m || values[0].length != n) return List.of();
        List<String> out = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            List<String> row = new ArrayList<>();
            for (int i = 0; i < m; i++) row.add(((Ast.ListExpr) rows.items().get(i)).items().get(j) instanceof Ast.Num num ? num.text() : Numbers.format(values[i][j]));
            out.add("[" + String.join(", ", row) + "]");
        }
        String oneLine = "[" + String.join(", ", out) + "]";
        String text = oneLine.length() <= LINE ? oneLine : "[" + String.join(",\n" + " ".repeat(literal.span().col()), out) + "]";
        return List.of(new Fix("Transpose the " + what + " to " + n + " x " + m, literal.span(), text));
    }
}
