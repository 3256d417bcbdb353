package nnet.emit;

import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * The contractions of one sample (forward, input gradient, weight gradient) on each code path: rows
 * of a dense kernel (axpy over units), the present connections of a sparse one (its row index), or
 * a small fixed one folded into constants. Rank-2 inputs repeat the contraction per outer row.
 */
final class ContractionSamples {
    private final MethodBuilder m;

    ContractionSamples(MethodBuilder m) {
        this.m = m;
    }

    private int buffer(Buffer b) {
        return m.fieldToLocal(Fields.buffer(b));
    }

    // ---- dense contraction

    void linear(Kernel.Linear l) {
        int x = buffer(l.in()), z = buffer(l.out());
        int xo = m.local("xOffset", Type.INT_TYPE), zo = m.local("zOffset", Type.INT_TYPE);
        MethodBuilder.Body body = switch (l.path()) {
            case ROWS -> rowsBody(l, x, z, xo, zo);
            case CSR -> csrBody(l, x, z, xo, zo);
            case UNROLLED -> unrolledBody(l, x, z, xo, zo);
        };
        overRows(l.outer(), l.n(), l.m(), xo, zo, body);
    }

    /**
     * Runs {@code body} for each of {@code outer} rows with {@code nOffset = r * n} and
     * {@code mOffset = r * m}: the row offsets into the [.., n] and [.., m] sides of a contraction.
     */
    private void overRows(int outer, int n, int units, int nOffset, int mOffset, MethodBuilder.Body body) {
        if (outer == 1) { // one row: no loop around it, offsets 0
            m.set(nOffset, m.constant(0));
            m.set(mOffset, m.constant(0));
            body.emit();
            return;
        }
        int r = m.local("r", Type.INT_TYPE);
        m.forLoop(r, 0, outer, () -> {
            m.set(nOffset, m.scaled(r, n, 0));
            m.set(mOffset, m.scaled(r, units, 0));
            body.emit();
        });
    }

    /** {@code Arrays.fill(z, zo, zo + m, 0)}: a contraction accumulates into a zeroed row. */
    private void zeroRow(int z, int zo, int units) {
        m.call(Call.FILL_RANGE, m.value(z), m.value(zo), m.sum(m.value(zo), m.constant(units)), m.constant(0f)).emit();
    }

    /**
     * {@code a = x[xo + i]}; with a {@code skip} label, jumps there when a is 0 (common after relu):
     * the row would add nothing. Only worth it for long rows: on a sparse row of a few entries a
     * mispredicted branch costs more than the multiplications it saves.
     */
    private void loadInputSkipZero(int x, int xo, int i, int a, Label skip) {
        m.set(a, m.elementOf(x, m.sum(m.value(xo), m.value(i))));
        if (skip == null) return;
        m.loadLocal(a);
        m.push(0f);
        m.ifCmp(Type.FLOAT_TYPE, GeneratorAdapter.EQ, skip);
    }

    /** for i: a = x[i]; row = W[i]; for j: z[zo + j] += a * row[j] — the axpy form C2 vectorizes. */
    private MethodBuilder.Body rowsBody(Kernel.Linear l, int x, int z, int xo, int zo) {
        int w = m.fieldToLocal(Fields.values(l.kernel()));
        int i = m.local("i", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE), a = m.local("a", Type.FLOAT_TYPE);
        int row = m.local("row", Fields.FLOATS);
        return () -> {
            zeroRow(z, zo, l.m());
            m.forLoop(i, 0, l.n(), () -> {
                Label skip = new Label();
                loadInputSkipZero(x, xo, i, a, skip);
                m.rowOf(w, m.value(i), row);
                m.forLoop(j, 0, l.m(), () -> accumulate(z, zo, a, () -> m.loadLocal(j), row, j));
                m.mark(skip);
            });
        };
    }

    /**
     * Unit by unit over its present connections (values are stored by unit, rowIndex their inputs):
     * z[zo + j] = sum over k of w[k] x[xo + rowIndex[k]], in four partial sums so that the adds
     * do not wait for each other (one running sum waited 4 cycles per connection).
     */
    private MethodBuilder.Body csrBody(Kernel.Linear l, int x, int z, int xo, int zo) {
        Param kernel = l.kernel();
        int w = m.fieldToLocal(Fields.values(kernel));
        int start = m.fieldToLocal(Fields.index(kernel, Fields.Index.COL_START)), input = m.fieldToLocal(Fields.index(kernel, Fields.Index.ROW_INDEX));
        int j = m.local("j", Type.INT_TYPE), k = m.local("k", Type.INT_TYPE), end = m.local("end", Type.INT_TYPE);
        int[] sum = new int[4];
        for (int p = 0; p < sum.length; p++) sum[p] = m.local("sum" + p, Type.FLOAT_TYPE);
        return () -> m.forLoop(j, 0, l.m(), () -> {
            m.set(k, m.elementOf(start, m.value(j)));
            m.set(end, m.elementOf(start, m.sum(m.value(j), m.constant(1))));
            for (int s : sum) m.set(s, () -> m.push(0f));
            m.forLoop(k, m.value(k), m.sum(m.value(end), m.constant(-(sum.length - 1))), sum.length, () -> {
                for (int p = 0; p < sum.length; p++) addProduct(sum[p], w, x, xo, input, m.at(k, p));
            });
            m.forLoop(k, m.value(k), m.value(end), () -> addProduct(sum[0], w, x, xo, input, m.value(k)));
            m.storeElement(z, m.sum(m.value(zo), m.value(j)), m.add(m.add(m.value(sum[0]), m.value(sum[1])), m.add(m.value(sum[2]), m.value(sum[3]))));
        });
    }

