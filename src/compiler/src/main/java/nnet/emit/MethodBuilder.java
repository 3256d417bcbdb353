package nnet.emit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * One generated method: ASM's {@link GeneratorAdapter} plus what kernels are made of, as named
 * calls (cglib's {@code CodeEmitter} idea): named locals (written to the LocalVariableTable, so a
 * debugger shows {@code x}, {@code z}, {@code i}, {@code j}), counted loops, array elements and
 * rows, and arithmetic whose operands are code that pushes them. A kernel then reads as its loops:
 * <pre>
 * m.forLoop(s, 0, lanes, () -&gt; m.addToElement(z, m.at(s), () -&gt; m.product(m.value(w), m.elementOf(x, s))));
 * </pre>
 */
final class MethodBuilder {
    /** Code that leaves one value on the stack (or, for a statement, nothing). */
    interface Body {
        void emit();
    }

    final GeneratorAdapter g;
    /** The method as written, under GeneratorAdapter's renumbering: debug info goes here, in real slots. */
    private final MethodVisitor raw;
    private final Label start = new Label();
    private final List<Object[]> locals = new ArrayList<>();
    private final Map<Integer, Type> typeOf = new HashMap<>();
    /** The next argument {@link #argument} copies, and the slot that follows the arguments. */
    private int nextArgument, argumentSlots;

    MethodBuilder(ClassVisitor cv, int access, String signature, int line) {
        this(cv, access, Method.getMethod(signature), line);
    }

    MethodBuilder(ClassVisitor cv, int access, Method m, int line) {
        raw = cv.visitMethod(access, m.getName(), m.getDescriptor(), null, null);
        g = new GeneratorAdapter(raw, access, m.getName(), m.getDescriptor());
        g.visitCode();
        g.mark(start);
        if (line > 0) g.visitLineNumber(line, start);
        if ((access & Opcodes.ACC_STATIC) == 0) locals.add(new Object[] {"this", null, argumentSlots++});
    }

    // ---- locals and arguments

    /** The next argument (in order), as a local named {@code name}: kernels read arguments and locals alike. */
    int argument(String name, Type type) {
        int copy = local(name, type);
        g.loadArg(nextArgument++);
        g.storeLocal(copy);
        return copy;
    }

    /** A new local named {@code name} for the debugger. */
    int local(String name, Type type) {
        int index = g.newLocal(type);
        locals.add(new Object[] {name, type, index});
        typeOf.put(index, type);
        return index;
    }

    /** Loads {@code this.field} into a new local of the same name. */
    int fieldToLocal(Type owner, String field, Type type) {
        int l = local(field, type);
        g.loadThis();
        g.getField(owner, field, type);
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
        Label test = new Label(), top = new Label();
        from.emit();
        g.storeLocal(var);
        g.goTo(test);
        g.mark(top);
        body.emit();
        g.iinc(var, step);
        g.mark(test);
        g.loadLocal(var);
        to.emit();
        g.ifICmp(GeneratorAdapter.LT, top);
    }

    /** {@code for (var = from; var < to; var += step) body} with a step known only at run time. */
    void forLoopBy(int var, Body from, Body to, Body step, Body body) {
        Label test = new Label(), top = new Label();
        from.emit();
        g.storeLocal(var);
        g.goTo(test);
        g.mark(top);
        body.emit();
        g.loadLocal(var);
        step.emit();
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.storeLocal(var);
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
            g.loadLocal(local);
            if (k != 1) {
                g.push(k);
                g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            }
            if (add != 0) {
                g.push(add);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
            }
        };
    }

    /** Pushes {@code k} when {@code constant}, else the local. */
    Body constantOr(boolean constant, int k, int local) {
        return constant ? constant(k) : value(local);
    }

    /** Pushes an int constant. */
    Body constant(int k) {
        return () -> g.push(k);
    }

    /** Pushes {@code a + b} of two ints. */
    Body sum(Body a, Body b) {
        return () -> {
            a.emit();
            b.emit();
            g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
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
        g.loadLocal(array);
        index.emit();
        g.dup2();
        g.arrayLoad(Type.FLOAT_TYPE);
        value.emit();
        g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
        g.arrayStore(Type.FLOAT_TYPE);
    }

    /** {@code row = rows[index]}: one row of a row array. */
    void rowOf(int rows, Body index, int row) {
        set(row, elementOf(rows, index));
    }

    /** {@code Arrays.fill(array, 0)}. */
    void zero(int array) {
        g.loadLocal(array);
        g.push(0f);
        invoke(Call.FILL);
    }

    /** Calls a method of the runtime (or the JDK) named by its checked reference ({@link Call}). */
    void invoke(nnet.runtime.GeneratedCode.Ref method) {
        Call.of(method).emit(g);
    }

    private Type elementType(int array) {
        Type t = typeOf.get(array);
        if (t == null || t.getSort() != Type.ARRAY) throw new IllegalStateException("local " + array + " is not an array");
        return Type.getType(t.getDescriptor().substring(1));
    }

    // ---- float arithmetic

    /** Pushes {@code a + b} of two floats. */
    Body add(Body a, Body b) {
        return () -> {
            a.emit();
            b.emit();
            g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
        };
    }

    /** Pushes {@code a * b} of two floats. */
    Body product(Body a, Body b) {
        return () -> {
            a.emit();
            b.emit();
            g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
        };
    }

    void end(Type owner) {
        g.returnValue();
        Label end = new Label();
        g.mark(end);
        for (Object[] l : locals) {
            Type t = l[1] == null ? owner : (Type) l[1];
            raw.visitLocalVariable((String) l[0], t.getDescriptor(), null, start, end, (Integer) l[2]);
        }
        g.endMethod();
    }
}
