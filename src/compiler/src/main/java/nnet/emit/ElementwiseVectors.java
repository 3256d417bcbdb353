package nnet.emit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Op;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Expr;
import nnet.lower.Kernel;
import nnet.lower.KernelBuffers;
import nnet.runtime.math.Activation;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.Method;

/**
 * The fused elementwise loops ({@link Kernel.Map}) of a tile with the Vector API: element j is a
 * row of lanes, and each expression is computed on one vector of lanes at a time. C2 vectorizes
 * the plain form's 32-lane loops poorly (its unrolled vector loop needs more iterations than a
 * row has), which left activations and gates as costly as the convolutions around them.
 *
 * <p>Each map gets a driver and micro-kernels of its own (the expressions are the map's): a
 * micro-kernel runs rows {@code [j0, j1)}, its loop finding row j's references once and computing
 * its stores there for each vector of the row's lanes in turn; a bias gradient summed over positions ({@code per > 1}) is accumulated in a
 * vector and added to its entry once per call, so a call's rows lie within one group of {@code per}
 * rows of every such store. The stores are shared out among micro-kernels of at most
 * {@link #OPS_PER_KERNEL} vector operations, called in order for each chunk of rows (a store reads
 * what an earlier one wrote at the same row): the JIT intrinsifies a Vector API call only when it
 * inlines it, and stops inlining in a method that grows too large, boxing every vector after.
 * Activations are computed as {@link Activation}'s float forms compute them (the same operations,
 * so results are the plain form's); an activation without a vector form here ({@link #VECTOR_FORMS}:
 * gelu, whose float form is a call of Math.tanh, and any row added to the table later) keeps its map
 * in the plain form, so a new activation needs no change in this class.
 */
final class ElementwiseVectors {
    /** The activations written out in vector operations below. */
    private static final java.util.Set<Activation> VECTOR_FORMS = java.util.EnumSet.of(Activation.RELU, Activation.SIGMOID, Activation.TANH, Activation.LEAKY_RELU);
    /** Rows per call at most: a bounded loop. */
    static final int ROWS_PER_CALL = 256;
    /** Vector operations per micro-kernel at most (tanh is about 25), unless one store alone has more. */
    static final int OPS_PER_KERNEL = 32;
    private static final Type F1 = Fields.FLOATS, INT = Type.INT_TYPE;

    private final ClassBuilder c;

    ElementwiseVectors(ClassBuilder c) {
        this.c = c;
    }

    /** What a map's vector form reads: tile rows of its buffers, bias arrays, gradient storage (in this order). */
    private record Parts(List<Buffer> buffers, List<Param> biases, List<Param> grads) {
        static Parts of(Kernel.Map map) {
            Set<Buffer> buffers = new LinkedHashSet<>();
            Set<Param> biases = new LinkedHashSet<>(), grads = new LinkedHashSet<>();
            for (Kernel.Store s : map.stores()) {
                if (s instanceof Kernel.Assign a) buffers.add(a.out());
                else grads.add(((Kernel.AddToGrad) s).param());
                KernelBuffers.loads(s.value(), buffers);
                Elementwise.biases(s.value(), biases);
            }
            return new Parts(List.copyOf(buffers), List.copyOf(biases), List.copyOf(grads));
        }
    }

    /** The arguments of a map's vector form, or null when it has none (gelu, or constants folded into the plain form). */
    static List<Fields.Field> arguments(Kernel.Map map) {
        if (Elementwise.unrolled(map)) return null;
        for (Kernel.Store s : map.stores()) if (!vectorizable(s.value())) return null;
        Parts parts = Parts.of(map);
        List<Fields.Field> a = new ArrayList<>();
        for (Buffer b : parts.buffers()) a.add(Fields.tileRows(b));
        for (Param p : parts.biases()) a.add(Fields.values(p));
        for (Param p : parts.grads()) a.add(Fields.gradient(p));
        return a;
    }

    /** The next argument of a micro-kernel, named after the field the driver loads it from. */
    private static int argument(MethodBuilder m, Fields.Field f) {
        return m.argument(f.name(), f.type());
    }

