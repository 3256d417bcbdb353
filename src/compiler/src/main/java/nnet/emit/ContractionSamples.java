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
    private final Type self;

    ContractionSamples(Type self) {
        this.self = self;
    }

    private int buffer(MethodBuilder m, Buffer b) {
        return m.fieldToLocal(self, b.field(), ClassEmitter.FLOATS);
    }

    // ---- dense contraction

    void linear(MethodBuilder m, Kernel.Linear l) {
        int x = buffer(m, l.in()), z = buffer(m, l.out());
        int xo = m.local("xOffset", Type.INT_TYPE), zo = m.local("zOffset", Type.INT_TYPE);
        MethodBuilder.Body body = switch (l.path()) {
            case ROWS -> rowsBody(m, l, x, z, xo, zo);
            case CSR -> csrBody(m, l, x, z, xo, zo);
            case UNROLLED -> unrolledBody(m, l, x, z, xo, zo);
        };
        overRows(m, l.outer(), l.n(), l.m(), xo, zo, body);
    }

    /**
     * Runs {@code body} for each of {@code outer} rows with {@code nOffset = r * n} and
     * {@code mOffset = r * m}: the row offsets into the [.., n] and [.., m] sides of a contraction.
     */
    private static void overRows(MethodBuilder m, int outer, int n, int units, int nOffset, int mOffset, MethodBuilder.Body body) {
        GeneratorAdapter g = m.g;
        if (outer == 1) { // one row: no loop around it, offsets 0
            g.push(0);
            g.storeLocal(nOffset);
            g.push(0);
            g.storeLocal(mOffset);
            body.emit();
            return;
        }
        int r = m.local("r", Type.INT_TYPE);
        m.forLoop(r, 0, outer, () -> {
            g.loadLocal(r);
            g.push(n);
            g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            g.storeLocal(nOffset);
            g.loadLocal(r);
            g.push(units);
            g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            g.storeLocal(mOffset);
            body.emit();
        });
    }

    /** {@code Arrays.fill(z, zo, zo + m, 0)}: a contraction accumulates into a zeroed row. */
    private static void zeroRow(MethodBuilder m, int z, int zo, int units) {
        GeneratorAdapter g = m.g;
        g.loadLocal(z);
        g.loadLocal(zo);
        g.loadLocal(zo);
        g.push(units);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.push(0f);
        m.invoke(Call.FILL_RANGE);
    }

    /**
     * {@code a = x[xo + i]}; with a {@code skip} label, jumps there when a is 0 (common after relu):
     * the row would add nothing. Only worth it for long rows: on a sparse row of a few entries a
     * mispredicted branch costs more than the multiplications it saves.
     */
    private static void loadInputSkipZero(MethodBuilder m, int x, int xo, int i, int a, Label skip) {
        GeneratorAdapter g = m.g;
        g.loadLocal(x);
        g.loadLocal(xo);
        g.loadLocal(i);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.arrayLoad(Type.FLOAT_TYPE);
        g.storeLocal(a);
        if (skip == null) return;
        g.loadLocal(a);
        g.push(0f);
        g.ifCmp(Type.FLOAT_TYPE, GeneratorAdapter.EQ, skip);
    }

    /** for i: a = x[i]; row = W[i]; for j: z[zo + j] += a * row[j] — the axpy form C2 vectorizes. */
    private MethodBuilder.Body rowsBody(MethodBuilder m, Kernel.Linear l, int x, int z, int xo, int zo) {
        GeneratorAdapter g = m.g;
        int w = m.fieldToLocal(self, ClassEmitter.fieldOf(l.kernel()), ClassEmitter.ROWS);
        int i = m.local("i", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE), a = m.local("a", Type.FLOAT_TYPE);
        int row = m.local("row", ClassEmitter.FLOATS);
        return () -> {
            zeroRow(m, z, zo, l.m());
            m.forLoop(i, 0, l.n(), () -> {
                Label skip = new Label();
                loadInputSkipZero(m, x, xo, i, a, skip);
                g.loadLocal(w);
                g.loadLocal(i);
                g.arrayLoad(ClassEmitter.FLOATS);
                g.storeLocal(row);
                m.forLoop(j, 0, l.m(), () -> accumulate(g, z, zo, a, () -> g.loadLocal(j), row, j));
                g.mark(skip);
            });
        };
    }

    /**
     * Unit by unit over its present connections (values are stored by unit, rowIndex their inputs):
     * z[zo + j] = sum over k of w[k] x[xo + rowIndex[k]], in four partial sums so that the adds
     * do not wait for each other (one running sum waited 4 cycles per connection).
     */
    private MethodBuilder.Body csrBody(MethodBuilder m, Kernel.Linear l, int x, int z, int xo, int zo) {
        String f = ClassEmitter.fieldOf(l.kernel());
        int w = m.fieldToLocal(self, f, ClassEmitter.FLOATS);
        int start = m.fieldToLocal(self, f + "$colStart", ClassEmitter.INTS), input = m.fieldToLocal(self, f + "$rowIndex", ClassEmitter.INTS);
        int j = m.local("j", Type.INT_TYPE), k = m.local("k", Type.INT_TYPE), end = m.local("end", Type.INT_TYPE);
        int[] sum = new int[4];
        for (int p = 0; p < sum.length; p++) sum[p] = m.local("sum" + p, Type.FLOAT_TYPE);
        return () -> m.forLoop(j, 0, l.m(), () -> {
            m.set(k, m.elementOf(start, m.value(j)));
            m.set(end, m.elementOf(start, m.sum(m.value(j), m.constant(1))));
            for (int s : sum) m.set(s, () -> m.g.push(0f));
            m.forLoop(k, m.value(k), m.sum(m.value(end), m.constant(-(sum.length - 1))), sum.length, () -> {
                for (int p = 0; p < sum.length; p++) addProduct(m, sum[p], w, x, xo, input, m.at(k, p));
            });
            m.forLoop(k, m.value(k), m.value(end), () -> addProduct(m, sum[0], w, x, xo, input, m.value(k)));
            m.storeElement(z, m.sum(m.value(zo), m.value(j)), () -> {
                m.g.loadLocal(sum[0]);
                m.g.loadLocal(sum[1]);
                m.g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                m.g.loadLocal(sum[2]);
                m.g.loadLocal(sum[3]);
                m.g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                m.g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
            });
        });
    }

    /** {@code sum += values[k] x[xo + input[k]]}. */
    private static void addProduct(MethodBuilder m, int sum, int values, int x, int xo, int input, MethodBuilder.Body k) {
        m.set(sum, () -> {
            m.g.loadLocal(sum);
            m.elementOf(values, k).emit();
            m.elementOf(x, m.sum(m.value(xo), m.elementOf(input, k))).emit();
            m.g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
            m.g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
        });
    }

    /** {@code z[zo + unit] += a * weights[k]}: the one update both contraction paths make per connection. */
    private static void accumulate(GeneratorAdapter g, int z, int zo, int a, MethodBuilder.Body unit, int weights, int k) {
        accumulate(g, z, zo, a, unit, weights, () -> g.loadLocal(k));
    }

    /** {@code z[zo + unit] += a * weights[index]}. */
    private static void accumulate(GeneratorAdapter g, int z, int zo, int a, MethodBuilder.Body unit, int weights, MethodBuilder.Body index) {
        g.loadLocal(z);
        g.loadLocal(zo);
        unit.emit();
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.dup2();
        g.arrayLoad(Type.FLOAT_TYPE);
        g.loadLocal(a);
        g.loadLocal(weights);
        index.emit();
        g.arrayLoad(Type.FLOAT_TYPE);
        g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
        g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
        g.arrayStore(Type.FLOAT_TYPE);
    }

    /** Fixed weights as constants: z[zo + j] = x[xo + i1] * w1 + x[xo + i2] * w2 + ...; zeros and absent connections vanish. */
    private MethodBuilder.Body unrolledBody(MethodBuilder m, Kernel.Linear l, int x, int z, int xo, int zo) {
        GeneratorAdapter g = m.g;
        Param p = l.kernel();
        return () -> {
            for (int j = 0; j < l.m(); j++) {
                g.loadLocal(z);
                g.loadLocal(zo);
                g.push(j);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                boolean first = true;
                for (int i = 0; i < l.n(); i++) {
                    float w = p.fixed()[i * l.m() + j];
                    if (w == 0 || !p.has(i, j)) continue;
                    g.loadLocal(x);
                    g.loadLocal(xo);
                    g.push(i);
                    g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                    g.arrayLoad(Type.FLOAT_TYPE);
                    if (w != 1) {
                        g.push(w);
                        g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                    }
                    if (!first) g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                    first = false;
                }
                if (first) g.push(0f);
                g.arrayStore(Type.FLOAT_TYPE);
            }
        };
    }

    // ---- contractions of the backward pass

    /** The input gradient: dx[xo + i] = sum over row i's connections of W[i, j] * dz[zo + j]. */
    void linearTransposed(MethodBuilder m, Kernel.LinearT l) {
        GeneratorAdapter g = m.g;
        int dz = buffer(m, l.in()), dx = buffer(m, l.out());
        int xo = m.local("xOffset", Type.INT_TYPE), zo = m.local("zOffset", Type.INT_TYPE);
        int i = m.local("i", Type.INT_TYPE), s = m.local("s", Type.FLOAT_TYPE);
        int active = l.activeIf() == null ? -1 : buffer(m, l.activeIf());
        MethodBuilder.Body body = switch (l.path()) {
            case ROWS -> {
                int w = m.fieldToLocal(self, ClassEmitter.fieldOf(l.kernel()), ClassEmitter.ROWS);
                int j = m.local("j", Type.INT_TYPE), row = m.local("row", ClassEmitter.FLOATS);
                yield () -> m.forLoop(i, 0, l.n(), () -> {
                    Label next = new Label();
                    zeroUnlessActive(g, active, dx, xo, i, next);
                    g.loadLocal(w);
                    g.loadLocal(i);
                    g.arrayLoad(ClassEmitter.FLOATS);
                    g.storeLocal(row);
                    dot(m, s, j, () -> g.push(0), () -> g.push(l.m()), () -> load(g, row, () -> g.loadLocal(j)),
                            () -> load(g, dz, () -> offset(g, zo, () -> g.loadLocal(j))));
                    storeSum(g, dx, xo, i, s);
                    g.mark(next);
                });
            }
            case CSR -> {
                String f = ClassEmitter.fieldOf(l.kernel());
                int w = m.fieldToLocal(self, f, ClassEmitter.FLOATS), position = m.fieldToLocal(self, f + "$position", ClassEmitter.INTS);
                int start = m.fieldToLocal(self, f + "$start", ClassEmitter.INTS), col = m.fieldToLocal(self, f + "$col", ClassEmitter.INTS);
                int k = m.local("k", Type.INT_TYPE);
                yield () -> m.forLoop(i, 0, l.n(), () -> {
                    Label next = new Label();
                    zeroUnlessActive(g, active, dx, xo, i, next);
                    dot(m, s, k, () -> rowStart(g, start, i, 0), () -> rowStart(g, start, i, 1), () -> load(g, w, () -> load(g, position, Type.INT_TYPE, () -> g.loadLocal(k))),
                            () -> load(g, dz, () -> offset(g, zo, () -> load(g, col, Type.INT_TYPE, () -> g.loadLocal(k)))));
                    storeSum(g, dx, xo, i, s);
                    g.mark(next);
                });
            }
            case UNROLLED -> () -> {
                Param p = l.kernel();
                for (int row = 0; row < l.n(); row++) {
                    g.loadLocal(dx);
                    offset(g, xo, row);
                    boolean first = true;
                    for (int j = 0; j < l.m(); j++) {
                        float w = p.fixed()[row * l.m() + j];
                        if (w == 0 || !p.has(row, j)) continue;
                        int col = j;
                        load(g, dz, () -> offset(g, zo, col));
                        times(g, w);
                        if (!first) g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                        first = false;
                    }
                    if (first) g.push(0f);
                    g.arrayStore(Type.FLOAT_TYPE);
                }
            };
        };
        overRows(m, l.outer(), l.n(), l.m(), xo, zo, body);
    }

    /**
     * The weight gradient, added into the gradient storage (laid out like the weights):
     * dense, for i: for each outer row: a = x[xo + i]; grad[i][j] += a * dz[zo + j], skipped when a is 0; sparse, for
     * each unit j, for each outer row (a sequence's steps, innermost so the unit's entries stay in L1): d = dz[zo + j];
     * grad[k] += d * x[xo + rowIndex[k]] over its connections, skipped when d is 0.
     * Rows over several outer rows: each dz row copied into {@code dzRow} first, then
     * {@code gradRow[j] += a * dzRow[j]} for each i, the same index on both sides (vectorized by C2).
     */
    void weightGrad(MethodBuilder m, Kernel.WeightGrad w) {
        GeneratorAdapter g = m.g;
        int x = buffer(m, w.x()), dz = buffer(m, w.dz());
        int xo = m.local("xOffset", Type.INT_TYPE), zo = m.local("zOffset", Type.INT_TYPE);
        int i = m.local("i", Type.INT_TYPE), a = m.local("a", Type.FLOAT_TYPE);
        String gf = ClassEmitter.gradFieldOf(w.kernel());
        MethodBuilder.Body body = switch (w.path()) {
            case ROWS -> {
                int grad = m.fieldToLocal(self, gf, ClassEmitter.ROWS);
                int j = m.local("j", Type.INT_TYPE), row = m.local("gradRow", ClassEmitter.FLOATS);
                int copy = w.dzRow() == null ? -1 : buffer(m, w.dzRow());
                MethodBuilder.Body rows = () -> m.forLoop(i, 0, w.n(), () -> {
                    Label skip = new Label();
                    loadInputSkipZero(m, x, xo, i, a, skip);
                    g.loadLocal(grad);
                    g.loadLocal(i);
                    g.arrayLoad(ClassEmitter.FLOATS);
                    g.storeLocal(row);
                    // gradRow[j] += a * dz[zo + j] (one outer row: zo is 0), or a * dzRow[j]: axpy over j
                    m.forLoop(j, 0, w.m(), () -> {
                        g.loadLocal(row);
                        g.loadLocal(j);
                        g.dup2();
                        g.arrayLoad(Type.FLOAT_TYPE);
                        g.loadLocal(a);
                        if (copy < 0) load(g, dz, () -> offset(g, zo, () -> g.loadLocal(j)));
                        else load(g, copy, () -> g.loadLocal(j));
                        g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                        g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                        g.arrayStore(Type.FLOAT_TYPE);
                    });
                    g.mark(skip);
                });
                yield () -> overRows(m, w.outer(), w.n(), w.m(), xo, zo, () -> {
                    if (copy >= 0) { // arraycopy(dz, zo, dzRow, 0, m)
                        g.loadLocal(dz);
                        g.loadLocal(zo);
                        g.loadLocal(copy);
                        g.push(0);
                        g.push(w.m());
                        m.invoke(Call.ARRAYCOPY);
                    }
                    rows.emit();
                });
            }
            case CSR -> { // unit by unit, as the values are stored: grad[k] += dz[zo + j] x[xo + rowIndex[k]], units with dz 0 skipped
                String f = ClassEmitter.fieldOf(w.kernel());
                int grad = m.fieldToLocal(self, gf, ClassEmitter.FLOATS);
                int start = m.fieldToLocal(self, f + "$colStart", ClassEmitter.INTS), input = m.fieldToLocal(self, f + "$rowIndex", ClassEmitter.INTS);
                int j = m.local("j", Type.INT_TYPE), k = m.local("k", Type.INT_TYPE);
                // the rows innermost, so a unit's gradient entries stay in L1 over all of them (an lstm's steps)
                yield () -> m.forLoop(j, 0, w.m(), () -> overRows(m, w.outer(), w.n(), w.m(), xo, zo, () -> {
                    Label skip = new Label();
                    loadInputSkipZero(m, dz, zo, j, a, skip);
                    m.forLoop(k, m.elementOf(start, m.value(j)), m.elementOf(start, m.sum(m.value(j), m.constant(1))), () ->
                            m.addToElement(grad, m.value(k), () -> {
                                g.loadLocal(a);
                                m.elementOf(x, m.sum(m.value(xo), m.elementOf(input, m.value(k)))).emit();
                                g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                            }));
                    g.mark(skip);
                }));
            }
            case UNROLLED -> throw new IllegalStateException("a fixed kernel has no gradient: " + w.label());
        };
        body.emit();
    }

    /** With an {@code active} buffer: {@code if (!(active[xo + i] > 0)) { dx[xo + i] = 0; goto next; }}. */
    private static void zeroUnlessActive(GeneratorAdapter g, int active, int dx, int xo, int i, Label next) {
        if (active < 0) return;
        Label compute = new Label();
        load(g, active, () -> offset(g, xo, () -> g.loadLocal(i)));
        g.push(0f);
        g.ifCmp(Type.FLOAT_TYPE, GeneratorAdapter.GT, compute);
        g.loadLocal(dx);
        offset(g, xo, () -> g.loadLocal(i));
        g.push(0f);
        g.arrayStore(Type.FLOAT_TYPE);
        g.goTo(next);
        g.mark(compute);
    }

    /** {@code s = 0; for (var = from; var < to; var++) s += a * b}. */
    static void dot(MethodBuilder m, int s, int var, MethodBuilder.Body from, MethodBuilder.Body to, MethodBuilder.Body a, MethodBuilder.Body b) {
        GeneratorAdapter g = m.g;
        g.push(0f);
        g.storeLocal(s);
        m.forLoop(var, from, to, () -> {
            g.loadLocal(s);
            a.emit();
            b.emit();
            g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
            g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
            g.storeLocal(s);
        });
    }

    /** {@code out[offset + i] = s}. */
    private static void storeSum(GeneratorAdapter g, int out, int offset, int i, int s) {
        g.loadLocal(out);
        offset(g, offset, () -> g.loadLocal(i));
        g.loadLocal(s);
        g.arrayStore(Type.FLOAT_TYPE);
    }

    /** {@code start[i + plus]}: where a CSR row begins or ends. */
    static void rowStart(GeneratorAdapter g, int start, int i, int plus) {
        g.loadLocal(start);
        g.loadLocal(i);
        if (plus != 0) {
            g.push(plus);
            g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        }
        g.arrayLoad(Type.INT_TYPE);
    }

    /** Pushes {@code offset + index}. */
    static void offset(GeneratorAdapter g, int offset, MethodBuilder.Body index) {
        g.loadLocal(offset);
        index.emit();
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
    }

    private static void offset(GeneratorAdapter g, int offset, int constant) {
        offset(g, offset, () -> g.push(constant));
    }

    static void load(GeneratorAdapter g, int array, MethodBuilder.Body index) {
        load(g, array, Type.FLOAT_TYPE, index);
    }

    private static void load(GeneratorAdapter g, int array, Type element, MethodBuilder.Body index) {
        g.loadLocal(array);
        index.emit();
        g.arrayLoad(element);
    }

    /** Multiplies the float on the stack by a constant; by 1 is nothing. */
    private static void times(GeneratorAdapter g, float w) {
        if (w == 1) return;
        g.push(w);
        g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
    }
}