    /** {@code sum += values[k] x[xo + input[k]]}. */
    private void addProduct(int sum, int values, int x, int xo, int input, MethodBuilder.Body k) {
        m.set(sum, m.add(m.value(sum), m.product(m.elementOf(values, k), m.elementOf(x, m.sum(m.value(xo), m.elementOf(input, k))))));
    }

    /** {@code z[zo + unit] += a * weights[k]}: the one update both contraction paths make per connection. */
    private void accumulate(int z, int zo, int a, MethodBuilder.Body unit, int weights, int k) {
        accumulate(z, zo, a, unit, weights, () -> m.loadLocal(k));
    }

    /** {@code z[zo + unit] += a * weights[index]}. */
    private void accumulate(int z, int zo, int a, MethodBuilder.Body unit, int weights, MethodBuilder.Body index) {
        m.addToElement(z, m.sum(m.value(zo), unit), m.product(m.value(a), m.elementOf(weights, index)));
    }

    /** Fixed weights as constants: z[zo + j] = x[xo + i1] * w1 + x[xo + i2] * w2 + ...; zeros and absent connections vanish. */
    private MethodBuilder.Body unrolledBody(Kernel.Linear l, int x, int z, int xo, int zo) {
        Param p = l.kernel();
        return () -> {
            for (int j = 0; j < l.m(); j++) {
                int unit = j;
                m.storeElement(z, m.sum(m.value(zo), m.constant(unit)),
                        () -> m.foldedSum(l.n(), i -> p.has(i, unit) ? p.fixed()[i * l.m() + unit] : 0f, i -> m.elementOf(x, m.sum(m.value(xo), m.constant(i)))));
            }
        };
    }

    // ---- contractions of the backward pass

    /** The input gradient: dx[xo + i] = sum over row i's connections of W[i, j] * dz[zo + j]. */
    void linearTransposed(Kernel.LinearT l) {
        int dz = buffer(l.in()), dx = buffer(l.out());
        int xo = m.local("xOffset", Type.INT_TYPE), zo = m.local("zOffset", Type.INT_TYPE);
        int i = m.local("i", Type.INT_TYPE), s = m.local("s", Type.FLOAT_TYPE);
        int active = l.activeIf() == null ? -1 : buffer(l.activeIf());
        MethodBuilder.Body body = switch (l.path()) {
            case ROWS -> {
                int w = m.fieldToLocal(Fields.values(l.kernel()));
                int j = m.local("j", Type.INT_TYPE), row = m.local("row", Fields.FLOATS);
                yield () -> m.forLoop(i, 0, l.n(), () -> {
                    Label next = new Label();
                    zeroUnlessActive(active, dx, xo, i, next);
                    m.rowOf(w, m.value(i), row);
                    dot(m, s, j, m.constant(0), m.constant(l.m()), m.elementOf(row, j), m.elementOf(dz, m.sum(m.value(zo), m.value(j))));
                    m.storeElement(dx, m.sum(m.value(xo), m.value(i)), m.value(s));
                    m.mark(next);
                });
            }
            case CSR -> {
                Param p = l.kernel();
                int w = m.fieldToLocal(Fields.values(p)), position = m.fieldToLocal(Fields.index(p, Fields.Index.POSITION));
                int start = m.fieldToLocal(Fields.index(p, Fields.Index.START)), col = m.fieldToLocal(Fields.index(p, Fields.Index.COL));
                int k = m.local("k", Type.INT_TYPE);
                yield () -> m.forLoop(i, 0, l.n(), () -> {
                    Label next = new Label();
                    zeroUnlessActive(active, dx, xo, i, next);
                    dot(m, s, k, m.elementOf(start, i), m.elementOf(start, m.at(i, 1)), m.elementOf(w, m.elementOf(position, k)),
                            m.elementOf(dz, m.sum(m.value(zo), m.elementOf(col, k))));
                    m.storeElement(dx, m.sum(m.value(xo), m.value(i)), m.value(s));
                    m.mark(next);
                });
            }
            case UNROLLED -> () -> {
                Param p = l.kernel();
                for (int row = 0; row < l.n(); row++) {
                    int input = row;
                    m.storeElement(dx, m.sum(m.value(xo), m.constant(input)),
                            () -> m.foldedSum(l.m(), j -> p.has(input, j) ? p.fixed()[input * l.m() + j] : 0f, j -> m.elementOf(dz, m.sum(m.value(zo), m.constant(j)))));
                }
            };
        };
        overRows(l.outer(), l.n(), l.m(), xo, zo, body);
    }