    private static boolean vectorizable(Expr e) {
        if (e instanceof Expr.Activate a) return VECTOR_FORMS.contains(a.f().fn()) && vectorizable(a.x());
        if (e instanceof Expr.Derivative d) return VECTOR_FORMS.contains(d.f().fn()) && vectorizable(d.x());
        if (e instanceof Expr.Binary b) return vectorizable(b.a()) && vectorizable(b.b());
        return !(e instanceof Expr.Secant); // a secant's branch has no vector form: its plain loop runs
    }

    /** The driver's body, its arguments in locals {@code a}: for each chunk of rows, the micro-kernels {@code name$rowsN} in order. */
    void emit(Kernel.Map map, String name, MethodBuilder m, int[] a, List<Fields.Field> args, int line) {
        List<Method> micro = new ArrayList<>();
        for (List<Kernel.Store> group : groups(map.stores())) micro.add(microKernel(map, group, name + "$rows" + micro.size(), args, line));
        int rows = rowsPerCall(map), j = m.local("j", INT);
        m.forLoop(j, 0, map.extent(), rows, () -> {
            for (Method kernel : micro) {
                for (int local : a) m.loadLocal(local);
                m.loadLocal(j);
                m.min(m.constant(map.extent()), m.at(j, rows)).emit();
                m.invokeStatic(m.owner(), kernel);
            }
        });
    }

    /** Consecutive stores, as many as fit in {@link #OPS_PER_KERNEL} (at least one). */
    private static List<List<Kernel.Store>> groups(List<Kernel.Store> stores) {
        List<List<Kernel.Store>> out = new ArrayList<>();
        List<Kernel.Store> group = new ArrayList<>();
        int ops = 0;
        for (Kernel.Store s : stores) {
            int cost = cost(s.value()) + 1;
            if (!group.isEmpty() && ops + cost > OPS_PER_KERNEL) {
                out.add(group);
                group = new ArrayList<>();
                ops = 0;
            }
            group.add(s);
            ops += cost;
        }
        out.add(group);
        return out;
    }

    /** Vector operations an expression takes, as {@link Values} computes it. */
    private static int cost(Expr e) {
        if (e instanceof Expr.Binary b) return 1 + cost(b.a()) + cost(b.b());
        if (e instanceof Expr.Activate a) return cost(a.x()) + switch (a.f().fn()) {
            case RELU -> 1;
            case LEAKY_RELU -> 3;
            case TANH -> 25;
            case SIGMOID -> 27;
            default -> throw new IllegalStateException(a.f().fn() + " has no vector form");
        };
        if (e instanceof Expr.Derivative d) return cost(d.x()) + switch (d.f().fn()) {
            case RELU -> 4;
            case LEAKY_RELU -> 4;
            case TANH -> 28;
            case SIGMOID -> 30;
            default -> throw new IllegalStateException(d.f().fn() + " has no vector form");
        };
        return 1;
    }

