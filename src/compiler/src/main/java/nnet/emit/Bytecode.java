package nnet.emit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * One generated method at the level of single instructions: ASM's {@link GeneratorAdapter} behind
 * named locals (written to the LocalVariableTable, so a debugger shows {@code x}, {@code z},
 * {@code i}), the fields of the class being written ({@link Fields}), and calls of the runtime by
 * checked reference ({@link Call}). Emitters see it through {@link MethodBuilder}, which adds what
 * kernels are made of; nothing else touches the adapter, so there is one dialect.
 */
abstract sealed class Bytecode permits MethodBuilder {
    /** Code that leaves one value on the stack (or, for a statement, nothing). */
    interface Body {
        void emit();
    }

    private final ClassBuilder owner;
    /** The adapter, for the named forms of {@link MethodBuilder}. */
    protected final GeneratorAdapter g;
    /** The method as written, under GeneratorAdapter's renumbering: debug info goes here, in real slots. */
    private final MethodVisitor raw;
    private final Label start = new Label();
    private final List<Object[]> locals = new ArrayList<>();
    protected final Map<Integer, Type> typeOf = new HashMap<>();
    /** The next argument {@link #argument} copies. */
    private int nextArgument;

    /** Starts method {@code m} of {@code owner}; {@code line} is the source line of what it computes (0: none). */
    Bytecode(ClassBuilder owner, int access, Method m, int line) {
        this.owner = owner;
        raw = owner.visitor().visitMethod(access, m.getName(), m.getDescriptor(), null, null);
        g = new GeneratorAdapter(raw, access, m.getName(), m.getDescriptor());
        g.visitCode();
        g.mark(start);
        if (line > 0) g.visitLineNumber(line, start);
        if ((access & Opcodes.ACC_STATIC) == 0) locals.add(new Object[] {"this", null, 0});
    }

