package nnet.emit;

import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import nnet.runtime.CompiledNetwork;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * The contractions of a tile in plain Java, over tile rows {@code [feature][lane]}: each present
 * connection adds a weight times a row of one side into a row of the other,
 * {@code acc[s] += w * row[s]} over the lanes, the same index on both sides (C2 vectorizes it).
 * Rank-2 inputs repeat the contraction for each outer row r: rows {@code r n + i} and {@code r m + j}.
 * These run when the Vector API is not in the JVM; {@link VectorClass} has the register-blocked
 * forms, which the method calls first when it is.
 */
final class ContractionTiles {
    private static final int LANES = Tiling.SIZE;

    private final MethodBuilder m;
    private final int r, s;

    ContractionTiles(MethodBuilder m) {
        this.m = m;
        this.r = m.local("r", Type.INT_TYPE);
        this.s = m.local("s", Type.INT_TYPE);
    }

    private int rows(Buffer b) {
        return m.fieldToLocal(Fields.tileRows(b));
    }

    private int field(Fields.Field f) {
        return m.fieldToLocal(f);
    }

    private int index(Param sparse, Fields.Index which) {
        return m.fieldToLocal(Fields.index(sparse, which));
    }

    /**
     * {@code z[j] = sum over unit j's present inputs i of W[i][j] x[i]}; a dense one sample-major
     * ({@code zs[s][j] += x[i][s] W[i][j]}, an axpy over the units per input and lane), then transposed.
     */
    void linear(Kernel.Linear l) {
        int x = rows(l.in()), z = rows(l.out());
        int j = m.local("j", Type.INT_TYPE), zr = m.local("zRow", Fields.FLOATS), xr = m.local("xRow", Fields.FLOATS), w = m.local("w", Type.FLOAT_TYPE);
        Param p = l.kernel();
        switch (l.path()) {
            case ROWS -> { // sample-major: per lane, four rows of weights added into the lane's row of units at once
                int weights = field(Fields.values(p)), zs = field(Fields.sampleMajor(p)), i = m.local("i", Type.INT_TYPE),
                        wRow = m.local("wRow", Fields.FLOATS), a1 = m.local("a", Type.FLOAT_TYPE);
                int[] a = locals("a", Type.FLOAT_TYPE), wq = locals("wRow", Fields.FLOATS);
                int full = l.n() - l.n() % FOUR;
                overOuterRows(l.outer(), () -> {
                    m.forLoop(s, 0, LANES, () -> {
                        m.rowOf(zs, m.value(s), zr);
                        m.zero(zr);
                        m.forLoop(i, 0, full, FOUR, () -> {
                            for (int q = 0; q < FOUR; q++) {
                                m.set(a[q], m.elementOf(x, row(l.n(), m.at(i, q)), m.value(s)));
                                m.rowOf(weights, m.at(i, q), wq[q]);
                            }
                            axpyOfFour(zr, a, wq, j, l.m());
                        });
                        m.forLoop(i, full, l.n(), () -> {
                            m.set(a1, m.elementOf(x, row(l.n(), m.value(i)), m.value(s)));
                            m.rowOf(weights, m.value(i), wRow);
                            m.forLoop(j, 0, l.m(), () -> m.addToElement(zr, m.value(j), m.product(m.value(a1), m.elementOf(wRow, j))));
                        });
                    });
                    m.forLoop(j, 0, l.m(), () -> { // z[r m + j][s] = zs[s][j]
                        m.rowOf(z, row(l.m(), m.value(j)), zr);
                        m.forLoop(s, 0, LANES, () -> m.storeElement(zr, m.value(s), m.elementOf(zs, m.value(s), m.value(j))));
                    });
                });
            }
            case CSR -> {
                int values = field(Fields.values(p)), start = index(p, Fields.Index.COL_START), input = index(p, Fields.Index.ROW_INDEX),
                        k = m.local("k", Type.INT_TYPE);
                overOuterRows(l.outer(), () -> m.forLoop(j, 0, l.m(), () -> {
                    zeroRow(z, l.m(), m.value(j), zr);
                    m.forLoop(k, m.elementOf(start, j), m.elementOf(start, m.at(j, 1)), () -> {
                        m.set(w, m.elementOf(values, k));
                        m.rowOf(x, row(l.n(), m.elementOf(input, k)), xr);
                        axpy(zr, w, xr);
                    });
                }));
            }
            case UNROLLED -> overOuterRows(l.outer(), () -> unrolled(p, x, z, l.n(), l.m(), false));
        }
    }

