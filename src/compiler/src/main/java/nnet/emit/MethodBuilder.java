package nnet.emit;

import java.util.function.IntFunction;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * One generated method and what kernels are made of, as named calls (cglib's {@code CodeEmitter}
 * idea) over its instructions ({@link Bytecode}): locals set from code, counted loops, array elements
 * and rows, and arithmetic whose operands are code that pushes them. A kernel then reads as its loops:
 * <pre>
 * m.forLoop(s, 0, lanes, () -&gt; m.addToElement(z, m.at(s), () -&gt; m.product(m.value(w), m.elementOf(x, s))));
 * </pre>
 */
final class MethodBuilder extends Bytecode {
    MethodBuilder(ClassBuilder owner, int access, Method m, int line) {
        super(owner, access, m, line);
    }

    /** Loads {@code this.field} into a new local of the same name. */
    int fieldToLocal(Fields.Field f) {
        int l = local(f.name(), f.type());
        getField(f);
        g.storeLocal(l);
        return l;
    }

    /** {@code local = value}. */
    void set(int local, Body value) {
        value.emit();
        g.storeLocal(local);
    }

    /** Pushes a local. */
    Body value(int local) {
        return () -> g.loadLocal(local);
    }

    // ---- loops

    /** {@code for (var = from; var < to; var += step) body}; {@code from} and {@code to} push an int. */
    void forLoop(int var, Body from, Body to, int step, Body body) {
        loop(var, from, to, body, () -> g.iinc(var, step));
    }

    /** {@code for (var = from; var < to; var += step) body} with a step known only at run time. */
    void forLoopBy(int var, Body from, Body to, Body step, Body body) {
        loop(var, from, to, body, () -> set(var, sum(value(var), step)));
    }

    /** The loop: the test at the bottom, entered by a jump to it. */
    private void loop(int var, Body from, Body to, Body body, Body advance) {
        Label test = new Label(), top = new Label();
        set(var, from);
        g.goTo(test);
        g.mark(top);
        body.emit();
        advance.emit();
        g.mark(test);
        g.loadLocal(var);
        to.emit();
        g.ifICmp(GeneratorAdapter.LT, top);
    }

    /** Pushes {@code min(a, b)} of two ints. */
    Body min(Body a, Body b) {
        return () -> {
            a.emit();
            b.emit();
            invoke(Call.MIN);
        };
    }

    void forLoop(int var, Body from, Body to, Body body) {
        forLoop(var, from, to, 1, body);
    }

    void forLoop(int var, int from, int to, Body body) {
        forLoop(var, from, to, 1, body);
    }

    void forLoop(int var, int from, int to, int step, Body body) {
        forLoop(var, () -> g.push(from), () -> g.push(to), step, body);
    }

    // ---- int arithmetic: offsets into arrays

    /** Pushes {@code local + k}. */
    Body at(int local, int k) {
        return () -> {
            g.loadLocal(local);
            if (k != 0) {
                g.push(k);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
            }
        };
    }

    Body at(int local) {
        return at(local, 0);
    }

    /** Pushes {@code local * k + add}. */
    Body scaled(int local, int k, int add) {
        return () -> {
            scaled(value(local), k).emit();
            if (add != 0) {
                g.push(add);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
            }
        };
    }

    /** Pushes {@code a * k} of an int. */
    Body scaled(Body a, int k) {
        return () -> {
            a.emit();
            if (k != 1) {
                g.push(k);
                g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            }
        };
    }

    /** Pushes {@code a - k} of an int. */
    Body minus(Body a, int k) {
        return () -> {
            a.emit();
            g.push(k);
            g.math(GeneratorAdapter.SUB, Type.INT_TYPE);
        };
    }

    /** Pushes an int constant. */
    Body constant(int k) {
        return () -> g.push(k);
    }

    /** Pushes a float constant. */
    Body constant(float k) {
        return () -> g.push(k);
    }

    /** Pushes {@code a + b} of two ints. */
    Body sum(Body a, Body b) {
        return arithmetic(GeneratorAdapter.ADD, Type.INT_TYPE, a, b);
    }

    /** Pushes {@code a - b} of two ints. */
    Body intDifference(Body a, Body b) {
        return arithmetic(GeneratorAdapter.SUB, Type.INT_TYPE, a, b);
    }