    /** The class this method is of. */
    Type owner() {
        return owner.type;
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

    // ---- fields and calls

    /** Pushes {@code this.f}. */
    void getField(Fields.Field f) {
        g.loadThis();
        g.getField(owner.type, f.name(), f.type());
    }

    /** Pushes {@code this.f} of a field the runtime's base class declares. */
    void getBaseField(Fields.Field f) {
        g.loadThis();
        g.getField(ClassEmitter.BASE, f.name(), f.type());
    }

    /** {@code this.f = value}. */
    void putField(Fields.Field f, Body value) {
        g.loadThis();
        value.emit();
        g.putField(owner.type, f.name(), f.type());
    }

    /** Pushes a static field of this class: a flag, or a Vector API class's species or length. */
    void getStatic(Fields.Field f) {
        g.getStatic(owner.type, f.name(), f.type());
    }

    /** Replaces the object on the stack by its field {@code name}: a runtime object's (a conv plan's arrays). */
    void getFieldOf(Type type, String name, Type fieldType) {
        g.getField(type, name, fieldType);
    }

    /** Pushes a static field of another class: an enum constant (a row of the activation or loss table), a Vector API constant. */
    void getStatic(Type type, String name, Type fieldType) {
        g.getStatic(type, name, fieldType);
    }

    void putStatic(Fields.Field f) {
        g.putStatic(owner.type, f.name(), f.type());
    }

    /** Calls a method of the runtime (or the JDK) named by its checked reference ({@link Call}). */
    void invoke(nnet.runtime.GeneratedCode.Ref method) {
        Call.of(method).emit(g);
    }

    /** {@code this.name()}, or {@code this.name(count)} with the local {@code count}: a method of this class's own. */
    void callThis(String name) {
        g.loadThis();
        g.invokeVirtual(owner.type, new Method(name, "()V"));
    }

    void callThis(String name, int count) {
        g.loadThis();
        g.loadLocal(count);
        g.invokeVirtual(owner.type, new Method(name, "(I)V"));
    }

    /** A static method of {@code type} (this class's own micro-kernels, another generated class's, the Vector API's). */
    void invokeStatic(Type type, Method m) {
        g.invokeStatic(type, m);
    }

    /** A Vector API method: its module is not on the compiler's class path, so these are named by string (and linked by the tests). */
    void invokeVirtual(Type type, Method m) {
        g.invokeVirtual(type, m);
    }

    void invokeInterface(Type type, Method m) {
        g.invokeInterface(type, m);
    }

    void invokeConstructor(Type type, Method m) {
        g.invokeConstructor(type, m);
    }

    // ---- control flow

    /** {@code while (a <= b) body}. */
    void whileAtMost(Body a, Body b, Body body) {
        Label test = new Label(), top = new Label();
        g.goTo(test);
        g.mark(top);
        body.emit();
        g.mark(test);
        a.emit();
        b.emit();
        g.ifICmp(GeneratorAdapter.LE, top);
    }

    /** {@code if (local == k) body}. */
    void ifEquals(int local, int k, Body body) {
        Label skip = new Label();
        g.loadLocal(local);
        g.push(k);
        g.ifICmp(GeneratorAdapter.NE, skip);
        body.emit();
        g.mark(skip);
    }

    // ---- single instructions, where the named forms above do not say it better

    void loadThis() {
        g.loadThis();
    }

    void loadArg(int arg) {
        g.loadArg(arg);
    }

    void loadLocal(int local) {
        g.loadLocal(local);
    }

    void storeLocal(int local) {
        g.storeLocal(local);
    }

    void iinc(int local, int k) {
        g.iinc(local, k);
    }

    void push(int k) {
        g.push(k);
    }

    void push(long k) {
        g.push(k);
    }

    void push(float k) {
        g.push(k);
    }

    void push(boolean k) {
        g.push(k);
    }

    /** A string constant, or null. */
    void push(String k) {
        g.push(k);
    }

    /** {@code new int[] {values...}}. */
    void pushInts(int[] values) {
        g.push(values.length);
        g.newArray(Type.INT_TYPE);
        for (int i = 0; i < values.length; i++) {
            g.dup();
            g.push(i);
            g.push(values[i]);
            g.arrayStore(Type.INT_TYPE);
        }
    }

    /** {@code op} ({@link GeneratorAdapter#ADD}, {@code MUL}, ...) of the two values of {@code type} on the stack. */
    void math(int op, Type type) {
        g.math(op, type);
    }

    void arrayLoad(Type element) {
        g.arrayLoad(element);
    }

    void arrayStore(Type element) {
        g.arrayStore(element);
    }

    void arrayLength() {
        g.arrayLength();
    }

    void newArray(Type element) {
        g.newArray(element);
    }

    /** {@code new type[d0][d1]}, the two lengths on the stack. */
    void newArray2(Type type) {
        g.visitMultiANewArrayInsn(type.getDescriptor(), 2);
    }

    void dup() {
        g.dup();
    }

    void dup2() {
        g.dup2();
    }

    void mark(Label label) {
        g.mark(label);
    }

    void goTo(Label label) {
        g.goTo(label);
    }

    /** Jumps when the int on the stack compares to 0 as {@code mode} ({@link GeneratorAdapter#EQ}, ...) says. */
    void ifZCmp(int mode, Label label) {
        g.ifZCmp(mode, label);
    }

    void ifICmp(int mode, Label label) {
        g.ifICmp(mode, label);
    }

    void ifCmp(Type type, int mode, Label label) {
        g.ifCmp(type, mode, label);
    }

    void returnValue() {
        g.returnValue();
    }

    /** Returns, and writes the locals' names for the debugger. */
    void end() {
        g.returnValue();
        Label end = new Label();
        g.mark(end);
        for (Object[] l : locals) {
            Type t = l[1] == null ? owner.type : (Type) l[1];
            raw.visitLocalVariable((String) l[0], t.getDescriptor(), null, start, end, (Integer) l[2]);
        }
        g.endMethod();
    }
}