    /** {@code dx[i] = sum over input i's present units j of W[i][j] dz[j]}. */
    void linearTransposed(Kernel.LinearT l) {
        int dz = rows(l.in()), dx = rows(l.out());
        int i = m.local("i", Type.INT_TYPE), xr = m.local("dxRow", Fields.FLOATS), zr = m.local("dzRow", Fields.FLOATS), w = m.local("w", Type.FLOAT_TYPE);
        Param p = l.kernel();
        switch (l.path()) {
            case ROWS -> { // four units at a time: each row of dx read and written once for them
                int weights = field(Fields.values(p)), wRow = m.local("wRow", Fields.FLOATS), j = m.local("j", Type.INT_TYPE);
                int[] a = locals("a", Type.FLOAT_TYPE), dzq = locals("dzRow", Fields.FLOATS);
                int full = l.m() - l.m() % FOUR;
                overOuterRows(l.outer(), () -> m.forLoop(i, 0, l.n(), () -> {
                    zeroRow(dx, l.n(), m.value(i), xr);
                    m.rowOf(weights, m.value(i), wRow);
                    m.forLoop(j, 0, full, FOUR, () -> {
                        for (int q = 0; q < FOUR; q++) {
                            m.set(a[q], m.elementOf(wRow, m.at(j, q)));
                            m.rowOf(dz, row(l.m(), m.at(j, q)), dzq[q]);
                        }
                        axpyOfFour(xr, a, dzq, s, LANES);
                    });
                    m.forLoop(j, full, l.m(), () -> {
                        m.set(w, m.elementOf(wRow, j));
                        m.rowOf(dz, row(l.m(), m.value(j)), zr);
                        axpy(xr, w, zr);
                    });
                }));
            }
            case CSR -> {
                int values = field(Fields.values(p)), start = index(p, Fields.Index.START), unit = index(p, Fields.Index.COL),
                        position = index(p, Fields.Index.POSITION), k = m.local("k", Type.INT_TYPE);
                overOuterRows(l.outer(), () -> m.forLoop(i, 0, l.n(), () -> {
                    zeroRow(dx, l.n(), m.value(i), xr);
                    m.forLoop(k, m.elementOf(start, i), m.elementOf(start, m.at(i, 1)), () -> {
                        m.set(w, m.elementOf(values, m.elementOf(position, k)));
                        m.rowOf(dz, row(l.m(), m.elementOf(unit, k)), zr);
                        axpy(xr, w, zr);
                    });
                }));
            }
            case UNROLLED -> overOuterRows(l.outer(), () -> unrolled(p, dz, dx, l.m(), l.n(), true));
        }
    }

    /**
     * The weight gradient, added into gradient storage. Rows: dz is copied sample-major first
     * ({@code dzT[s][j]}, its rows padded like the weight rows), so each gradient row takes
     * {@code g[j] += x[i][s] dzT[s][j]}, an axpy over units. CSR: per present connection, the sum
     * over lanes of {@code x[i][s] dz[j][s]}.
     */
    void weightGrad(Kernel.WeightGrad wg) {
        int x = rows(wg.x()), dz = rows(wg.dz());
        int i = m.local("i", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE), xr = m.local("xRow", Fields.FLOATS), zr = m.local("dzRow", Fields.FLOATS),
                a = m.local("a", Type.FLOAT_TYPE);
        Param p = wg.kernel();
        if (wg.path() == Kernel.LinearPath.ROWS) { // four lanes at a time: each gradient row read and written once for them
            int grad = field(Fields.gradient(p)), dzT = field(Fields.sampleMajor(p)), gRow = m.local("gRow", Fields.FLOATS);
            int[] aq = locals("a", Type.FLOAT_TYPE), dq = locals("dzRow", Fields.FLOATS);
            int width = CompiledNetwork.paddedRow(wg.m());
            overOuterRows(wg.outer(), () -> {
                transposeToSampleMajor(dz, dzT, wg.m(), j, zr);
                m.forLoop(i, 0, wg.n(), () -> {
                    m.rowOf(grad, m.value(i), gRow);
                    m.rowOf(x, row(wg.n(), m.value(i)), xr);
                    m.forLoop(s, 0, LANES, FOUR, () -> {
                        for (int q = 0; q < FOUR; q++) {
                            m.set(aq[q], m.elementOf(xr, m.at(s, q)));
                            m.rowOf(dzT, m.at(s, q), dq[q]);
                        }
                        axpyOfFour(gRow, aq, dq, j, width);
                    });
                });
            });
            return;
        }
        int grad = field(Fields.gradient(p)), start = index(p, Fields.Index.START), unit = index(p, Fields.Index.COL),
                position = index(p, Fields.Index.POSITION), k = m.local("k", Type.INT_TYPE);
        overOuterRows(wg.outer(), () -> m.forLoop(i, 0, wg.n(), () -> {
            m.rowOf(x, row(wg.n(), m.value(i)), xr);
            m.forLoop(k, m.elementOf(start, i), m.elementOf(start, m.at(i, 1)), () -> {
                m.rowOf(dz, row(wg.m(), m.elementOf(unit, k)), zr);
                m.set(a, () -> m.push(0f));
                m.forLoop(s, 0, LANES, () -> m.set(a, m.add(m.value(a), m.product(m.elementOf(xr, s), m.elementOf(zr, s)))));
                m.addToElement(grad, m.elementOf(position, k), m.value(a));
            });
        }));
    }