    /** Pushes {@code a op b} of two values of {@code type}. */
    private Body arithmetic(int op, Type type, Body a, Body b) {
        return () -> {
            a.emit();
            b.emit();
            g.math(op, type);
        };
    }

    // ---- arrays

    /** Pushes {@code array[index]}; the element type is the array local's. */
    Body elementOf(int array, Body index) {
        return () -> {
            g.loadLocal(array);
            index.emit();
            g.arrayLoad(elementType(array));
        };
    }

    Body elementOf(int array, int indexLocal) {
        return elementOf(array, value(indexLocal));
    }

    /** Pushes {@code rows[i][j]}: an element of a row array. */
    Body elementOf(int rows, Body i, Body j) {
        return () -> {
            g.loadLocal(rows);
            i.emit();
            Type row = elementType(rows);
            g.arrayLoad(row);
            j.emit();
            g.arrayLoad(Type.getType(row.getDescriptor().substring(1)));
        };
    }

    /** {@code array[index] = value}. */
    void storeElement(int array, Body index, Body value) {
        g.loadLocal(array);
        index.emit();
        value.emit();
        g.arrayStore(elementType(array));
    }

    /** {@code array[index] += value}, for floats: the one update a contraction makes. */
    void addToElement(int array, Body index, Body value) {
        updateElement(array, index, GeneratorAdapter.ADD, value);
    }

    /** {@code array[index] *= value}, for floats. */
    void scaleElement(int array, Body index, Body value) {
        updateElement(array, index, GeneratorAdapter.MUL, value);
    }

    private void updateElement(int array, Body index, int op, Body value) {
        g.loadLocal(array);
        index.emit();
        g.dup2();
        g.arrayLoad(Type.FLOAT_TYPE);
        value.emit();
        g.math(op, Type.FLOAT_TYPE);
        g.arrayStore(Type.FLOAT_TYPE);
    }

    /** {@code row = rows[index]}: one row of a row array. */
    void rowOf(int rows, Body index, int row) {
        set(row, elementOf(rows, index));
    }

    /** {@code Arrays.fill(array, 0)}. */
    void zero(int array) {
        fill(array, 0f);
    }

    /** {@code Arrays.fill(array, v)}. */
    void fill(int array, float v) {
        g.loadLocal(array);
        g.push(v);
        invoke(Call.FILL);
    }

    private Type elementType(int array) {
        Type t = typeOf.get(array);
        if (t == null || t.getSort() != Type.ARRAY) throw new IllegalStateException("local " + array + " is not an array");
        return Type.getType(t.getDescriptor().substring(1));
    }

    // ---- float arithmetic

    /** Pushes {@code a + b} of two floats. */
    Body add(Body a, Body b) {
        return arithmetic(GeneratorAdapter.ADD, Type.FLOAT_TYPE, a, b);
    }

    /**
     * Pushes {@code sum over q of weight(q) value(q)} with the weights as constants folded into the code
     * (a fixed kernel): a weight of 0 (an absent connection's too) drops its term, 1 its product; an
     * empty sum is 0.
     */
    void foldedSum(int terms, IntFunction<Float> weight, IntFunction<Body> value) {
        boolean first = true;
        for (int q = 0; q < terms; q++) {
            float w = weight.apply(q);
            if (w == 0) continue;
            value.apply(q).emit();
            if (w != 1) {
                g.push(w);
                g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
            }
            if (!first) g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
            first = false;
        }
        if (first) g.push(0f);
    }

    /** Pushes {@code a * b} of two floats. */
    Body product(Body a, Body b) {
        return arithmetic(GeneratorAdapter.MUL, Type.FLOAT_TYPE, a, b);
    }

    /** Pushes {@code a - b} of two floats. */
    Body difference(Body a, Body b) {
        return arithmetic(GeneratorAdapter.SUB, Type.FLOAT_TYPE, a, b);
    }

    /** Pushes {@code a / b} of two floats. */
    Body quotient(Body a, Body b) {
        return arithmetic(GeneratorAdapter.DIV, Type.FLOAT_TYPE, a, b);
    }

    /** Pushes what a method of the runtime (or the JDK) returns for {@code args}. */
    Body call(nnet.runtime.GeneratedCode.Ref method, Body... args) {
        return () -> {
            for (Body a : args) a.emit();
            invoke(method);
        };
    }

}
