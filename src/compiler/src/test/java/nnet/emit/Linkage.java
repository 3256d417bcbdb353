package nnet.emit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.runtime.CompiledNetwork;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The generated classes linked against the runtime and the JDK as the JVM will link them, before any
 * runs: every method and field an instruction names exists with that descriptor; a method of the
 * network class named like one of {@link CompiledNetwork}'s has its descriptor (else it would not
 * override it, and the runtime would call its own); and every runtime method called is one of
 * {@link GeneratedCode}'s, so the contract javac checks is the whole of it. {@code CheckClassAdapter}'s
 * verifier checks types on the stack but never that a method exists. {@code nnet.TestNetworks} runs
 * this on every class the tests compile.
 */
public final class Linkage {
    private Linkage() {}

    /** What {@link GeneratedCode} lists, as {@code owner.name descriptor}. */
    private static final Set<String> CONTRACT = contract();

    private static Set<String> contract() {
        Set<String> out = new HashSet<>();
        for (Field f : GeneratedCode.class.getFields())
            if (Modifier.isStatic(f.getModifiers()) && GeneratedCode.Ref.class.isAssignableFrom(f.getType())) {
                try {
                    Call c = Call.of((GeneratedCode.Ref) f.get(null));
                    out.add(c.owner().getInternalName() + "." + c.method().getName() + c.method().getDescriptor());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        return out;
    }

    /** The calls {@link GeneratedCode} lists, as {@code owner.name descriptor}: for tests. */
    public static Set<String> contractCalls() {
        return Set.copyOf(CONTRACT);
    }

    /** The problems of the classes of one generated network (by binary name), none when they link. */
    public static List<String> problems(Map<String, byte[]> classes, ClassLoader loader) {
        Map<String, ClassNode> generated = new HashMap<>();
        classes.forEach((name, bytes) -> {
            ClassNode c = new ClassNode();
            new ClassReader(bytes).accept(c, ClassReader.SKIP_DEBUG);
            generated.put(c.name, c);
        });
        List<String> out = new ArrayList<>();
        for (ClassNode c : generated.values()) {
            for (MethodNode m : c.methods) {
                overrides(c, m, loader, out);
                for (AbstractInsnNode insn : m.instructions) {
                    String where = c.name + "." + m.name + ": ";
                    if (insn instanceof MethodInsnNode call) {
                        if (!methodExists(call.owner, call.name, call.desc, generated, loader))
                            out.add(where + "calls " + call.owner + "." + call.name + call.desc + ", which does not exist");
                        else if (call.owner.startsWith("nnet/runtime/") && !call.name.equals("<init>") && !CONTRACT.contains(call.owner + "." + call.name + call.desc))
                            out.add(where + "calls " + call.owner + "." + call.name + call.desc + ", which GeneratedCode does not list");
                    } else if (insn instanceof FieldInsnNode field && !fieldExists(field.owner, field.name, field.desc, generated, loader))
                        out.add(where + "reads or writes " + field.owner + "." + field.name + " " + field.desc + ", which does not exist");
                }
            }
        }
        return out;
    }

    /** A method named like one of the runtime superclass's must have its descriptor. */
    private static void overrides(ClassNode c, MethodNode m, ClassLoader loader, List<String> out) {
        if ((m.access & (Opcodes.ACC_STATIC | Opcodes.ACC_PRIVATE)) != 0 || m.name.startsWith("<")) return;
        List<String> inherited = new ArrayList<>();
        for (Class<?> k = load(c.superName, loader); k != null; k = k.getSuperclass())
            for (java.lang.reflect.Method sm : k.getDeclaredMethods())
                if (sm.getName().equals(m.name) && !Modifier.isPrivate(sm.getModifiers())) inherited.add(Type.getMethodDescriptor(sm));
        if (!inherited.isEmpty() && !inherited.contains(m.desc))
            out.add(c.name + "." + m.name + m.desc + " overrides nothing: its superclasses have " + m.name + " " + inherited);
    }

    private static boolean methodExists(String owner, String name, String desc, Map<String, ClassNode> generated, ClassLoader loader) {
        for (ClassNode c = generated.get(owner); c != null; owner = c.superName, c = generated.get(owner))
            for (MethodNode m : c.methods) if (m.name.equals(name) && m.desc.equals(desc)) return true;
        Class<?> k = load(owner, loader);
        if (name.equals("<init>")) {
            for (var ctor : k.getDeclaredConstructors()) if (Type.getConstructorDescriptor(ctor).equals(desc)) return true;
            return false;
        }
        for (Class<?> s : supertypes(k))
            for (java.lang.reflect.Method m : s.getDeclaredMethods()) if (m.getName().equals(name) && Type.getMethodDescriptor(m).equals(desc)) return true;
        return false;
    }

    private static boolean fieldExists(String owner, String name, String desc, Map<String, ClassNode> generated, ClassLoader loader) {
        for (ClassNode c = generated.get(owner); c != null; owner = c.superName, c = generated.get(owner))
            for (var f : c.fields) if (f.name.equals(name) && f.desc.equals(desc)) return true;
        for (Class<?> s : supertypes(load(owner, loader)))
            for (Field f : s.getDeclaredFields()) if (f.getName().equals(name) && Type.getDescriptor(f.getType()).equals(desc)) return true;
        return false;
    }

    /** A class, its superclasses and every interface any of them implements. */
    private static List<Class<?>> supertypes(Class<?> k) {
        List<Class<?>> out = new ArrayList<>();
        List<Class<?>> todo = new ArrayList<>(List.of(k));
        while (!todo.isEmpty()) {
            Class<?> c = todo.remove(todo.size() - 1);
            if (c == null || out.contains(c)) continue;
            out.add(c);
            todo.add(c.getSuperclass());
            todo.addAll(List.of(c.getInterfaces()));
        }
        return out;
    }

    private static Class<?> load(String internalName, ClassLoader loader) {
        try {
            return Class.forName(internalName.replace('/', '.'), false, loader);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("generated code names a class that is not there: " + internalName, e);
        }
    }
}
