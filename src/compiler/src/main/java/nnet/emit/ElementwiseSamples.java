package nnet.emit;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Expr;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import nnet.runtime.Activation;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * The fused elementwise loops ({@link Kernel.Map}): one loop over the elements whose body
 * computes every store's expression at that element. For one sample the element is index j of
 * flat buffers; over a tile, element j is a row of each buffer and the body runs for every lane s
 * of it ({@code out[j][s] = f(in[j][s])}, the loop C2 vectorizes), with a bias value read once per row.
 * A store into gradient storage (a bias gradient) sums over the lanes first.
 */
final class ElementwiseSamples {
    /** A map this short whose biases are all fixed is unrolled, so the constants fold into the code. */
    static final int UNROLL = 64;
    private static final Type ACTIVATION = Type.getType(Activation.class);

    /** How an expression reads its leaves at the element being computed; a [1] buffer is broadcast (its element 0, or its row 0 in a tile). */
    private interface Leaves {
        void load(Expr.Load l);

        void bias(Expr.Bias b);
    }

    private final MethodBuilder m;
    private final GeneratorAdapter g;
    private final Type self;

    ElementwiseSamples(MethodBuilder m, Type self) {
        this.m = m;
        this.g = m.g;
        this.self = self;
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
        if (e instanceof Expr.Bias b) out.add(b.param());
        else if (e instanceof Expr.Activate a) biases(a.x(), out);
        else if (e instanceof Expr.Derivative d) biases(d.x(), out);
        else if (e instanceof Expr.Secant s) {
            biases(s.x(), out);
            biases(s.x0(), out);
        } else if (e instanceof Expr.Binary b) {
            biases(b.a(), out);
            biases(b.b(), out);
        }
    }

    // ---- one sample: element j of flat buffers

    /** Elements from {@code start} (a local) on: the vector form, when there is one, did those before. */
    void perSample(Kernel.Map map, int start) {
        Map<Buffer, Integer> arrays = new LinkedHashMap<>();
        Map<Param, Integer> biasArrays = new LinkedHashMap<>(), grads = new LinkedHashMap<>();
        boolean unroll = unrolled(map);
        declare(map, arrays, biasArrays, grads, b -> m.fieldToLocal(self, b.field(), ClassEmitter.FLOATS), !unroll);
        if (unroll) {
            for (int j = 0; j < map.extent(); j++) {
                int at = j;
                storeAll(map, arrays, grads, () -> g.push(at), () -> g.push(at), at, leaves(arrays, l -> g.push(l.buffer().size() == 1 ? 0 : l.offset() + at), b -> g.push(b.param().fixed()[at % b.units()])));
            }
            return;
        }
        int j = m.local("j", Type.INT_TYPE);
        m.forLoop(j, m.value(start), m.constant(map.extent()), () -> storeAll(map, arrays, grads, m.value(j), m.value(j), -1,
                leaves(arrays, l -> (l.buffer().size() == 1 ? m.constant(0) : m.at(j, l.offset())).emit(), b -> m.elementOf(biasArrays.get(b.param()), units(j, b, map.extent())).emit())));
    }

    /** Pushes {@code j % units}, or j when the map covers one row of units. */
    private MethodBuilder.Body units(int j, Expr.Bias b, int extent) {
        return () -> {
            g.loadLocal(j);
            if (b.units() != extent) {
                g.push(b.units());
                g.math(GeneratorAdapter.REM, Type.INT_TYPE);
            }
        };
    }

    // ---- a tile: element j is a row, the body runs for each lane

    /** A row of a buffer a tile map reads or writes at each element: {@code offset + j}. */
    record Part(Buffer buffer, int offset) {}

