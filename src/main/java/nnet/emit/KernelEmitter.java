package nnet.emit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Expr;
import nnet.lower.Kernel;
import nnet.runtime.Activation;
import nnet.runtime.Fn;
import nnet.runtime.LossFunction;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * Emits each kernel as one private method of straight loops over float arrays. Fields are read
 * into named locals once at the top, so the loops touch only locals and arrays, and the method's
 * line number is the source line of the node it computes.
 */
final class KernelEmitter {
    private static final Type FN = Type.getType(Fn.class);
    private static final Type ACTIVATION = Type.getType(Activation.class);
    private static final Type LOSS = Type.getType(LossFunction.class);
    private static final Type ARRAYS = Type.getType(java.util.Arrays.class);

    private final ClassVisitor cv;
    private final Type self;

    KernelEmitter(ClassVisitor cv, Type self) {
        this.cv = cv;
        this.self = self;
    }

    /** Params a kernel reads through fields (a fixed unrolled kernel reads none). */
    static Set<Param> fieldParams(Kernel k) {
        Set<Param> out = new LinkedHashSet<>();
        if (k instanceof Kernel.Linear l && l.path() != Kernel.LinearPath.UNROLLED) out.add(l.kernel());
        if (k instanceof Kernel.LinearT l && l.path() != Kernel.LinearPath.UNROLLED) out.add(l.kernel());
        if (k instanceof Kernel.WeightGrad w) out.add(w.kernel()); // its CSR index, when it has one
        if (k instanceof Kernel.Conv c) {
            out.add(c.kernel()); // its values, or its channel pairs for a gradient
            if (c.bias() != null) out.add(c.bias());
        }
        if (k instanceof Kernel.Map m) out.addAll(ElementwiseEmitter.fieldParams(m));
        return out;
    }

    /** Emits the kernel's method and returns its name. */
    String emit(Kernel k, int index) {
        String name = "k" + index + "$" + (k.label().length() > 40 ? k.label().substring(0, 40) : k.label());
        MethodBuilder m = new MethodBuilder(cv, Opcodes.ACC_PRIVATE, "void " + name + "()", k.span() == null ? 0 : k.span().line());
        if (k instanceof Kernel.Linear l) linear(m, l);
        else if (k instanceof Kernel.LinearT l) linearTransposed(m, l);
        else if (k instanceof Kernel.WeightGrad w) weightGrad(m, w);
        else if (k instanceof Kernel.Map map) new ElementwiseEmitter(m, self).perSample(map);
        else if (k instanceof Kernel.Softmax s) softmax(m, s);
        else if (k instanceof Kernel.SoftmaxGrad s) softmaxGrad(m, s);
        else if (k instanceof Kernel.Concat c) concat(m, c);
        else if (k instanceof Kernel.Slice s) copyBlocks(m, s.in(), s.out(), s.outer(), s.inLength(), s.offset(), s.length(), 0, s.length(), false);
        else if (k instanceof Kernel.Embed e) copyBlocks(m, e.in(), e.out(), e.outer(), e.length(), 0, e.outLength(), e.offset(), e.length(), true);
        else if (k instanceof Kernel.Sum s) sum(m, s);
        else if (k instanceof Kernel.Loss l) loss(m, l);
        else if (k instanceof Kernel.Conv c) new ConvEmitter(m, self).emit(c);
        else if (k instanceof Kernel.Pool p) new PoolEmitter(m, self).pool(p);
        else if (k instanceof Kernel.PoolGrad p) new PoolEmitter(m, self).poolGrad(p);
        m.end(self);
        return name;
    }

    private int buffer(MethodBuilder m, Buffer b) {
        return m.fieldToLocal(self, b.field(), ClassEmitter.FLOATS);
    }

    // ---- dense contraction

