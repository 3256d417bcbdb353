package nnet.check;

import java.util.function.Function;
import nnet.ast.Ast;
import nnet.diag.DiagCode;

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

    static String dims(float[][] m) {
        return m.length + " x " + m[0].length;
    }
}
