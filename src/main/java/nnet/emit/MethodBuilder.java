package nnet.emit;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * One generated method: ASM's {@link GeneratorAdapter} plus what every kernel needs, counted
 * loops and named locals (written to the LocalVariableTable, so a debugger shows {@code x},
 * {@code z}, {@code i}, {@code j}).
 */
final class MethodBuilder {
    final GeneratorAdapter g;
    /** The method as written, under GeneratorAdapter's renumbering: debug info goes here, in real slots. */
    private final MethodVisitor raw;
    private final Label start = new Label();
    private final List<Object[]> locals = new ArrayList<>();
    /** The slot of the next argument {@link #argument} names. */
    private int nextArgument;

    MethodBuilder(ClassVisitor cv, int access, String signature, int line) {
        Method m = Method.getMethod(signature);
        raw = cv.visitMethod(access, m.getName(), m.getDescriptor(), null, null);
        g = new GeneratorAdapter(raw, access, m.getName(), m.getDescriptor());
        g.visitCode();
        g.mark(start);
        if (line > 0) g.visitLineNumber(line, start);
        if ((access & Opcodes.ACC_STATIC) == 0) locals.add(new Object[] {"this", null, nextArgument++});
    }

    /** Names the next argument for the debugger (arguments in order). */
    void argument(String name, Type type) {
        locals.add(new Object[] {name, type, nextArgument});
        nextArgument += type.getSize();
    }

    /** A new local named {@code name} for the debugger. */
    int local(String name, Type type) {
        int index = g.newLocal(type);
        locals.add(new Object[] {name, type, index});
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

    interface Body {
        void emit();
    }

    /** {@code for (var = from; var < to; var++) body}; {@code from} and {@code to} push an int. */
    void forLoop(int var, Body from, Body to, Body body) {
        Label test = new Label(), top = new Label();
        from.emit();
        g.storeLocal(var);
        g.goTo(test);
        g.mark(top);
        body.emit();
        g.iinc(var, 1);
        g.mark(test);
        g.loadLocal(var);
        to.emit();
        g.ifICmp(GeneratorAdapter.LT, top);
    }

    void forLoop(int var, int from, int to, Body body) {
        forLoop(var, () -> g.push(from), () -> g.push(to), body);
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