    private void linear(MethodBuilder m, Kernel.Linear l) {
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
        g.invokeStatic(ARRAYS, Method.getMethod("void fill(float[], int, int, float)"));
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
     * for i: a = x[i]; for k in row i's present connections: z[zo + col[k]] += a * w[position[k]] (values are
     * stored by unit, position maps row order to them; no zero test: rows are short).
     */
    private MethodBuilder.Body csrBody(MethodBuilder m, Kernel.Linear l, int x, int z, int xo, int zo) {
        GeneratorAdapter g = m.g;
        String f = ClassEmitter.fieldOf(l.kernel());
        int w = m.fieldToLocal(self, f, ClassEmitter.FLOATS), position = m.fieldToLocal(self, f + "$position", ClassEmitter.INTS);
        int start = m.fieldToLocal(self, f + "$start", ClassEmitter.INTS), col = m.fieldToLocal(self, f + "$col", ClassEmitter.INTS);
        int i = m.local("i", Type.INT_TYPE), k = m.local("k", Type.INT_TYPE), a = m.local("a", Type.FLOAT_TYPE);
        return () -> {
            zeroRow(m, z, zo, l.m());
            m.forLoop(i, 0, l.n(), () -> {
                loadInputSkipZero(m, x, xo, i, a, null);
                m.forLoop(k, () -> {
                    g.loadLocal(start);
                    g.loadLocal(i);
                    g.arrayLoad(Type.INT_TYPE);
                }, () -> {
                    g.loadLocal(start);
                    g.loadLocal(i);
                    g.push(1);
                    g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                    g.arrayLoad(Type.INT_TYPE);
                }, () -> accumulate(g, z, zo, a, () -> {
                    g.loadLocal(col);
                    g.loadLocal(k);
                    g.arrayLoad(Type.INT_TYPE);
                }, w, () -> load(g, position, Type.INT_TYPE, () -> g.loadLocal(k))));
            });
        };
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
    private void linearTransposed(MethodBuilder m, Kernel.LinearT l) {
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
     * for i: a = x[xo + i]; grad[i][j] += a * dz[zo + j] over row i's connections; a row is skipped when a is 0.
     */
    private void weightGrad(MethodBuilder m, Kernel.WeightGrad w) {
        GeneratorAdapter g = m.g;
        int x = buffer(m, w.x()), dz = buffer(m, w.dz());
        int xo = m.local("xOffset", Type.INT_TYPE), zo = m.local("zOffset", Type.INT_TYPE);
        int i = m.local("i", Type.INT_TYPE), a = m.local("a", Type.FLOAT_TYPE);
        String gf = ClassEmitter.gradFieldOf(w.kernel());
        MethodBuilder.Body body = switch (w.path()) {
            case ROWS -> {
                int grad = m.fieldToLocal(self, gf, ClassEmitter.ROWS);
                int j = m.local("j", Type.INT_TYPE), row = m.local("gradRow", ClassEmitter.FLOATS);
                int dzRow = zo;
                yield () -> m.forLoop(i, 0, w.n(), () -> {
                    Label skip = new Label();
                    loadInputSkipZero(m, x, xo, i, a, skip);
                    g.loadLocal(grad);
                    g.loadLocal(i);
                    g.arrayLoad(ClassEmitter.FLOATS);
                    g.storeLocal(row);
                    // gradRow[j] += a * dz[zo + j]: axpy over j
                    m.forLoop(j, 0, w.m(), () -> {
                        g.loadLocal(row);
                        g.loadLocal(j);
                        g.dup2();
                        g.arrayLoad(Type.FLOAT_TYPE);
                        g.loadLocal(a);
                        load(g, dz, () -> offset(g, dzRow, () -> g.loadLocal(j)));
                        g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                        g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                        g.arrayStore(Type.FLOAT_TYPE);
                    });
                    g.mark(skip);
                });
            }
            case CSR -> {
                String f = ClassEmitter.fieldOf(w.kernel());
                int grad = m.fieldToLocal(self, gf, ClassEmitter.FLOATS), position = m.fieldToLocal(self, f + "$position", ClassEmitter.INTS);
                int start = m.fieldToLocal(self, f + "$start", ClassEmitter.INTS), col = m.fieldToLocal(self, f + "$col", ClassEmitter.INTS);
                int k = m.local("k", Type.INT_TYPE);
                yield () -> m.forLoop(i, 0, w.n(), () -> {
                    loadInputSkipZero(m, x, xo, i, a, null);
                    m.forLoop(k, () -> rowStart(g, start, i, 0), () -> rowStart(g, start, i, 1), () -> {
                        g.loadLocal(grad);
                        load(g, position, Type.INT_TYPE, () -> g.loadLocal(k));
                        g.dup2();
                        g.arrayLoad(Type.FLOAT_TYPE);
                        g.loadLocal(a);
                        load(g, dz, () -> offset(g, zo, () -> load(g, col, Type.INT_TYPE, () -> g.loadLocal(k))));
                        g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                        g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                        g.arrayStore(Type.FLOAT_TYPE);
                    });
                });
            }
            case UNROLLED -> throw new IllegalStateException("a fixed kernel has no gradient: " + w.label());
        };
        overRows(m, w.outer(), w.n(), w.m(), xo, zo, body);
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
    private static void dot(MethodBuilder m, int s, int var, MethodBuilder.Body from, MethodBuilder.Body to, MethodBuilder.Body a, MethodBuilder.Body b) {
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
    private static void offset(GeneratorAdapter g, int offset, MethodBuilder.Body index) {
        g.loadLocal(offset);
        index.emit();
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
    }

    private static void offset(GeneratorAdapter g, int offset, int constant) {
        offset(g, offset, () -> g.push(constant));
    }

    private static void load(GeneratorAdapter g, int array, MethodBuilder.Body index) {
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

    // ---- softmax and concat

    /** Per row: max, then exp(v - max) and its sum, then scale by 1 / sum. */
    private void softmax(MethodBuilder m, Kernel.Softmax s) {
        GeneratorAdapter g = m.g;
        int in = buffer(m, s.in()), out = buffer(m, s.out());
        int r = m.local("r", Type.INT_TYPE), base = m.local("base", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE);
        int max = m.local("max", Type.FLOAT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE), e = m.local("e", Type.FLOAT_TYPE);
        m.forLoop(r, 0, s.rows(), () -> {
            g.loadLocal(r);
            g.push(s.m());
            g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            g.storeLocal(base);
            g.push(Float.NEGATIVE_INFINITY);
            g.storeLocal(max);
            m.forLoop(j, 0, s.m(), () -> {
                g.loadLocal(max);
                loadAt(g, in, base, j);
                g.invokeStatic(Type.getType(Math.class), Method.getMethod("float max(float, float)"));
                g.storeLocal(max);
            });
            g.push(0f);
            g.storeLocal(sum);
            m.forLoop(j, 0, s.m(), () -> {
                loadAt(g, in, base, j);
                g.loadLocal(max);
                g.math(GeneratorAdapter.SUB, Type.FLOAT_TYPE);
                g.invokeStatic(FN, Method.getMethod("float exp(float)"));
                g.storeLocal(e);
                g.loadLocal(out);
                g.loadLocal(base);
                g.loadLocal(j);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                g.loadLocal(e);
                g.arrayStore(Type.FLOAT_TYPE);
                g.loadLocal(sum);
                g.loadLocal(e);
                g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                g.storeLocal(sum);
            });
            g.push(1f);
            g.loadLocal(sum);
            g.math(GeneratorAdapter.DIV, Type.FLOAT_TYPE);
            g.storeLocal(sum);
            m.forLoop(j, 0, s.m(), () -> {
                g.loadLocal(out);
                g.loadLocal(base);
                g.loadLocal(j);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                g.dup2();
                g.arrayLoad(Type.FLOAT_TYPE);
                g.loadLocal(sum);
                g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                g.arrayStore(Type.FLOAT_TYPE);
            });
        });
    }

    private static void loadAt(GeneratorAdapter g, int array, int base, int j) {
        g.loadLocal(array);
        g.loadLocal(base);
        g.loadLocal(j);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.arrayLoad(Type.FLOAT_TYPE);
    }

    /** For each outer block o, copy each part's block into place with System.arraycopy. */
    private void concat(MethodBuilder m, Kernel.Concat c) {
        GeneratorAdapter g = m.g;
        int out = buffer(m, c.out());
        List<Integer> parts = new ArrayList<>();
        for (Buffer b : c.parts()) parts.add(buffer(m, b));
        int total = 0;
        for (int len : c.lengths()) total += len;
        int o = m.local("o", Type.INT_TYPE);
        final int rowLength = total;
        m.forLoop(o, 0, c.outer(), () -> {
            int offset = 0;
            for (int k = 0; k < parts.size(); k++) {
                int len = c.lengths()[k];
                g.loadLocal(parts.get(k));
                g.loadLocal(o);
                g.push(len);
                g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
                g.loadLocal(out);
                g.loadLocal(o);
                g.push(rowLength);
                g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
                g.push(offset);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                g.push(len);
                g.invokeStatic(Type.getType(System.class), Method.getMethod("void arraycopy(Object, int, Object, int, int)"));
                offset += len;
            }
        });
    }

    /** Per row: dot = sum dy * y, then out = y * (dy - dot). */
    private void softmaxGrad(MethodBuilder m, Kernel.SoftmaxGrad s) {
        GeneratorAdapter g = m.g;
        int y = buffer(m, s.y()), dy = buffer(m, s.dy()), out = buffer(m, s.out());
        int base = m.local("base", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE), dot = m.local("dot", Type.FLOAT_TYPE);
        int r = m.local("r", Type.INT_TYPE);
        m.forLoop(r, 0, s.rows(), () -> {
            g.loadLocal(r);
            g.push(s.m());
            g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            g.storeLocal(base);
            dot(m, dot, j, () -> g.push(0), () -> g.push(s.m()), () -> loadAt(g, y, base, j), () -> loadAt(g, dy, base, j));
            m.forLoop(j, 0, s.m(), () -> {
                g.loadLocal(out);
                offset(g, base, () -> g.loadLocal(j));
                loadAt(g, y, base, j);
                loadAt(g, dy, base, j);
                g.loadLocal(dot);
                g.math(GeneratorAdapter.SUB, Type.FLOAT_TYPE);
                g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                g.arrayStore(Type.FLOAT_TYPE);
            });
        });
    }

    /**
     * For each outer block o: {@code arraycopy(in, o * inStride + inOffset, out, o * outStride + outOffset, length)},
     * after zeroing {@code out} when it is only partly written (an embed).
     */
    private void copyBlocks(MethodBuilder m, Buffer inBuffer, Buffer outBuffer, int outer, int inStride, int inOffset, int outStride, int outOffset, int length,
                            boolean zeroFirst) {
        GeneratorAdapter g = m.g;
        int in = buffer(m, inBuffer), out = buffer(m, outBuffer);
        if (zeroFirst) {
            g.loadLocal(out);
            g.push(0f);
            g.invokeStatic(ARRAYS, Method.getMethod("void fill(float[], float)"));
        }
        int o = m.local("o", Type.INT_TYPE);
        m.forLoop(o, 0, outer, () -> {
            g.loadLocal(in);
            blockStart(g, o, inStride, inOffset);
            g.loadLocal(out);
            blockStart(g, o, outStride, outOffset);
            g.push(length);
            g.invokeStatic(Type.getType(System.class), Method.getMethod("void arraycopy(Object, int, Object, int, int)"));
        });
    }

    private static void blockStart(GeneratorAdapter g, int o, int stride, int offset) {
        g.loadLocal(o);
        g.push(stride);
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        if (offset == 0) return;
        g.push(offset);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
    }

    /** out[0] = sum of in. */
    private void sum(MethodBuilder m, Kernel.Sum s) {
        GeneratorAdapter g = m.g;
        int in = buffer(m, s.in()), out = buffer(m, s.out());
        int j = m.local("j", Type.INT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE);
        g.push(0f);
        g.storeLocal(sum);
        m.forLoop(j, 0, s.in().size(), () -> {
            g.loadLocal(sum);
            load(g, in, () -> g.loadLocal(j));
            g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
            g.storeLocal(sum);
        });
        g.loadLocal(out);
        g.push(0);
        g.loadLocal(sum);
        g.arrayStore(Type.FLOAT_TYPE);
    }

    /** {@code out[0] = LossFunction.F.value(y, target, m)}, or {@code LossFunction.F.gradient(y, target, m, out)}. */
    private void loss(MethodBuilder m, Kernel.Loss l) {
        GeneratorAdapter g = m.g;
        int y = buffer(m, l.y()), t = buffer(m, l.target()), out = buffer(m, l.out());
        if (!l.gradient()) {
            g.loadLocal(out);
            g.push(0);
        }
        g.getStatic(LOSS, l.function().name(), LOSS);
        g.loadLocal(y);
        g.loadLocal(t);
        g.push(l.m());
        if (l.gradient()) {
            g.loadLocal(out);
            g.invokeVirtual(LOSS, Method.getMethod("void gradient(float[], float[], int, float[])"));
        } else {
            g.invokeVirtual(LOSS, Method.getMethod("float value(float[], float[], int)"));
            g.arrayStore(Type.FLOAT_TYPE);
        }
    }
}
