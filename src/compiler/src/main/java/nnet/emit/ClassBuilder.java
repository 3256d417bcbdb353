package nnet.emit;

import java.util.HashSet;
import java.util.Set;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.Method;

/**
 * A class being written: the network class, or one of its Vector API classes. Its fields and
 * methods are made here, each method a {@link MethodBuilder} that knows the class it belongs to.
 */
final class ClassBuilder {
    final Type type;
    private final ClassWriter cw;
    /** The helpers written so far, by name. */
    private final Set<String> written = new HashSet<>();

    /** Starts {@code type} (final, extending {@code superType}), whose line numbers are of {@code sourceFile}. */
    ClassBuilder(Type type, int access, Type superType, String sourceFile) {
        this.type = type;
        this.cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            // frames only ever merge arrays of one type; never load classes to find a common super type
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
        cw.visit(Opcodes.V17, access | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, type.getInternalName(), null, superType.getInternalName(), null);
        cw.visitSource(sourceFile, null);
    }

    /** A field; static ones are the class's flags and constants. */
    void field(int access, Fields.Field f) {
        cw.visitField(access, f.name(), f.type().getDescriptor(), null, null).visitEnd();
    }

    /** A private instance field of the network class. */
    void field(Fields.Field f) {
        field(Opcodes.ACC_PRIVATE, f);
    }

    MethodBuilder method(int access, Method m, int line) {
        return new MethodBuilder(this, access, m, line);
    }

    /** A method written as Java would declare it: {@code "void run()"}. */
    MethodBuilder method(int access, String signature, int line) {
        return method(access, Method.getMethod(signature), line);
    }

    /**
     * A private static helper of this class (a micro-kernel), written once however many kernels call
     * it: null when it is written already, and the caller has only to call it.
     */
    MethodBuilder helper(Method m) {
        return written.add(m.getName()) ? method(Opcodes.ACC_STATIC | Opcodes.ACC_PRIVATE, m, 0) : null;
    }

    ClassVisitor visitor() {
        return cw;
    }

    byte[] toByteArray() {
        cw.visitEnd();
        return cw.toByteArray();
    }
}
