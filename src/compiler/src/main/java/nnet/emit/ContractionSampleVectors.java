package nnet.emit;

import java.util.ArrayList;
import java.util.List;
import nnet.ir.Param;
import nnet.lower.Kernel;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * One sample's dense contractions with the Vector API (a batch of fewer than four samples, and the
 * steps of an lstm at such a batch, run sample by sample): vectors of units instead of lanes of a
 * tile. The plain per-sample loops ({@link ContractionSamples}) index two flat arrays at different
 * offsets, which C2 does not vectorize; here
 * <ul>
 * <li>forward {@code z[zo + j] = sum_i x[xo + i] W[i][j]}: 4 rows of W at a time, their inputs
 *     broadcast, added into z (in L1) a vector at a time, so W streams through once in memory order;
 * <li>input gradient {@code dx[xo + i] = sum_j W[i][j] dz[zo + j]}: 4 rows' dot products at a time in
 *     vector accumulators, summed across lanes at the end (rows a relu will zero are computed, then
 *     zeroed: the same values);
 * <li>weight gradient {@code grad[i][j] += sum_r x[r, i] dz[r, j]}: a vector axpy per row and outer
 *     row whose input is not 0, the outer rows innermost so a row of the gradient stays in L1; over
 *     four outer rows or more (a sequence's steps), blocks of 4 rows x 2 vectors of the gradient held in
 *     registers while every outer row is added in, so the gradient is read and written once.
 * </ul>
 * Each micro-kernel is a method with one loop and its vectors in locals (FACTS.md: otherwise the
 * JIT boxes them); the drivers are scalar loops over rows and blocks that call them.
 */
final class ContractionSampleVectors {
    private static final Type F1 = Fields.FLOATS, F2 = Fields.ROWS, INT = Type.INT_TYPE;
    /** Vectors of units per forward call, rows per input-gradient call. */
    private static final int WIDE = 4;

    private final ClassBuilder c;
    private final SparseRunVectors runs;

    ContractionSampleVectors(ClassBuilder c) {
        this.c = c;
        this.runs = new SparseRunVectors(c);
    }

    /**
     * The arguments of a contraction's one-sample vector form, or null when it has none: fixed kernels,
     * and sparse ones whose units are not mostly runs of inputs ({@link SparseRunVectors}), keep their loops.
     */
    static List<Fields.Field> arguments(Kernel k) {
        Param sparse = sparseKernel(k);
        if (sparse != null) return SparseRunVectors.applies(sparse) ? SparseRunVectors.arguments(k) : null;
        List<Fields.Field> a = new ArrayList<>();
        if (k instanceof Kernel.Linear l && l.path() == Kernel.LinearPath.ROWS) {
            a.add(Fields.buffer(l.in()));
            a.add(Fields.buffer(l.out()));
            a.add(Fields.values(l.kernel()));
        } else if (k instanceof Kernel.LinearT l && l.path() == Kernel.LinearPath.ROWS) {
            a.add(Fields.buffer(l.in()));
            a.add(Fields.buffer(l.out()));
            a.add(Fields.values(l.kernel()));
            if (l.activeIf() != null) a.add(Fields.buffer(l.activeIf()));
        } else if (k instanceof Kernel.WeightGrad w && w.path() == Kernel.LinearPath.ROWS) {
            a.add(Fields.buffer(w.x()));
            a.add(Fields.buffer(w.dz()));
            a.add(Fields.gradient(w.kernel()));
        } else return null;
        return a;
    }

    /** A contraction's kernel when it takes the sparse path, else null. */
    private static Param sparseKernel(Kernel k) {
        if (k instanceof Kernel.Linear l && l.path() == Kernel.LinearPath.CSR) return l.kernel();
        if (k instanceof Kernel.LinearT l && l.path() == Kernel.LinearPath.CSR) return l.kernel();
        if (k instanceof Kernel.WeightGrad w && w.path() == Kernel.LinearPath.CSR) return w.kernel();
        return null;
    }

    /** The driver's body, the arguments of {@link #arguments} in locals {@code a}. */
    void emit(Kernel k, MethodBuilder m, int[] a) {
        if (sparseKernel(k) != null) {
            runs.emit(k, m, a);
            return;
        }
        int r = m.local("r", INT), xo = m.local("xOffset", INT), zo = m.local("zOffset", INT);
        if (k instanceof Kernel.Linear l) overRows(m, r, xo, zo, l.outer(), l.n(), l.m(), () -> forward(m, a[0], xo, a[2], a[1], zo, l.n(), l.m()));
        else if (k instanceof Kernel.LinearT l)
            overRows(m, r, xo, zo, l.outer(), l.n(), l.m(), () -> inputGradient(m, a[0], zo, a[2], a[1], xo, l.n(), l.m(), l.activeIf() == null ? -1 : a[3]));
        else {
            Kernel.WeightGrad w = (Kernel.WeightGrad) k;
            if (w.outer() >= WIDE) blockedWeightGradient(m, a[0], a[1], a[2], w.outer(), w.n(), w.m());
            else weightGradient(m, a[0], a[1], a[2], w.outer(), w.n(), w.m());
        }
    }

    /** {@code for r < outer: xo = r n; zo = r m; body}. */
    private static void overRows(MethodBuilder m, int r, int xo, int zo, int outer, int n, int units, MethodBuilder.Body body) {
        m.forLoop(r, 0, outer, () -> {
            m.set(xo, m.scaled(r, n, 0));
            m.set(zo, m.scaled(r, units, 0));
            body.emit();
        });
    }

    /** Pushes {@code c V}. */
    private MethodBuilder.Body vectors(MethodBuilder m, int c) {
        return () -> {
            m.getStatic(Fields.LENGTH);
            if (c != 1) {
                m.push(c);
                m.math(GeneratorAdapter.MUL, INT);
            }
        };
    }

    // ---- forward

    /** z = 0, then 4 rows of W at a time added into it, streamed in order (the row-major weights are read once, sequentially). */
    private void forward(MethodBuilder m, int x, int xo, int w, int z, int zo, int n, int units) {
        int i = m.local("i", INT);
        m.loadLocal(z);
        m.loadLocal(zo);
        m.sum(m.value(zo), m.constant(units)).emit();
        m.push(0f);
        m.invoke(Call.FILL_RANGE);
        m.set(i, m.constant(0));
        for (int rows : new int[] {WIDE, 1}) {
            Method block = forwardRows(rows);
            m.forLoop(i, m.value(i), m.constant(n - rows + 1), rows, () -> {
                for (int arg : new int[] {x, xo, w, i, z, zo}) m.loadLocal(arg);
                m.push(units);
                m.invokeStatic(m.owner(), block);
            });
        }
    }

    /** {@code z[zo + j] += sum over u < rows of x[xo + i + u] W[i + u][j]} for j below m. */
    private Method forwardRows(int rows) {
        Method method = new Method("sampleForward" + rows, "([FI[[FI[FII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int x = m.argument("x", F1), xo = m.argument("xOffset", INT), w = m.argument("w", F2), i = m.argument("i", INT);
        int z = m.argument("z", F1), zo = m.argument("zOffset", INT), units = m.argument("m", INT);
        VectorOps v = new VectorOps(m);
        int[] row = new int[rows], a = new int[rows], scalar = new int[rows];
        for (int u = 0; u < rows; u++) {
            row[u] = m.local("row" + u, F1);
            m.rowOf(w, m.at(i, u), row[u]);
            scalar[u] = m.local("x" + u, Type.FLOAT_TYPE);
            m.set(scalar[u], m.elementOf(x, m.sum(m.value(xo), m.at(i, u))));
            a[u] = v.local("a" + u, v.broadcast(m.value(scalar[u])));
        }
        int j = m.local("j", INT), whole = wholeVectors(m, units), acc = v.newLocal("z");
        m.forLoopBy(j, m.constant(0), m.value(whole), vectors(m, 1), () -> {
            v.set(acc, v.load(z, m.sum(m.value(zo), m.value(j))));
            for (int u = 0; u < rows; u++) v.set(acc, v.fma(a[u], v.load(row[u], m.value(j)), acc));
            v.store(acc, z, m.sum(m.value(zo), m.value(j)));
        });
        m.forLoop(j, m.value(whole), m.value(units), () -> m.addToElement(z, m.sum(m.value(zo), m.value(j)), () -> {
            for (int u = 0; u < rows; u++) {
                m.loadLocal(scalar[u]);
                m.elementOf(row[u], j).emit();
                m.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                if (u > 0) m.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
            }
        }));
        m.end();
        return method;
    }

    /** A local holding {@code m - m % V}: the units in whole vectors. */
    static int wholeVectors(MethodBuilder m, int units) {
        int whole = m.local("whole", INT);
        m.set(whole, () -> {
            m.loadLocal(units);
            m.loadLocal(units);
            m.getStatic(Fields.LENGTH);
            m.math(GeneratorAdapter.REM, INT);
            m.math(GeneratorAdapter.SUB, INT);
        });
        return whole;
    }

    // ---- input gradient

    private void inputGradient(MethodBuilder m, int dz, int zo, int w, int dx, int xo, int n, int units, int active) {
        int i = m.local("i", INT);
        m.set(i, m.constant(0));
        for (int rows : new int[] {WIDE, 1}) {
            Method block = inputGradientBlock(rows);
            m.forLoop(i, m.value(i), m.constant(n - rows + 1), rows, () -> {
                for (int arg : new int[] {dz, zo, w}) m.loadLocal(arg);
                m.push(units);
                for (int arg : new int[] {dx, xo, i}) m.loadLocal(arg);
                m.invokeStatic(m.owner(), block);
            });
        }
        if (active < 0) return;
        m.forLoop(i, 0, n, () -> { // rows a relu zeroes next: 0, as the plain form leaves them
            Label keep = new Label();
            m.elementOf(active, m.sum(m.value(xo), m.value(i))).emit();
            m.push(0f);
            m.ifCmp(Type.FLOAT_TYPE, GeneratorAdapter.GT, keep);
            m.storeElement(dx, m.sum(m.value(xo), m.value(i)), () -> m.push(0f));
            m.mark(keep);
        });
    }

    /** {@code dx[xo + i + u] = sum over j < m of W[i + u][j] dz[zo + j]} for u below {@code rows}. */
    private Method inputGradientBlock(int rows) {
        Method method = new Method("sampleInputGradient" + rows, "([FI[[FI[FII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int dz = m.argument("dz", F1), zo = m.argument("zOffset", INT), w = m.argument("w", F2), units = m.argument("m", INT);
        int dx = m.argument("dx", F1), xo = m.argument("xOffset", INT), i = m.argument("i", INT);
        VectorOps v = new VectorOps(m);
        int[] row = new int[rows], acc = new int[rows], sum = new int[rows];
        for (int u = 0; u < rows; u++) {
            row[u] = m.local("row" + u, F1);
            m.rowOf(w, m.at(i, u), row[u]);
            acc[u] = v.local("acc" + u, v.zero());
        }
        int j = m.local("j", INT), whole = wholeVectors(m, units), d = v.newLocal("dz");
        m.forLoopBy(j, m.constant(0), m.value(whole), vectors(m, 1), () -> {
            v.set(d, v.load(dz, m.sum(m.value(zo), m.value(j))));
            for (int u = 0; u < rows; u++) v.set(acc[u], v.fma(d, v.load(row[u], m.value(j)), acc[u]));
        });
        for (int u = 0; u < rows; u++) {
            sum[u] = m.local("sum" + u, Type.FLOAT_TYPE);
            m.set(sum[u], v.sumOfLanes(acc[u]));
        }
        m.forLoop(j, m.value(whole), m.value(units), () -> {
            for (int u = 0; u < rows; u++) {
                int uu = u;
                m.set(sum[u], () -> {
                    m.loadLocal(sum[uu]);
                    m.elementOf(row[uu], j).emit();
                    m.elementOf(dz, m.sum(m.value(zo), m.value(j))).emit();
                    m.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                    m.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                });
            }
        });
        for (int u = 0; u < rows; u++) m.storeElement(dx, m.sum(m.value(xo), m.at(i, u)), m.value(sum[u]));
        m.end();
        return method;
    }

    // ---- weight gradient

    /** Row by row of the gradient, every outer row's contribution while it is in L1: {@code grad[i] += x[r, i] dz[r]} where x[r, i] is not 0. */
    private void weightGradient(MethodBuilder m, int x, int dz, int grad, int outer, int n, int units) {
        int i = m.local("i", INT), r = m.local("row", INT), a = m.local("a", Type.FLOAT_TYPE), gradRow = m.local("gradRow", F1);
        Method axpy = axpy();
        m.forLoop(i, 0, n, () -> {
            m.rowOf(grad, m.value(i), gradRow);
            m.forLoop(r, 0, outer, () -> {
                Label skip = new Label();
                m.set(a, m.elementOf(x, m.sum(m.scaled(r, n, 0), m.value(i))));
                m.loadLocal(a);
                m.push(0f);
                m.ifCmp(Type.FLOAT_TYPE, GeneratorAdapter.EQ, skip); // an input of 0 adds nothing (common after relu)
                m.loadLocal(a);
                m.loadLocal(dz);
                m.scaled(r, units, 0).emit();
                m.loadLocal(gradRow);
                m.push(units);
                m.invokeStatic(m.owner(), axpy);
                m.mark(skip);
            });
        });
    }

    /**
     * Over many outer rows (an lstm's recurrent kernel over its steps): blocks of 4 gradient rows x 2
     * vectors of units, each summed over every outer row in vector registers, so the gradient is read
     * and written once instead of once per outer row; units past the last whole vector in scalar loops.
     */
    private void blockedWeightGradient(MethodBuilder m, int x, int dz, int grad, int outer, int n, int units) {
        int i = m.local("i", INT), j = m.local("j", INT), r = m.local("row", INT), gradRow = m.local("gradRow", F1);
        int unitsLocal = m.local("m", INT);
        m.set(unitsLocal, m.constant(units));
        int whole = wholeVectors(m, unitsLocal), pairs = m.local("pairs", INT);
        m.set(pairs, () -> { // whole - whole % 2V
            m.loadLocal(whole);
            m.loadLocal(whole);
            vectors(m, 2).emit();
            m.math(GeneratorAdapter.REM, INT);
            m.math(GeneratorAdapter.SUB, INT);
        });
        m.set(i, m.constant(0));
        for (int rows : new int[] {WIDE, 1}) {
            Method two = weightRows(rows, 2), one = weightRows(rows, 1);
            m.forLoop(i, m.value(i), m.constant(n - rows + 1), rows, () -> {
                for (Method block : new Method[] {two, one})
                    m.forLoopBy(j, block == two ? m.constant(0) : m.value(pairs), block == two ? m.value(pairs) : m.value(whole), vectors(m, block == two ? 2 : 1), () -> {
                        for (int arg : new int[] {x, dz, grad, i, j}) m.loadLocal(arg);
                        for (int k : new int[] {outer, n, units}) m.push(k);
                        m.invokeStatic(m.owner(), block);
                    });
                for (int u = 0; u < rows; u++) {
                    int uu = u;
                    m.rowOf(grad, m.at(i, u), gradRow);
                    m.forLoop(j, m.value(whole), m.constant(units), () -> m.forLoop(r, 0, outer, () -> m.addToElement(gradRow, m.value(j),
                            m.product(m.elementOf(x, m.sum(m.scaled(r, n, uu), m.value(i))), m.elementOf(dz, m.sum(m.scaled(r, units, 0), m.value(j)))))));
                }
            });
        }
    }

    /** {@code grad[i + u][j0 + c V ..] += sum over r < outer of x[r n + i + u] dz[r m + j0 + c V ..]} for u below {@code rows}, c below {@code vectors}. */
    private Method weightRows(int rows, int vectors) {
        Method method = new Method("sampleWeightGradient" + rows + "x" + vectors, "([F[F[[FIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int x = m.argument("x", F1), dz = m.argument("dz", F1), grad = m.argument("grad", F2), i = m.argument("i", INT), j0 = m.argument("j0", INT);
        int outer = m.argument("outer", INT), n = m.argument("n", INT), units = m.argument("m", INT);
        VectorOps v = new VectorOps(m);
        int[] gRows = new int[rows];
        int[][] acc = new int[rows][vectors];
        for (int u = 0; u < rows; u++) {
            gRows[u] = m.local("g" + u, F1);
            m.rowOf(grad, m.at(i, u), gRows[u]);
            for (int c = 0; c < vectors; c++) acc[u][c] = v.local("acc" + u + "_" + c, v.load(gRows[u], v.lane(j0, c)));
        }
        int r = m.local("r", INT), xo = m.local("xOffset", INT), zo = m.local("zOffset", INT), b = v.newLocal("b");
        int[] d = new int[vectors];
        for (int c = 0; c < vectors; c++) d[c] = v.newLocal("dz" + c);
        m.set(xo, m.value(i));
        m.set(zo, m.value(j0));
        m.forLoop(r, m.constant(0), m.value(outer), () -> {
            for (int c = 0; c < vectors; c++) v.set(d[c], v.load(dz, v.lane(zo, c)));
            for (int u = 0; u < rows; u++) {
                v.set(b, v.broadcast(m.elementOf(x, m.at(xo, u))));
                for (int c = 0; c < vectors; c++) v.set(acc[u][c], v.fma(b, d[c], acc[u][c]));
            }
            m.set(xo, m.sum(m.value(xo), m.value(n)));
            m.set(zo, m.sum(m.value(zo), m.value(units)));
        });
        for (int u = 0; u < rows; u++) for (int c = 0; c < vectors; c++) v.store(acc[u][c], gRows[u], v.lane(j0, c));
        m.end();
        return method;
    }

    /** {@code row[j] += a dz[zo + j]} for j below m. */
    private Method axpy() {
        Method method = new Method("sampleAxpy", "(F[FI[FI)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int a = m.argument("a", Type.FLOAT_TYPE), dz = m.argument("dz", F1), zo = m.argument("zOffset", INT), row = m.argument("row", F1), units = m.argument("m", INT);
        VectorOps v = new VectorOps(m);
        int av = v.local("a", v.broadcast(m.value(a)));
        int j = m.local("j", INT), whole = wholeVectors(m, units), gv = v.newLocal("grad");
        m.forLoopBy(j, m.constant(0), m.value(whole), vectors(m, 1), () -> {
            v.set(gv, v.load(row, m.value(j)));
            v.store(v.fma(av, v.load(dz, m.sum(m.value(zo), m.value(j))), gv), row, m.value(j));
        });
        m.forLoop(j, m.value(whole), m.value(units), () -> m.addToElement(row, m.value(j), () -> {
            m.loadLocal(a);
            m.elementOf(dz, m.sum(m.value(zo), m.value(j))).emit();
            m.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
        }));
        m.end();
        return method;
    }
}