    /**
     * {@code if (setsGradients) G = 0}: this form adds to the gradient, which for a gradient set by tiles
     * ({@link Tiling#gradientsSetByTiles}) the runtime did not zero before a batch's first tile.
     */
    void zeroGradientIfSet(Param p) {
        Label added = new Label();
        m.getField(Fields.SETS_GRADIENTS);
        m.ifZCmp(GeneratorAdapter.EQ, added);
        int grad = field(Fields.gradient(p)), i = m.local("i", Type.INT_TYPE), row = m.local("gRow", Fields.FLOATS);
        m.forLoop(i, 0, p.shape().dim(0), () -> {
            m.rowOf(grad, m.value(i), row);
            m.zero(row);
        });
        m.mark(added);
    }

    /** {@code dzT[s][j] = dz[r m + j][s]} for the units of outer row r. */
    void transposeToSampleMajor(int dz, int dzT, int units, int j, int zr) {
        m.forLoop(j, 0, units, () -> {
            m.rowOf(dz, row(units, m.value(j)), zr);
            m.forLoop(s, 0, LANES, () -> {
                m.elementOf(dzT, s).emit();
                m.loadLocal(j);
                m.elementOf(zr, s).emit();
                m.arrayStore(Type.FLOAT_TYPE);
            });
        });
    }

    /** {@code out[o] = sum of the constants times in[q]} per lane, for a fixed kernel folded into code; {@code transposed} for its input gradient. */
    private void unrolled(Param p, int in, int out, int nIn, int nOut, boolean transposed) {
        int cols = p.shape().dim(1);
        for (int o = 0; o < nOut; o++) {
            int unit = o;
            m.forLoop(s, 0, LANES, () -> {
                m.elementOf(out, row(nOut, m.constant(unit))).emit();
                m.loadLocal(s);
                m.foldedSum(nIn, q -> {
                    int i = transposed ? unit : q, j = transposed ? q : unit;
                    return p.has(i, j) ? p.fixed()[i * cols + j] : 0f;
                }, q -> m.elementOf(in, row(nIn, m.constant(q)), m.value(s)));
                m.arrayStore(Type.FLOAT_TYPE);
            });
        }
    }

    /** {@code for r < outer: body}, or body once with r = 0. */
    private void overOuterRows(int outer, MethodBuilder.Body body) {
        m.forLoop(r, 0, outer, body);
    }

    /** Pushes {@code r * size + index}: the tile row of element {@code index} of outer row r. */
    private MethodBuilder.Body row(int size, MethodBuilder.Body index) {
        return m.sum(m.scaled(r, size, 0), index);
    }

    /** {@code target = rows[r * size + index]; Arrays.fill(target, 0)}. */
    private void zeroRow(int rows, int size, MethodBuilder.Body index, int target) {
        m.rowOf(rows, row(size, index), target);
        m.zero(target);
    }

    /** Rows taken four at a time: one load of the row they share serves four multiply-adds. */
    private static final int FOUR = 4;

    private int[] locals(String name, Type type) {
        int[] out = new int[FOUR];
        for (int q = 0; q < FOUR; q++) out[q] = m.local(name + q, type);
        return out;
    }

    /**
     * {@code for k < extent: target[k] += a[0] source[0][k] + ... + a[3] source[3][k]}: one store per four
     * multiply-adds, into the one array the loop writes (C2 vectorizes it).
     */
    private void axpyOfFour(int target, int[] a, int[] sources, int k, int extent) {
        m.forLoop(k, 0, extent, () -> m.addToElement(target, m.value(k), () -> {
            for (int q = 0; q < FOUR; q++) {
                m.product(m.value(a[q]), m.elementOf(sources[q], k)).emit();
                if (q > 0) m.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
            }
        }));
    }

    /** {@code for s: acc[s] += w * row[s]}. */
    private void axpy(int acc, int w, int row) {
        m.forLoop(s, 0, LANES, () -> m.addToElement(acc, m.value(s), m.product(m.value(w), m.elementOf(row, s))));
    }
}