    void tile(Kernel.Map map) {
        Map<Buffer, Integer> rows = new LinkedHashMap<>();
        Map<Part, Integer> rowOf = new LinkedHashMap<>();
        Map<Param, Integer> biasArrays = new LinkedHashMap<>(), grads = new LinkedHashMap<>();
        Map<Expr.Bias, Integer> biasValue = new LinkedHashMap<>();
        Map<Kernel.Store, Integer> sums = new LinkedHashMap<>();
        boolean unroll = unrolled(map);
        declare(map, rows, biasArrays, grads, b -> m.fieldToLocal(self, TileKernels.rowsField(b), ClassEmitter.ROWS), !unroll);
        for (Kernel.Store s : map.stores()) {
            if (s instanceof Kernel.Assign a) rowOf.computeIfAbsent(new Part(a.out(), a.offset()), this::rowLocal);
            parts(s.value(), rowOf);
            biasesOf(s.value(), biasValue);
            biasValue.replaceAll((b, v) -> v >= 0 ? v : m.local("bias", Type.FLOAT_TYPE));
            if (s instanceof Kernel.AddToGrad) sums.put(s, m.local("sum", Type.FLOAT_TYPE));
        }
        int lane = m.local("s", Type.INT_TYPE);
        Leaves leaves = new Leaves() {
            @Override
            public void load(Expr.Load l) {
                g.loadLocal(rowOf.get(new Part(l.buffer(), l.offset())));
                g.loadLocal(lane);
                g.arrayLoad(Type.FLOAT_TYPE);
            }

            @Override
            public void bias(Expr.Bias b) {
                g.loadLocal(biasValue.get(b));
            }
        };
        if (unroll) { // fixed biases: each element with its constants
            for (int j = 0; j < map.extent(); j++) tileElement(map, rows, rowOf, grads, biasValue, sums, lane, leaves, m.constant(j), j, null);
            return;
        }
        int j = m.local("j", Type.INT_TYPE);
        m.forLoop(j, 0, map.extent(), () -> tileElement(map, rows, rowOf, grads, biasValue, sums, lane, leaves, m.value(j), -1,
                b -> m.elementOf(biasArrays.get(b.param()), units(j, b, map.extent())).emit()));
    }

    /** One element of a tile map: its rows, its bias values, then every store for each lane. */
    private void tileElement(Kernel.Map map, Map<Buffer, Integer> rows, Map<Part, Integer> rowOf, Map<Param, Integer> grads, Map<Expr.Bias, Integer> biasValue,
                             Map<Kernel.Store, Integer> sums, int lane, Leaves leaves, MethodBuilder.Body j, int jConst, java.util.function.Consumer<Expr.Bias> biasAtJ) {
        rowOf.forEach((part, r) -> m.rowOf(rows.get(part.buffer()), part.buffer().size() == 1 ? m.constant(0) : part.offset() == 0 ? j : m.sum(j, m.constant(part.offset())), r));
        biasValue.forEach((b, v) -> m.set(v, jConst >= 0 ? () -> g.push(b.param().fixed()[jConst % b.units()]) : () -> biasAtJ.accept(b)));
        sums.values().forEach(sum -> m.set(sum, () -> g.push(0f)));
        m.forLoop(lane, 0, Tiling.SIZE, () -> {
            for (Kernel.Store s : map.stores()) {
                if (s instanceof Kernel.Assign a) m.storeElement(rowOf.get(new Part(a.out(), a.offset())), m.value(lane), () -> expr(a.value(), leaves));
                else m.set(sums.get(s), m.add(m.value(sums.get(s)), () -> expr(s.value(), leaves)));
            }
        });
        sums.forEach((s, sum) -> addToGrad((Kernel.AddToGrad) s, grads, j, m.value(sum), map.extent()));
    }

    /** A local for the row of a part, named after its buffer. */
    private int rowLocal(Part p) {
        return m.local(p.buffer().field() + "Row", ClassEmitter.FLOATS);
    }

    /** The parts an expression loads, in order of first use. */
    static void parts(Expr e, java.util.Set<Part> out) {
        if (e instanceof Expr.Load l) out.add(new Part(l.buffer(), l.offset()));
        else if (e instanceof Expr.Activate a) parts(a.x(), out);
        else if (e instanceof Expr.Derivative d) parts(d.x(), out);
        else if (e instanceof Expr.Secant s) {
            parts(s.x(), out);
            parts(s.x0(), out);
        } else if (e instanceof Expr.Binary b) {
            parts(b.a(), out);
            parts(b.b(), out);
        }
    }

    /** The parts an expression loads, each with a row local. */
    private void parts(Expr e, Map<Part, Integer> out) {
        if (e instanceof Expr.Load l) out.computeIfAbsent(new Part(l.buffer(), l.offset()), this::rowLocal);
        else if (e instanceof Expr.Activate a) parts(a.x(), out);
        else if (e instanceof Expr.Derivative d) parts(d.x(), out);
        else if (e instanceof Expr.Secant s) {
            parts(s.x(), out);
            parts(s.x0(), out);
        } else if (e instanceof Expr.Binary b) {
            parts(b.a(), out);
            parts(b.b(), out);
        }
    }

    private static void biasesOf(Expr e, Map<Expr.Bias, Integer> out) {
        if (e instanceof Expr.Bias b) out.putIfAbsent(b, -1);
        else if (e instanceof Expr.Activate a) biasesOf(a.x(), out);
        else if (e instanceof Expr.Derivative d) biasesOf(d.x(), out);
        else if (e instanceof Expr.Secant s) {
            biasesOf(s.x(), out);
            biasesOf(s.x0(), out);
        } else if (e instanceof Expr.Binary b) {
            biasesOf(b.a(), out);
            biasesOf(b.b(), out);
        }
    }

