package nnet.emit;

import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The Vector API operations micro-kernels are made of, as named calls on a {@link MethodBuilder};
 * vector values live in locals. {@code S} and {@code V} are the static species and length of the
 * vector class the method is of ({@link Fields#SPECIES}: one vector shape per process).
 */
final class VectorOps {
    static final Type VECTOR = Type.getObjectType("jdk/incubator/vector/FloatVector"), SPECIES = Fields.SPECIES.type();
    static final Type MASK = Type.getObjectType("jdk/incubator/vector/VectorMask");
    private static final Type VECTOR_IFACE = Type.getObjectType("jdk/incubator/vector/Vector");
    private static final Type ASSOCIATIVE = Type.getObjectType("jdk/incubator/vector/VectorOperators$Associative");
    private static final Type OPERATORS = Type.getObjectType("jdk/incubator/vector/VectorOperators");
    private static final Type COMPARISON = Type.getObjectType("jdk/incubator/vector/VectorOperators$Comparison");

    private final MethodBuilder m;

    VectorOps(MethodBuilder m) {
        this.m = m;
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
            m.loadLocal(lane);
            if (c == 0) return;
            m.getStatic(Fields.LENGTH);
            if (c != 1) {
                m.push(c);
                m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            }
            m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        };
    }

    /** {@code FloatVector.fromArray(S, array, offset)}. */
    MethodBuilder.Body load(int array, MethodBuilder.Body offset) {
        return () -> {
            m.getStatic(Fields.SPECIES);
            m.loadLocal(array);
            offset.emit();
            m.invokeStatic(VECTOR, new Method("fromArray", VECTOR, new Type[] {SPECIES, Fields.FLOATS, Type.INT_TYPE}));
        };
    }

    /** {@code FloatVector.broadcast(S, value)}. */
    MethodBuilder.Body broadcast(MethodBuilder.Body value) {
        return () -> {
            m.getStatic(Fields.SPECIES);
            value.emit();
            m.invokeStatic(VECTOR, new Method("broadcast", VECTOR, new Type[] {SPECIES, Type.FLOAT_TYPE}));
        };
    }

    /** {@code FloatVector.zero(S)}. */
    MethodBuilder.Body zero() {
        return () -> {
            m.getStatic(Fields.SPECIES);
            m.invokeStatic(VECTOR, new Method("zero", VECTOR, new Type[] {SPECIES}));
        };
    }

    /** {@code a.fma(b, c)}: a * b + c, fused. */
    MethodBuilder.Body fma(int a, MethodBuilder.Body b, int c) {
        return () -> {
            m.loadLocal(a);
            b.emit();
            m.loadLocal(c);
            m.invokeVirtual(VECTOR, new Method("fma", VECTOR, new Type[] {VECTOR_IFACE, VECTOR_IFACE}));
        };
    }

    MethodBuilder.Body fma(int a, int b, int c) {
        return fma(a, () -> m.loadLocal(b), c);
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
        return broadcast(() -> m.push(k));
    }

    /** {@code a.compare(GT, 0)}: the mask of lanes above 0 (NaN is not). */
    MethodBuilder.Body positive(int a) {
        return () -> {
            m.loadLocal(a);
            m.getStatic(OPERATORS, "GT", COMPARISON);
            m.push(0f);
            m.invokeVirtual(VECTOR, new Method("compare", MASK, new Type[] {COMPARISON, Type.FLOAT_TYPE}));
        };
    }

    /** {@code a.max(b)}: lane by lane, NaN if either is (Math.max's rule). */
    MethodBuilder.Body max(int a, MethodBuilder.Body b) {
        return binary("max", a, b);
    }

    private MethodBuilder.Body binary(String op, int a, MethodBuilder.Body b) {
        return () -> {
            m.loadLocal(a);
            b.emit();
            m.invokeVirtual(VECTOR, new Method(op, VECTOR, new Type[] {VECTOR_IFACE}));
        };
    }

    /** {@code a.mul(k)} by a constant. */
    MethodBuilder.Body scale(int a, float k) {
        return () -> {
            m.loadLocal(a);
            m.push(k);
            m.invokeVirtual(VECTOR, new Method("mul", VECTOR, new Type[] {Type.FLOAT_TYPE}));
        };
    }

    /** {@code a.eq(b)}: the mask of lanes where they are equal. */
    MethodBuilder.Body eq(int a, MethodBuilder.Body b) {
        return () -> {
            m.loadLocal(a);
            b.emit();
            m.invokeVirtual(VECTOR, new Method("eq", MASK, new Type[] {VECTOR_IFACE}));
        };
    }

    /** {@code a.blend(b, mask)}: b's lanes where the mask is set, a's elsewhere. */
    MethodBuilder.Body blend(int a, int b, int mask) {
        return () -> {
            m.loadLocal(a);
            m.loadLocal(b);
            m.loadLocal(mask);
            m.invokeVirtual(VECTOR, new Method("blend", VECTOR, new Type[] {VECTOR_IFACE, MASK}));
        };
    }

    /** {@code v.intoArray(array, offset)}. */
    void store(int v, int array, MethodBuilder.Body offset) {
        store(() -> m.loadLocal(v), array, offset);
    }

    void store(MethodBuilder.Body v, int array, MethodBuilder.Body offset) {
        v.emit();
        m.loadLocal(array);
        offset.emit();
        m.invokeVirtual(VECTOR, new Method("intoArray", Type.VOID_TYPE, new Type[] {Fields.FLOATS, Type.INT_TYPE}));
    }

    /** {@code v.reduceLanes(VectorOperators.ADD)}. */
    MethodBuilder.Body sumOfLanes(int v) {
        return () -> {
            m.loadLocal(v);
            m.getStatic(OPERATORS, "ADD", ASSOCIATIVE);
            m.invokeVirtual(VECTOR, new Method("reduceLanes", Type.FLOAT_TYPE, new Type[] {ASSOCIATIVE}));
        };
    }
}
