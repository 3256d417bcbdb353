package nnet.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import nnet.Compiler;
import nnet.TestNetworks;
import nnet.runtime.CompiledNetwork;
import nnet.runtime.GeneratedCode;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The contract between generated code and the runtime: {@link GeneratedCode}'s references read back
 * as the runtime's own methods, and {@link Linkage} (run on every class the tests compile) catches a
 * class whose calls no longer match the runtime, as a runtime whose signature changed under it would
 * leave it.
 */
class LinkageTest {
    private static final String SOURCE = """
            network Net {
              input x[4]
              h = dense(x, 3, relu, connect: random(0.5, seed: 1))
              y = dense(h, 2, sigmoid)
              output y
              loss binary_cross_entropy
            }
            """;

    private static Map<String, byte[]> compiled() {
        return Compiler.compile(TestNetworks.graph(SOURCE)).classes();
    }

    private static List<String> problems(Map<String, byte[]> classes) {
        return Linkage.problems(classes, LinkageTest.class.getClassLoader());
    }

    /**
     * The classes with every call of {@code methodName} (or, with {@code definitions}, every method of that name)
     * renamed to {@code newName} and its descriptor rewritten: what a changed runtime leaves a class compiled before.
     */
    private static Map<String, byte[]> rewritten(Map<String, byte[]> classes, String methodName, String newName, UnaryOperator<String> descriptor, boolean definitions) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        classes.forEach((name, bytes) -> {
            ClassWriter w = new ClassWriter(0);
            new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9, w) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                    boolean change = definitions && name.equals(methodName);
                    return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, change ? newName : name, change ? descriptor.apply(desc) : desc, signature, exceptions)) {
                        @Override
                        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
                            boolean change = !definitions && name.equals(methodName);
                            super.visitMethodInsn(opcode, owner, change ? newName : name, change ? descriptor.apply(desc) : desc, itf);
                        }
                    };
                }
            }, 0);
            out.put(name, w.toByteArray());
        });
        return out;
    }

    @Test
    void aCompiledNetworkLinks() {
        assertEquals(List.of(), problems(compiled()));
    }

    @Test
    void aCallWhoseRuntimeMethodChangedIsCaught() {
        List<String> p = problems(rewritten(compiled(), "denseParam", "denseParam", d -> d.replace("II", "IJ"), false));
        assertTrue(p.stream().anyMatch(s -> s.contains("CompiledNetwork.denseParam(Ljava/lang/String;IJLjava/lang/String;)[[F, which does not exist")), p.toString());
    }

    @Test
    void aPassThatNoLongerOverridesIsCaught() {
        List<String> p = problems(rewritten(compiled(), "run", "run", d -> "(I)V", true));
        assertTrue(p.stream().anyMatch(s -> s.contains("run(I)V overrides nothing")), p.toString());
    }

    @Test
    void aRuntimeCallOutsideTheContractIsCaught() {
        // flatValues(String) exists with flatGradient's descriptor, but generated code is not to call it
        List<String> p = problems(rewritten(compiled(), "flatGradient", "flatValues", d -> d, false));
        assertTrue(p.stream().anyMatch(s -> s.contains("CompiledNetwork.flatValues(Ljava/lang/String;)[F, which GeneratedCode does not list")), p.toString());
    }

    /** Every reference reads back as the method the runtime declares: owner, name and descriptor from the class itself. */
    @Test
    void everyReferenceNamesTheRuntimesOwnMethod() throws ReflectiveOperationException {
        int checked = 0;
        for (java.lang.reflect.Field f : GeneratedCode.class.getFields()) {
            if (!GeneratedCode.Ref.class.isAssignableFrom(f.getType())) continue;
            Call c = Call.of((GeneratedCode.Ref) f.get(null));
            Class<?> owner = Class.forName(c.owner().getClassName());
            Method declared = null;
            for (Method m : owner.getDeclaredMethods()) if (m.getName().equals(c.method().getName()) && Type.getMethodDescriptor(m).equals(c.method().getDescriptor())) declared = m;
            assertTrue(declared != null, f.getName() + ": " + c);
            assertEquals(java.lang.reflect.Modifier.isStatic(declared.getModifiers()), c.opcode() == Opcodes.INVOKESTATIC, f.getName());
            checked++;
        }
        assertTrue(checked > 50, "references read: " + checked);
        assertEquals(Type.getType(CompiledNetwork.class), Call.of(GeneratedCode.DENSE_PARAM).owner());
    }
}