    // ---- shared

    private interface ArrayOf {
        int local(Buffer b);
    }

    /** Locals for the buffers a map reads and writes, its bias arrays (unless folded) and gradient storage. */
    private void declare(Kernel.Map map, Map<Buffer, Integer> arrays, Map<Param, Integer> biasArrays, Map<Param, Integer> grads, ArrayOf arrayOf, boolean biasFields) {
        Set<Buffer> used = new LinkedHashSet<>();
        for (Kernel.Store s : map.stores()) {
            if (s instanceof Kernel.Assign a) used.add(a.out());
            else if (s instanceof Kernel.AddToGrad a) grads.computeIfAbsent(a.param(), p -> m.fieldToLocal(self, ClassEmitter.gradFieldOf(p), ClassEmitter.FLOATS));
            nnet.lower.KernelBuffers.loads(s.value(), used);
        }
        for (Buffer b : used) arrays.put(b, arrayOf.local(b));
        if (biasFields) for (Param p : fieldParams(map)) biasArrays.put(p, m.fieldToLocal(self, ClassEmitter.fieldOf(p), ClassEmitter.FLOATS));
    }

    private Leaves leaves(Map<Buffer, Integer> arrays, java.util.function.Consumer<Expr.Load> index, java.util.function.Consumer<Expr.Bias> bias) {
        return new Leaves() {
            @Override
            public void load(Expr.Load l) {
                g.loadLocal(arrays.get(l.buffer()));
                index.accept(l);
                g.arrayLoad(Type.FLOAT_TYPE);
            }

            @Override
            public void bias(Expr.Bias b) {
                bias.accept(b);
            }
        };
    }

    /** Every store at one element: {@code assignAt} indexes outputs; a gradient store is added at its row. */
    private void storeAll(Kernel.Map map, Map<Buffer, Integer> arrays, Map<Param, Integer> grads, MethodBuilder.Body assignAt, MethodBuilder.Body j, int jConst, Leaves leaves) {
        for (Kernel.Store s : map.stores()) {
            if (s instanceof Kernel.Assign a) m.storeElement(arrays.get(a.out()), a.offset() == 0 ? assignAt : m.sum(assignAt, m.constant(a.offset())), () -> expr(a.value(), leaves));
            else addToGrad((Kernel.AddToGrad) s, grads, jConst >= 0 ? m.constant(jConst) : j, () -> expr(s.value(), leaves), map.extent());
        }
    }

    /** {@code grad[j / per % size] += value}: a bias gradient, summed over rows (and positions of a conv filter). */
    private void addToGrad(Kernel.AddToGrad a, Map<Param, Integer> grads, MethodBuilder.Body j, MethodBuilder.Body value, int extent) {
        m.addToElement(grads.get(a.param()), () -> {
            j.emit();
            if (a.per() != 1) {
                g.push(a.per());
                g.math(GeneratorAdapter.DIV, Type.INT_TYPE);
            }
            if ((long) a.size() * a.per() != extent) {
                g.push(a.size());
                g.math(GeneratorAdapter.REM, Type.INT_TYPE);
            }
        }, value);
    }

    /** Pushes the value of an element expression. */
    private void expr(Expr e, Leaves leaves) {
        if (e instanceof Expr.Const c) g.push(c.value());
        else if (e instanceof Expr.Load l) leaves.load(l);
        else if (e instanceof Expr.Bias b) leaves.bias(b);
        else if (e instanceof Expr.Activate a) activation(a.f(), GeneratedCode.ACTIVATION_APPLY, a.x(), leaves);
        else if (e instanceof Expr.Derivative d) activation(d.f(), GeneratedCode.ACTIVATION_DERIVATIVE, d.x(), leaves);
        else if (e instanceof Expr.Secant s) {
            g.getStatic(ACTIVATION, s.f().fn().name(), ACTIVATION);
            expr(s.x(), leaves);
            expr(s.x0(), leaves);
            g.push(s.f().alpha());
            m.invoke(GeneratedCode.ACTIVATION_SECANT);
        }
        else if (e instanceof Expr.Binary b) {
            expr(b.a(), leaves);
            expr(b.b(), leaves);
            g.math(switch (b.op()) {
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
        g.getStatic(ACTIVATION, f.fn().name(), ACTIVATION);
        expr(x, leaves);
        g.push(f.alpha());
        m.invoke(method);
    }
}
