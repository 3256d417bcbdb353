package nnet.emit;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Expr;
import nnet.lower.Kernel;
import nnet.lower.KernelBuffers;
import nnet.runtime.math.Activation;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * The elementwise family ({@link Kernel.Map}): one loop over the elements whose body computes every
 * store's expression at that element. What its forms share is here: which params and parts of
 * buffers a map reads, whether its constants fold into the code, and the expression pushed as Java
 * would compute it (each activation a call of its {@link Activation} row, which the JIT inlines).
 * One sample's form is {@link ElementwiseSamples}, a tile's {@link ElementwiseTiles}, the Vector API's
 * {@link ElementwiseVectors}.
 */
abstract sealed class Elementwise permits ElementwiseSamples, ElementwiseTiles {
    /** A map this short whose biases are all fixed is unrolled, so the constants fold into the code. */
    static final int UNROLL = 64;
    private static final Type ACTIVATION = Type.getType(Activation.class);

    /** How an expression reads its leaves at the element being computed; a [1] buffer is broadcast (its element 0, or its row 0 in a tile). */
    interface Leaves {
        void load(Expr.Load l);

        void bias(Expr.Bias b);
    }

    protected final MethodBuilder m;

    Elementwise(MethodBuilder m) {
        this.m = m;
    }

    /** Bias params a map reads through fields: none when it is unrolled (its biases are constants). */
    static Set<Param> fieldParams(Kernel.Map map) {
        Set<Param> out = new LinkedHashSet<>();
        if (!unrolled(map)) for (Kernel.Store s : map.stores()) biases(s.value(), out);
        return out;
    }

    static boolean unrolled(Kernel.Map map) {
        if (map.extent() > UNROLL) return false;
        Set<Param> ps = new LinkedHashSet<>();
        for (Kernel.Store s : map.stores()) biases(s.value(), ps);
        return !ps.isEmpty() && ps.stream().allMatch(Param::isFixed);
    }

    /** The bias params an expression reads. */
    static void biases(Expr e, Set<Param> out) {
        for (Expr leaf : e.leaves()) if (leaf instanceof Expr.Bias b) out.add(b.param());
    }

    /** A row of a buffer a tile map reads or writes at each element: {@code offset + j}. */
    record Part(Buffer buffer, int offset) {}

    /** The parts an expression loads, in order of first use. */
    static void parts(Expr e, Set<Part> out) {
        for (Expr leaf : e.leaves()) if (leaf instanceof Expr.Load l) out.add(new Part(l.buffer(), l.offset()));
    }

    /** Pushes {@code j % units}, or j when the map covers one row of units. */
    protected MethodBuilder.Body units(int j, Expr.Bias b, int extent) {
        return () -> {
            m.loadLocal(j);
            if (b.units() != extent) {
                m.push(b.units());
                m.math(GeneratorAdapter.REM, Type.INT_TYPE);
            }
        };
    }

    // ---- shared

    interface ArrayOf {
        int local(Buffer b);
    }

    /** Locals for the buffers a map reads and writes, its bias arrays (unless folded) and gradient storage. */
    void declare(Kernel.Map map, Map<Buffer, Integer> arrays, Map<Param, Integer> biasArrays, Map<Param, Integer> grads, ArrayOf arrayOf, boolean biasFields) {
        Set<Buffer> used = new LinkedHashSet<>();
        for (Kernel.Store s : map.stores()) {
            if (s instanceof Kernel.Assign a) used.add(a.out());
            else if (s instanceof Kernel.AddToGrad a) grads.computeIfAbsent(a.param(), p -> m.fieldToLocal(Fields.gradient(p)));
            nnet.lower.KernelBuffers.loads(s.value(), used);
        }
        for (Buffer b : used) arrays.put(b, arrayOf.local(b));
        if (biasFields) for (Param p : fieldParams(map)) biasArrays.put(p, m.fieldToLocal(Fields.values(p)));
    }

    Leaves leaves(Map<Buffer, Integer> arrays, java.util.function.Consumer<Expr.Load> index, java.util.function.Consumer<Expr.Bias> bias) {
        return new Leaves() {
            @Override
            public void load(Expr.Load l) {
                m.loadLocal(arrays.get(l.buffer()));
                index.accept(l);
                m.arrayLoad(Type.FLOAT_TYPE);
            }

            @Override
            public void bias(Expr.Bias b) {
                bias.accept(b);
            }
        };
    }

    /** Every store at one element: {@code assignAt} indexes outputs; a gradient store is added at its row. */
    void storeAll(Kernel.Map map, Map<Buffer, Integer> arrays, Map<Param, Integer> grads, MethodBuilder.Body assignAt, MethodBuilder.Body j, int jConst, Leaves leaves) {
        for (Kernel.Store s : map.stores()) {
            if (s instanceof Kernel.Assign a) m.storeElement(arrays.get(a.out()), a.offset() == 0 ? assignAt : m.sum(assignAt, m.constant(a.offset())), () -> expr(a.value(), leaves));
            else addToGrad((Kernel.AddToGrad) s, grads, jConst >= 0 ? m.constant(jConst) : j, () -> expr(s.value(), leaves), map.extent());
        }
    }

    /** {@code grad[j / per % size] += value}: a bias gradient, summed over rows (and positions of a conv filter). */
    void addToGrad(Kernel.AddToGrad a, Map<Param, Integer> grads, MethodBuilder.Body j, MethodBuilder.Body value, int extent) {
        m.addToElement(grads.get(a.param()), () -> {
            j.emit();
            if (a.per() != 1) {
                m.push(a.per());
                m.math(GeneratorAdapter.DIV, Type.INT_TYPE);
            }
            if ((long) a.size() * a.per() != extent) {
                m.push(a.size());
                m.math(GeneratorAdapter.REM, Type.INT_TYPE);
            }
        }, value);
    }

    /** Pushes the value of an element expression. */
    void expr(Expr e, Leaves leaves) {
        if (e instanceof Expr.Const c) m.push(c.value());
        else if (e instanceof Expr.Load l) leaves.load(l);
        else if (e instanceof Expr.Bias b) leaves.bias(b);
        else if (e instanceof Expr.Activate a) activation(a.f(), GeneratedCode.ACTIVATION_APPLY, a.x(), leaves);
        else if (e instanceof Expr.Derivative d) activation(d.f(), GeneratedCode.ACTIVATION_DERIVATIVE, d.x(), leaves);
        else if (e instanceof Expr.Secant s) {
            m.getStatic(ACTIVATION, s.f().fn().name(), ACTIVATION);
            expr(s.x(), leaves);
            expr(s.x0(), leaves);
            m.push(s.f().alpha());
            m.invoke(GeneratedCode.ACTIVATION_SECANT);
        }
        else if (e instanceof Expr.Binary b) {
            expr(b.a(), leaves);
            expr(b.b(), leaves);
            m.math(switch (b.op()) {
                case ADD -> GeneratorAdapter.ADD;
                case SUB -> GeneratorAdapter.SUB;
                case MUL -> GeneratorAdapter.MUL;
                case DIV -> GeneratorAdapter.DIV;
                default -> throw new IllegalStateException("not binary: " + b.op());
            }, Type.FLOAT_TYPE);
        }
    }

    /** {@code Activation.F.method(x, alpha)}: the row of the activation table, called on its constant (the JIT inlines it). */
    private void activation(Op.ActivationSpec f, GeneratedCode.Ref method, Expr x, Leaves leaves) {
        m.getStatic(ACTIVATION, f.fn().name(), ACTIVATION);
        expr(x, leaves);
        m.push(f.alpha());
        m.invoke(method);
    }
}
