package nnet.emit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Connectivity;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Expr;
import nnet.lower.Kernel;
import nnet.runtime.Fn;
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
    /** A map loop this short that reads fixed constants is unrolled, so the constants fold into the code. */
    static final int UNROLL_MAP = 64;
    private static final Type FN = Type.getType(Fn.class);
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
        if (k instanceof Kernel.Map m && !unrolled(m)) for (Kernel.Assign a : m.assigns()) biases(a.value(), out);
        return out;
    }

    private static void biases(Expr e, Set<Param> out) {
        if (e instanceof Expr.Bias b) out.add(b.param());
        else if (e instanceof Expr.Unary u) biases(u.x(), out);
        else if (e instanceof Expr.Binary b) {
            biases(b.a(), out);
            biases(b.b(), out);
        }
    }

    private static boolean unrolled(Kernel.Map m) {
        if (m.extent() > UNROLL_MAP) return false;
        Set<Param> ps = new LinkedHashSet<>();
        for (Kernel.Assign a : m.assigns()) biases(a.value(), ps);
        return !ps.isEmpty() && ps.stream().allMatch(Param::isFixed);
    }

    /** Emits the kernel's method and returns its name. */
    String emit(Kernel k, int index) {
        String name = "k" + index + "$" + (k.label().length() > 40 ? k.label().substring(0, 40) : k.label());
        MethodBuilder m = new MethodBuilder(cv, Opcodes.ACC_PRIVATE, "void " + name + "()", k.span() == null ? 0 : k.span().line());
        if (k instanceof Kernel.Linear l) linear(m, l);
        else if (k instanceof Kernel.Map map) map(m, map);
        else if (k instanceof Kernel.Softmax s) softmax(m, s);
        else if (k instanceof Kernel.Concat c) concat(m, c);
        m.end(self);
        return name;
    }

    private int buffer(MethodBuilder m, Buffer b) {
        return m.fieldToLocal(self, b.field(), ClassEmitter.FLOATS);
    }

    // ---- dense contraction

    private void linear(MethodBuilder m, Kernel.Linear l) {
        GeneratorAdapter g = m.g;
        int x = buffer(m, l.in()), z = buffer(m, l.out());
        int r = m.local("r", Type.INT_TYPE), xo = m.local("xOffset", Type.INT_TYPE), zo = m.local("zOffset", Type.INT_TYPE);
        MethodBuilder.Body body = switch (l.path()) {
            case ROWS -> rowsBody(m, l, x, z, xo, zo);
            case CSR -> csrBody(m, l, x, z, xo, zo);
            case UNROLLED -> unrolledBody(m, l, x, z, xo, zo);
        };
        if (l.outer() == 1) { // one row: no loop around it, offsets 0
            g.push(0);
            g.storeLocal(xo);
            g.push(0);
            g.storeLocal(zo);
            body.emit();
            return;
        }
        m.forLoop(r, 0, l.outer(), () -> {
            g.loadLocal(r);
            g.push(l.n());
            g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            g.storeLocal(xo);
            g.loadLocal(r);
            g.push(l.m());
            g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            g.storeLocal(zo);
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

    /** {@code a = x[xo + i]}; skips the row when a is 0 (common after relu): it would add nothing. */
    private static void loadInputSkipZero(MethodBuilder m, int x, int xo, int i, int a, Label skip) {
        GeneratorAdapter g = m.g;
        g.loadLocal(x);
        g.loadLocal(xo);
        g.loadLocal(i);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.arrayLoad(Type.FLOAT_TYPE);
        g.storeLocal(a);
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

    /** for i: a = x[i]; for k in row i's present connections: z[zo + col[k]] += a * w[k]. */
    private MethodBuilder.Body csrBody(MethodBuilder m, Kernel.Linear l, int x, int z, int xo, int zo) {
        GeneratorAdapter g = m.g;
        String f = ClassEmitter.fieldOf(l.kernel());
        int w = m.fieldToLocal(self, f, ClassEmitter.FLOATS);
        int start = m.fieldToLocal(self, f + "$start", ClassEmitter.INTS), col = m.fieldToLocal(self, f + "$col", ClassEmitter.INTS);
        int i = m.local("i", Type.INT_TYPE), k = m.local("k", Type.INT_TYPE), a = m.local("a", Type.FLOAT_TYPE);
        return () -> {
            zeroRow(m, z, zo, l.m());
            m.forLoop(i, 0, l.n(), () -> {
                Label skip = new Label();
                loadInputSkipZero(m, x, xo, i, a, skip);
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
                }, w, k));
                g.mark(skip);
            });
        };
    }

    /** {@code z[zo + unit] += a * weights[k]}: the one update both contraction paths make per connection. */
    private static void accumulate(GeneratorAdapter g, int z, int zo, int a, MethodBuilder.Body unit, int weights, int k) {
        g.loadLocal(z);
        g.loadLocal(zo);
        unit.emit();
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.dup2();
        g.arrayLoad(Type.FLOAT_TYPE);
        g.loadLocal(a);
        g.loadLocal(weights);
        g.loadLocal(k);
        g.arrayLoad(Type.FLOAT_TYPE);
        g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
        g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
        g.arrayStore(Type.FLOAT_TYPE);
    }

    /** Fixed weights as constants: z[zo + j] = x[xo + i1] * w1 + x[xo + i2] * w2 + ...; zeros and absent connections vanish. */
    private MethodBuilder.Body unrolledBody(MethodBuilder m, Kernel.Linear l, int x, int z, int xo, int zo) {
        GeneratorAdapter g = m.g;
        Param p = l.kernel();
        Connectivity c = p.present();
        return () -> {
            for (int j = 0; j < l.m(); j++) {
                g.loadLocal(z);
                g.loadLocal(zo);
                g.push(j);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                boolean first = true;
                for (int i = 0; i < l.n(); i++) {
                    float w = p.fixed()[i * l.m() + j];
                    if (w == 0 || (c != null && !c.get(i, j))) continue;
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

    // ---- fused elementwise loops

    private void map(MethodBuilder m, Kernel.Map map) {
        Map<Buffer, Integer> locals = new LinkedHashMap<>();
        Map<Param, Integer> biasLocals = new LinkedHashMap<>();
        boolean unroll = unrolled(map);
        for (Kernel.Assign a : map.assigns()) {
            locals.computeIfAbsent(a.out(), b -> buffer(m, b));
            loads(a.value(), m, locals, biasLocals, unroll);
        }
        if (unroll) {
            for (int j = 0; j < map.extent(); j++) assignAll(m, map, locals, biasLocals, -1, j);
            return;
        }
        int j = m.local("j", Type.INT_TYPE);
        m.forLoop(j, 0, map.extent(), () -> assignAll(m, map, locals, biasLocals, j, 0));
    }

    private void loads(Expr e, MethodBuilder m, Map<Buffer, Integer> locals, Map<Param, Integer> biasLocals, boolean unroll) {
        if (e instanceof Expr.Load l) locals.computeIfAbsent(l.buffer(), b -> buffer(m, b));
        else if (e instanceof Expr.Bias b && !unroll) biasLocals.computeIfAbsent(b.param(), p -> m.fieldToLocal(self, ClassEmitter.fieldOf(p), ClassEmitter.FLOATS));
        else if (e instanceof Expr.Unary u) loads(u.x(), m, locals, biasLocals, unroll);
        else if (e instanceof Expr.Binary b) {
            loads(b.a(), m, locals, biasLocals, unroll);
            loads(b.b(), m, locals, biasLocals, unroll);
        }
    }

    /** Every assignment at one index: the loop variable {@code jLocal}, or the constant {@code jConst} when unrolled. */
    private void assignAll(MethodBuilder m, Kernel.Map map, Map<Buffer, Integer> locals, Map<Param, Integer> biasLocals, int jLocal, int jConst) {
        GeneratorAdapter g = m.g;
        for (Kernel.Assign a : map.assigns()) {
            g.loadLocal(locals.get(a.out()));
            index(g, jLocal, jConst);
            expr(m, a.value(), map.extent(), locals, biasLocals, jLocal, jConst);
            g.arrayStore(Type.FLOAT_TYPE);
        }
    }

    private static void index(GeneratorAdapter g, int jLocal, int jConst) {
        if (jLocal >= 0) g.loadLocal(jLocal);
        else g.push(jConst);
    }

    private void expr(MethodBuilder m, Expr e, int extent, Map<Buffer, Integer> locals, Map<Param, Integer> biasLocals, int jLocal, int jConst) {
        GeneratorAdapter g = m.g;
        if (e instanceof Expr.Const c) g.push(c.value());
        else if (e instanceof Expr.Load l) {
            g.loadLocal(locals.get(l.buffer()));
            if (l.buffer().size() == 1) g.push(0); // a [1] tensor broadcast over the loop
            else index(g, jLocal, jConst);
            g.arrayLoad(Type.FLOAT_TYPE);
        } else if (e instanceof Expr.Bias b) {
            if (jLocal < 0) g.push(b.param().fixed()[jConst % b.units()]);
            else {
                g.loadLocal(biasLocals.get(b.param()));
                g.loadLocal(jLocal);
                if (b.units() != extent) {
                    g.push(b.units());
                    g.math(GeneratorAdapter.REM, Type.INT_TYPE);
                }
                g.arrayLoad(Type.FLOAT_TYPE);
            }
        } else if (e instanceof Expr.Unary u) {
            expr(m, u.x(), extent, locals, biasLocals, jLocal, jConst);
            switch (u.op()) {
                case RELU -> g.invokeStatic(FN, Method.getMethod("float relu(float)"));
                case SIGMOID -> g.invokeStatic(FN, Method.getMethod("float sigmoid(float)"));
                case TANH -> g.invokeStatic(FN, Method.getMethod("float tanh(float)"));
                case GELU -> g.invokeStatic(FN, Method.getMethod("float gelu(float)"));
                case LEAKY_RELU -> {
                    g.push(u.alpha());
                    g.invokeStatic(FN, Method.getMethod("float leakyRelu(float, float)"));
                }
                default -> throw new IllegalStateException("not an activation: " + u.op());
            }
        } else if (e instanceof Expr.Binary b) {
            expr(m, b.a(), extent, locals, biasLocals, jLocal, jConst);
            expr(m, b.b(), extent, locals, biasLocals, jLocal, jConst);
            g.math(switch (b.op()) {
                case ADD -> GeneratorAdapter.ADD;
                case SUB -> GeneratorAdapter.SUB;
                case MUL -> GeneratorAdapter.MUL;
                case DIV -> GeneratorAdapter.DIV;
                default -> throw new IllegalStateException("not binary: " + b.op());
            }, Type.FLOAT_TYPE);
        }
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
}
