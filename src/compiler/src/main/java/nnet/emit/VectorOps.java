package nnet.emit;

import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The Vector API operations micro-kernels are made of, as named calls on a {@link MethodBuilder};
 * vector values live in locals. {@code S} and {@code V} are the static species and length of the
 * helper class {@code owner} (one vector shape per process).
 */
final class VectorOps {
    static final Type VECTOR = VectorClass.VECTOR, SPECIES = VectorClass.SPECIES;
    static final Type MASK = Type.getObjectType("jdk/incubator/vector/VectorMask");
    private static final Type VECTOR_IFACE = Type.getObjectType("jdk/incubator/vector/Vector");
    private static final Type ASSOCIATIVE = Type.getObjectType("jdk/incubator/vector/VectorOperators$Associative");
    private static final Type OPERATORS = Type.getObjectType("jdk/incubator/vector/VectorOperators");
    private static final Type COMPARISON = Type.getObjectType("jdk/incubator/vector/VectorOperators$Comparison");

    private final MethodBuilder m;
    private final GeneratorAdapter g;
    private final Type owner;

    VectorOps(MethodBuilder m, Type owner) {
        this.m = m;
        this.g = m.g;
        this.owner = owner;
    }

    int newLocal(String name) {
        return m.local(name, VECTOR);
    }

    int local(String name, MethodBuilder.Body value) {
        int l = newLocal(name);
        set(l, value);
        return l;
    }

    void set(int local, MethodBuilder.Body value) {
        m.set(local, value);
    }

    /** Pushes {@code lane + c V}: the first lane of vector c of a block. */
    MethodBuilder.Body lane(int lane, int c) {
        return () -> {
            g.loadLocal(lane);
            if (c == 0) return;
            g.getStatic(owner, "V", Type.INT_TYPE);
            if (c != 1) {
                g.push(c);
                g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            }
            g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        };
    }

    /** {@code FloatVector.fromArray(S, array, offset)}. */
    MethodBuilder.Body load(int array, MethodBuilder.Body offset) {
        return () -> {
            g.getStatic(owner, "S", SPECIES);
            g.loadLocal(array);
            offset.emit();
            g.invokeStatic(VECTOR, new Method("fromArray", VECTOR, new Type[] {SPECIES, ClassEmitter.FLOATS, Type.INT_TYPE}));
        };
    }

    /** {@code FloatVector.broadcast(S, value)}. */
    MethodBuilder.Body broadcast(MethodBuilder.Body value) {
        return () -> {
            g.getStatic(owner, "S", SPECIES);
            value.emit();
            g.invokeStatic(VECTOR, new Method("broadcast", VECTOR, new Type[] {SPECIES, Type.FLOAT_TYPE}));
        };
    }

    /** {@code FloatVector.zero(S)}. */
    MethodBuilder.Body zero() {
        return () -> {
            g.getStatic(owner, "S", SPECIES);
            g.invokeStatic(VECTOR, new Method("zero", VECTOR, new Type[] {SPECIES}));
        };
    }

    /** {@code a.fma(b, c)}: a * b + c, fused. */
    MethodBuilder.Body fma(int a, MethodBuilder.Body b, int c) {
        return () -> {
            g.loadLocal(a);
            b.emit();
            g.loadLocal(c);
            g.invokeVirtual(VECTOR, new Method("fma", VECTOR, new Type[] {VECTOR_IFACE, VECTOR_IFACE}));
        };
    }

    MethodBuilder.Body fma(int a, int b, int c) {
        return fma(a, () -> g.loadLocal(b), c);
    }

    MethodBuilder.Body mul(int a, MethodBuilder.Body b) {
        return binary("mul", a, b);
    }

    MethodBuilder.Body add(int a, MethodBuilder.Body b) {
        return binary("add", a, b);
    }

    MethodBuilder.Body sub(int a, MethodBuilder.Body b) {
        return binary("sub", a, b);
    }

    MethodBuilder.Body div(int a, MethodBuilder.Body b) {
        return binary("div", a, b);
    }

    /** {@code a.min(b)}: lane by lane, Math.min's rule. */
    MethodBuilder.Body min(int a, MethodBuilder.Body b) {
        return binary("min", a, b);
    }

    /** Pushes the constant {@code k} in every lane. */
    MethodBuilder.Body constant(float k) {
        return broadcast(() -> g.push(k));
    }

    /** {@code a.compare(GT, 0)}: the mask of lanes above 0 (NaN is not). */
    MethodBuilder.Body positive(int a) {
        return () -> {
            g.loadLocal(a);
            g.getStatic(OPERATORS, "GT", COMPARISON);
            g.push(0f);
            g.invokeVirtual(VECTOR, new Method("compare", MASK, new Type[] {COMPARISON, Type.FLOAT_TYPE}));
        };
    }

    /** {@code a.max(b)}: lane by lane, NaN if either is (Math.max's rule). */
    MethodBuilder.Body max(int a, MethodBuilder.Body b) {
        return binary("max", a, b);
    }

    private MethodBuilder.Body binary(String op, int a, MethodBuilder.Body b) {
        return () -> {
            g.loadLocal(a);
            b.emit();
            g.invokeVirtual(VECTOR, new Method(op, VECTOR, new Type[] {VECTOR_IFACE}));
        };
    }

    /** {@code a.mul(k)} by a constant. */
    MethodBuilder.Body scale(int a, float k) {
        return () -> {
            g.loadLocal(a);
            g.push(k);
            g.invokeVirtual(VECTOR, new Method("mul", VECTOR, new Type[] {Type.FLOAT_TYPE}));
        };
    }

    /** {@code a.eq(b)}: the mask of lanes where they are equal. */
    MethodBuilder.Body eq(int a, MethodBuilder.Body b) {
        return () -> {
            g.loadLocal(a);
            b.emit();
            g.invokeVirtual(VECTOR, new Method("eq", MASK, new Type[] {VECTOR_IFACE}));
        };
    }

    /** {@code a.blend(b, mask)}: b's lanes where the mask is set, a's elsewhere. */
    MethodBuilder.Body blend(int a, int b, int mask) {
        return () -> {
            g.loadLocal(a);
            g.loadLocal(b);
            g.loadLocal(mask);
            g.invokeVirtual(VECTOR, new Method("blend", VECTOR, new Type[] {VECTOR_IFACE, MASK}));
        };
    }

    /** {@code v.intoArray(array, offset)}. */
    void store(int v, int array, MethodBuilder.Body offset) {
        store(() -> g.loadLocal(v), array, offset);
    }

    void store(MethodBuilder.Body v, int array, MethodBuilder.Body offset) {
        v.emit();
        g.loadLocal(array);
        offset.emit();
        g.invokeVirtual(VECTOR, new Method("intoArray", Type.VOID_TYPE, new Type[] {ClassEmitter.FLOATS, Type.INT_TYPE}));
    }

    /** {@code v.reduceLanes(VectorOperators.ADD)}. */
    MethodBuilder.Body sumOfLanes(int v) {
        return () -> {
            g.loadLocal(v);
            g.getStatic(OPERATORS, "ADD", ASSOCIATIVE);
            g.invokeVirtual(VECTOR, new Method("reduceLanes", Type.FLOAT_TYPE, new Type[] {ASSOCIATIVE}));
        };
    }
}