    /** Rows per call: within one group of every summed bias gradient (a divisor of their gcd), at most ROWS_PER_CALL. */
    private static int rowsPerCall(Kernel.Map map) {
        int g = 0;
        for (Kernel.Store s : map.stores()) if (s instanceof Kernel.AddToGrad a && a.per() > 1) g = gcd(g, a.per());
        if (g == 0) return ROWS_PER_CALL;
        for (int d = Math.min(g, ROWS_PER_CALL); d > 1; d--) if (g % d == 0) return d;
        return 1;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * The stores of {@code group} for rows {@code [j0, j1)}, each row's lanes a vector at a time in a loop
     * within the row: the row references are found once a row, not once per vector of lanes (AVX2 has
     * 4 vectors in a row, AVX-512 2; a row's references and bounds were most of a cheap map's work).
     */
    private Method microKernel(Kernel.Map map, List<Kernel.Store> group, String name, List<Fields.Field> args, int line) {
        Type[] types = new Type[args.size() + 2];
        for (int i = 0; i < args.size(); i++) types[i] = args.get(i).type();
        types[args.size()] = types[args.size() + 1] = INT;
        Method method = new Method(name, Type.VOID_TYPE, types);
        MethodBuilder m = c.method(Opcodes.ACC_STATIC | Opcodes.ACC_PRIVATE, method, line);
        Parts parts = Parts.of(map);
        Map<Buffer, Integer> rowsOf = new HashMap<>();
        Map<Elementwise.Part, Integer> rowOf = new HashMap<>();
        Map<Param, Integer> biasOf = new HashMap<>(), gradOf = new HashMap<>();
        for (Buffer b : parts.buffers()) rowsOf.put(b, argument(m, Fields.tileRows(b)));
        for (Param p : parts.biases()) biasOf.put(p, argument(m, Fields.values(p)));
        for (Param p : parts.grads()) gradOf.put(p, argument(m, Fields.gradient(p)));
        int j0 = m.argument("j0", INT), j1 = m.argument("j1", INT), lane = m.local("lane", INT);
        VectorOps v = new VectorOps(m);
        Map<Expr.Bias, Integer> biasValue = new HashMap<>();
        Map<Kernel.Store, Integer> sums = new HashMap<>();
        for (Kernel.Store s : group)
            if (s instanceof Kernel.AddToGrad a && a.per() > 1) sums.put(s, v.local("sum", v.zero()));
        Set<Elementwise.Part> used = new LinkedHashSet<>();
        for (Kernel.Store s : group) {
            if (s instanceof Kernel.Assign a) used.add(new Elementwise.Part(a.out(), a.offset()));
            Elementwise.parts(s.value(), used);
        }
        for (Elementwise.Part p : used) rowOf.put(p, m.local(p.buffer().field() + "Row" + (p.offset() == 0 ? "" : "At" + p.offset()), F1));
        int j = m.local("j", INT);
        MethodBuilder.Body lanes = m.value(lane);
        m.forLoop(j, m.value(j0), m.value(j1), () -> {
            for (Elementwise.Part p : used)
                m.rowOf(rowsOf.get(p.buffer()), p.buffer().size() == 1 ? m.constant(0) : p.offset() == 0 ? m.value(j) : m.sum(m.value(j), m.constant(p.offset())), rowOf.get(p));
            // the stores at row j for the vector of lanes at lane
            m.forLoopBy(lane, m.constant(0), m.constant(nnet.lower.Tiling.SIZE), () -> m.getStatic(Fields.LENGTH), () -> {
                Map<Elementwise.Part, Integer> stored = new HashMap<>(); // values this row already assigned: later stores read them
                Values values = new Values(m, v, stored, p -> v.load(rowOf.get(p), lanes), b -> {
                    int at = biasValue.computeIfAbsent(b, k -> m.local("bias", Type.FLOAT_TYPE));
                    m.set(at, m.elementOf(biasOf.get(b.param()), b.units() == map.extent() ? m.value(j) : () -> {
                        m.loadLocal(j);
                        m.push(b.units());
                        m.math(org.objectweb.asm.commons.GeneratorAdapter.REM, INT);
                    }));
                    return v.broadcast(m.value(at));
                });
                for (Kernel.Store s : group) {
                    int value = values.of(s.value());
                    if (s instanceof Kernel.Assign a) {
                        Elementwise.Part part = new Elementwise.Part(a.out(), a.offset());
                        v.store(value, rowOf.get(part), lanes);
                        stored.put(part, value);
                    } else if (sums.containsKey(s)) v.set(sums.get(s), v.add(sums.get(s), m.value(value)));
                    else addToGrad((Kernel.AddToGrad) s, m, gradOf.get(((Kernel.AddToGrad) s).param()), m.value(j), v.sumOfLanes(value), map.extent());
                }
            });
        });
        sums.forEach((s, sum) -> addToGrad((Kernel.AddToGrad) s, m, gradOf.get(((Kernel.AddToGrad) s).param()), m.value(j0), v.sumOfLanes(sum), map.extent()));
        m.end();
        return method;
    }


    // ---- one sample: element j of flat buffers, a vector of elements at a time

    /**
     * The arguments of a map's one-sample vector form (its flat buffers, biases, gradient storage), or
     * null when it has none: fewer than 16 elements, an activation without a vector form, or a bias or
     * bias gradient whose vector of elements is not a run of its entries (every vector length divides 16).
     */
    static List<Fields.Field> sampleArguments(Kernel.Map map) {
        if (map.extent() < 16 || Elementwise.unrolled(map)) return null;
        for (Kernel.Store s : map.stores()) {
            if (!vectorizable(s.value()) || !wholeBiases(s.value(), map.extent())) return null;
            if (s instanceof Kernel.AddToGrad a && !(a.per() == 1 && (a.size() % 16 == 0 || a.size() == map.extent()) || a.per() % 16 == 0)) return null;
        }
        Parts parts = Parts.of(map);
        List<Fields.Field> a = new ArrayList<>();
        for (Buffer b : parts.buffers()) a.add(Fields.buffer(b));
        for (Param p : parts.biases()) a.add(Fields.values(p));
        for (Param p : parts.grads()) a.add(Fields.gradient(p));
        return a;
    }

    /** Whether every bias of {@code e} covers the map once or comes in runs of a multiple of 16 units. */
    private static boolean wholeBiases(Expr e, int extent) {
        if (e instanceof Expr.Bias b) return b.units() % 16 == 0 || b.units() == extent;
        if (e instanceof Expr.Activate a) return wholeBiases(a.x(), extent);
        if (e instanceof Expr.Derivative d) return wholeBiases(d.x(), extent);
        if (e instanceof Expr.Binary b) return wholeBiases(b.a(), extent) && wholeBiases(b.b(), extent);
        return true;
    }

    /**
     * The one-sample driver's body, its arguments in locals {@code a}: elements {@code [0, m - m % V)} in
     * chunks, the micro-kernels {@code name$elementsN} in order on each; returns where it stopped (the plain
     * form does the rest).
     */
    void emitSample(Kernel.Map map, String name, MethodBuilder m, int[] a, List<Fields.Field> args, int line) {
        List<Method> micro = new ArrayList<>();
        for (List<Kernel.Store> group : groups(map.stores())) micro.add(sampleMicroKernel(map, group, name + "$elements" + micro.size(), args, line));
        int whole = m.local("whole", INT), j = m.local("j", INT);
        m.set(whole, () -> { // extent - extent % V
            m.push(map.extent());
            m.push(map.extent());
            m.getStatic(Fields.LENGTH);
            m.math(org.objectweb.asm.commons.GeneratorAdapter.REM, INT);
            m.math(org.objectweb.asm.commons.GeneratorAdapter.SUB, INT);
        });
        m.forLoop(j, m.constant(0), m.value(whole), ROWS_PER_CALL, () -> {
            for (Method kernel : micro) {
                for (int local : a) m.loadLocal(local);
                m.loadLocal(j);
                m.min(m.value(whole), m.at(j, ROWS_PER_CALL)).emit();
                m.invokeStatic(m.owner(), kernel);
            }
        });
        m.loadLocal(whole);
        m.returnValue();
    }

    /** The stores of {@code group} for elements {@code [j0, j1)}, a vector at a time ({@code j1 - j0} is whole vectors). */
    private Method sampleMicroKernel(Kernel.Map map, List<Kernel.Store> group, String name, List<Fields.Field> args, int line) {
        Type[] types = new Type[args.size() + 2];
        for (int i = 0; i < args.size(); i++) types[i] = args.get(i).type();
        types[args.size()] = types[args.size() + 1] = INT;
        Method method = new Method(name, Type.VOID_TYPE, types);
        MethodBuilder m = c.method(Opcodes.ACC_STATIC | Opcodes.ACC_PRIVATE, method, line);
        Parts parts = Parts.of(map);
        Map<Buffer, Integer> arrayOf = new HashMap<>();
        Map<Param, Integer> biasOf = new HashMap<>(), gradOf = new HashMap<>();
        for (Buffer b : parts.buffers()) arrayOf.put(b, argument(m, Fields.buffer(b)));
        for (Param p : parts.biases()) biasOf.put(p, argument(m, Fields.values(p)));
        for (Param p : parts.grads()) gradOf.put(p, argument(m, Fields.gradient(p)));
        int j0 = m.argument("j0", INT), j1 = m.argument("j1", INT), j = m.local("j", INT);
        VectorOps v = new VectorOps(m);
        java.util.function.Function<Elementwise.Part, MethodBuilder.Body> at = p -> p.offset() == 0 ? m.value(j) : m.at(j, p.offset());
        m.forLoopBy(j, m.value(j0), m.value(j1), () -> m.getStatic(Fields.LENGTH), () -> {
            Map<Elementwise.Part, Integer> stored = new HashMap<>(); // values these elements already assigned: later stores read them
            Values values = new Values(m, v, stored,
                    p -> p.buffer().size() == 1 ? v.broadcast(m.elementOf(arrayOf.get(p.buffer()), m.constant(0))) : v.load(arrayOf.get(p.buffer()), at.apply(p)),
                    b -> v.load(biasOf.get(b.param()), wrapped(m, j, b.units(), map.extent())));
            for (Kernel.Store s : group) {
                int value = values.of(s.value());
                if (s instanceof Kernel.Assign a) {
                    Elementwise.Part part = new Elementwise.Part(a.out(), a.offset());
                    v.store(value, arrayOf.get(a.out()), at.apply(part));
                    stored.put(part, value);
                    continue;
                }
                Kernel.AddToGrad g = (Kernel.AddToGrad) s;
                int grad = gradOf.get(g.param());
                if (g.per() == 1) { // grad[j % size ..] += the vector
                    MethodBuilder.Body index = wrapped(m, j, g.size(), map.extent());
                    v.store(v.add(value, v.load(grad, index)), grad, index);
                } else addToGrad(g, m, grad, m.value(j), v.sumOfLanes(value), map.extent()); // a vector lies within one group of per elements
            }
        });
        m.end();
        return method;
    }

    /** {@code j % size}, or j when the map covers one run of {@code size} elements. */
    private static MethodBuilder.Body wrapped(MethodBuilder m, int j, int size, int extent) {
        if (size == extent) return m.value(j);
        return () -> {
            m.loadLocal(j);
            m.push(size);
            m.math(org.objectweb.asm.commons.GeneratorAdapter.REM, INT);
        };
    }

    /** {@code grad[j / per % size] += value}, as the plain form indexes it. */
    private static void addToGrad(Kernel.AddToGrad a, MethodBuilder m, int grad, MethodBuilder.Body j, MethodBuilder.Body value, int extent) {
        m.addToElement(grad, () -> {
            j.emit();
            if (a.per() != 1) {
                m.push(a.per());
                m.math(org.objectweb.asm.commons.GeneratorAdapter.DIV, INT);
            }
            if ((long) a.size() * a.per() != extent) {
                m.push(a.size());
                m.math(org.objectweb.asm.commons.GeneratorAdapter.REM, INT);
            }
        }, value);
    }

    /** Expressions at one row and vector of lanes, each node's value in a vector local. */
    private static final class Values {
        private final MethodBuilder m;
        private final VectorOps v;
        private final Map<Elementwise.Part, Integer> stored;
        /** The vector of a part at the element being computed, and of a bias. */
        private final java.util.function.Function<Elementwise.Part, MethodBuilder.Body> load;
        private final java.util.function.Function<Expr.Bias, MethodBuilder.Body> bias;
        private final Map<Elementwise.Part, Integer> loaded = new HashMap<>();

        Values(MethodBuilder m, VectorOps v, Map<Elementwise.Part, Integer> stored, java.util.function.Function<Elementwise.Part, MethodBuilder.Body> load,
               java.util.function.Function<Expr.Bias, MethodBuilder.Body> bias) {
            this.m = m;
            this.v = v;
            this.stored = stored;
            this.load = load;
            this.bias = bias;
        }

        private int local(MethodBuilder.Body value) {
            return v.local("e", value);
        }

        int of(Expr e) {
            if (e instanceof Expr.Load l) {
                Elementwise.Part part = new Elementwise.Part(l.buffer(), l.offset());
                Integer s = stored.get(part);
                if (s != null) return s;
                return loaded.computeIfAbsent(part, p -> local(load.apply(p)));
            }
            if (e instanceof Expr.Const c) return local(v.constant(c.value()));
            if (e instanceof Expr.Bias b) return local(bias.apply(b));
            if (e instanceof Expr.Binary b) {
                int x = of(b.a()), y = of(b.b());
                return local(switch (b.op()) {
                    case ADD -> v.add(x, m.value(y));
                    case SUB -> v.sub(x, m.value(y));
                    case MUL -> v.mul(x, m.value(y));
                    case DIV -> v.div(x, m.value(y));
                    default -> throw new IllegalStateException("not binary: " + b.op());
                });
            }
            if (e instanceof Expr.Activate a) return activation(a.f(), of(a.x()));
            Expr.Derivative d = (Expr.Derivative) e;
            return derivative(d.f(), of(d.x()));
        }

        /** f(x) as {@link Activation#applyFloat} computes it. */
        private int activation(Op.ActivationSpec f, int x) {
            return switch (f.fn()) {
                case RELU -> local(v.max(x, v.constant(0f)));
                case SIGMOID -> sigmoid(x);
                case TANH -> tanh(x);
                case LEAKY_RELU -> { // x > 0 ? x : alpha x
                    int scaled = local(v.scale(x, f.alpha()));
                    int positive = m.local("positive", VectorOps.MASK);
                    m.set(positive, v.positive(x));
                    yield local(v.blend(scaled, x, positive));
                }
                default -> throw new IllegalStateException(f.fn() + " has no vector form");
            };
        }

        /** f'(x) as {@link Activation#derivativeFloat} computes it. */
        private int derivative(Op.ActivationSpec f, int x) {
            return switch (f.fn()) {
                case RELU -> { // min(max(x 2^100 2^100, 0), 1): 1 above 0, 0 at and below, NaN stays
                    int big = local(v.scale(local(v.scale(x, 0x1p100f)), 0x1p100f));
                    yield local(v.min(local(v.max(big, v.constant(0f))), v.constant(1f)));
                }
                case SIGMOID -> { // s (1 - s)
                    int s = sigmoid(x), one = local(v.constant(1f));
                    int rest = local(v.sub(one, m.value(s)));
                    yield local(v.mul(s, m.value(rest)));
                }
                case TANH -> { // fma(-t, t, 1)
                    int t = tanh(x);
                    int minus = local(v.scale(t, -1f));
                    yield local(v.fma(minus, m.value(t), local(v.constant(1f))));
                }
                case LEAKY_RELU -> {
                    int one = local(v.constant(1f)), alpha = local(v.constant(f.alpha()));
                    int positive = m.local("positive", VectorOps.MASK);
                    m.set(positive, v.positive(x));
                    yield local(v.blend(alpha, one, positive));
                }
                default -> throw new IllegalStateException(f.fn() + " has no vector form");
            };
        }

        /** fma(0.5, tanh(0.5 x), 0.5). */
        private int sigmoid(int x) {
            int t = tanh(local(v.scale(x, 0.5f)));
            return local(v.fma(t, v.constant(0.5f), local(v.constant(0.5f))));
        }

        /** Activation.tanhFloat, lane by lane: the same clamps and fused multiply-adds. */
        private int tanh(int input) {
            int x = local(v.max(local(v.min(input, v.constant(9f))), v.constant(-9f)));
            int x2 = local(v.mul(x, m.value(x)));
            int p = horner(Activation.tanhCoefficients(true), x2), q = horner(Activation.tanhCoefficients(false), x2);
            int ratio = local(v.div(local(v.mul(p, m.value(x))), m.value(q)));
            return local(v.max(local(v.min(ratio, v.constant(1f))), v.constant(-1f)));
        }

        /** c0 x^n + ... + cn by fused multiply-adds, as the scalar form: fma(c0, x, c1), then fma(p, x, c). */
        private int horner(float[] c, int x) {
            int p = local(v.fma(local(v.constant(c[0])), m.value(x), local(v.constant(c[1]))));
            for (int k = 2; k < c.length; k++) p = local(v.fma(p, m.value(x), local(v.constant(c[k]))));
            return p;
        }
    }
}