    /**
     * The weight gradient, added into the gradient storage (laid out like the weights):
     * dense, for i: for each outer row: a = x[xo + i]; grad[i][j] += a * dz[zo + j], skipped when a is 0; sparse, for
     * each unit j, for each outer row (a sequence's steps, innermost so the unit's entries stay in L1): d = dz[zo + j];
     * grad[k] += d * x[xo + rowIndex[k]] over its connections, skipped when d is 0.
     * Rows over several outer rows: each dz row copied into {@code dzRow} first, then
     * {@code gradRow[j] += a * dzRow[j]} for each i, the same index on both sides (vectorized by C2).
     */
    void weightGrad(Kernel.WeightGrad w) {
        int x = buffer(w.x()), dz = buffer(w.dz());
        int xo = m.local("xOffset", Type.INT_TYPE), zo = m.local("zOffset", Type.INT_TYPE);
        int i = m.local("i", Type.INT_TYPE), a = m.local("a", Type.FLOAT_TYPE);
        MethodBuilder.Body body = switch (w.path()) {
            case ROWS -> {
                int grad = m.fieldToLocal(Fields.gradient(w.kernel()));
                int j = m.local("j", Type.INT_TYPE), row = m.local("gradRow", Fields.FLOATS);
                int copy = w.dzRow() == null ? -1 : buffer(w.dzRow());
                MethodBuilder.Body rows = () -> m.forLoop(i, 0, w.n(), () -> {
                    Label skip = new Label();
                    loadInputSkipZero(x, xo, i, a, skip);
                    m.rowOf(grad, m.value(i), row);
                    // gradRow[j] += a * dz[zo + j] (one outer row: zo is 0), or a * dzRow[j]: axpy over j
                    m.forLoop(j, 0, w.m(), () -> m.addToElement(row, m.value(j), m.product(m.value(a), copy < 0 ? m.elementOf(dz, m.sum(m.value(zo), m.value(j))) : m.elementOf(copy, j))));
                    m.mark(skip);
                });
                yield () -> overRows(w.outer(), w.n(), w.m(), xo, zo, () -> {
                    if (copy >= 0) m.call(Call.ARRAYCOPY, m.value(dz), m.value(zo), m.value(copy), m.constant(0), m.constant(w.m())).emit();
                    rows.emit();
                });
            }
            case CSR -> { // unit by unit, as the values are stored: grad[k] += dz[zo + j] x[xo + rowIndex[k]], units with dz 0 skipped
                Param p = w.kernel();
                int grad = m.fieldToLocal(Fields.gradient(p));
                int start = m.fieldToLocal(Fields.index(p, Fields.Index.COL_START)), input = m.fieldToLocal(Fields.index(p, Fields.Index.ROW_INDEX));
                int j = m.local("j", Type.INT_TYPE), k = m.local("k", Type.INT_TYPE);
                // the rows innermost, so a unit's gradient entries stay in L1 over all of them (an lstm's steps)
                yield () -> m.forLoop(j, 0, w.m(), () -> overRows(w.outer(), w.n(), w.m(), xo, zo, () -> {
                    Label skip = new Label();
                    loadInputSkipZero(dz, zo, j, a, skip);
                    m.forLoop(k, m.elementOf(start, m.value(j)), m.elementOf(start, m.sum(m.value(j), m.constant(1))), () ->
                            m.addToElement(grad, m.value(k), m.product(m.value(a), m.elementOf(x, m.sum(m.value(xo), m.elementOf(input, k))))));
                    m.mark(skip);
                }));
            }
            case UNROLLED -> throw new IllegalStateException("a fixed kernel has no gradient: " + w.label());
        };
        body.emit();
    }

    /** With an {@code active} buffer: {@code if (!(active[xo + i] > 0)) { dx[xo + i] = 0; goto next; }}. */
    private void zeroUnlessActive(int active, int dx, int xo, int i, Label next) {
        if (active < 0) return;
        Label compute = new Label();
        m.elementOf(active, m.sum(m.value(xo), m.value(i))).emit();
        m.push(0f);
        m.ifCmp(Type.FLOAT_TYPE, GeneratorAdapter.GT, compute);
        m.storeElement(dx, m.sum(m.value(xo), m.value(i)), m.constant(0f));
        m.goTo(next);
        m.mark(compute);
    }

    /** {@code s = 0; for (var = from; var < to; var++) s += a * b}. */
    static void dot(MethodBuilder m, int s, int var, MethodBuilder.Body from, MethodBuilder.Body to, MethodBuilder.Body a, MethodBuilder.Body b) {
        m.set(s, m.constant(0f));
        m.forLoop(var, from, to, () -> m.set(s, m.add(m.value(s), m.product(a, b))));
    }
}
