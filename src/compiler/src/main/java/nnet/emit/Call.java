package nnet.emit;

import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.SerializedLambda;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.Method;

/**
 * A runtime method as generated code calls it (the instruction, the owner, the method), read back
 * from its method reference in {@link GeneratedCode}: javac has checked the reference against the
 * runtime, so the name and descriptor written here are the method's own, never a string of ours
 * (why references, and what they leave to the tests: {@link GeneratedCode}).
 */
record Call(int opcode, Type owner, Method method) {
    /** The JDK's methods kernels call, by reference too (javac picks the overload from the types). */
    static final GeneratedCode.Action2<float[], Float> FILL = Arrays::fill;
    static final GeneratedCode.Action4<float[], Integer, Integer, Float> FILL_RANGE = Arrays::fill;
    static final GeneratedCode.Action2<Object[], Object> FILL_ALL = Arrays::fill;
    static final GeneratedCode.Action5<Object, Integer, Object, Integer, Integer> ARRAYCOPY = System::arraycopy;
    static final GeneratedCode.Function2<Float, Float, Float> MAX = Math::max;
    static final GeneratedCode.Function2<Integer, Integer, Integer> MIN = Math::min;

    private static final Map<GeneratedCode.Ref, Call> READ = new ConcurrentHashMap<>();

    static Call of(GeneratedCode.Ref reference) {
        return READ.computeIfAbsent(reference, Call::read);
    }

    /** The method a serializable method reference names, from the form it serializes to. */
    private static Call read(GeneratedCode.Ref reference) {
        SerializedLambda lambda;
        try {
            java.lang.reflect.Method writeReplace = reference.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            lambda = (SerializedLambda) writeReplace.invoke(reference);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("not a serializable method reference: " + reference, e);
        }
        int opcode = switch (lambda.getImplMethodKind()) {
            case MethodHandleInfo.REF_invokeStatic -> Opcodes.INVOKESTATIC;
            case MethodHandleInfo.REF_invokeVirtual -> Opcodes.INVOKEVIRTUAL;
            case MethodHandleInfo.REF_invokeInterface -> Opcodes.INVOKEINTERFACE;
            default -> throw new IllegalStateException("not a method call: " + lambda);
        };
        if (lambda.getImplMethodName().startsWith("lambda$"))
            throw new IllegalStateException(lambda.getImplClass() + ": a reference javac made into a lambda (a protected method of another package?)");
        return new Call(opcode, Type.getObjectType(lambda.getImplClass()), new Method(lambda.getImplMethodName(), lambda.getImplMethodSignature()));
    }

    void emit(MethodVisitor mv) {
        mv.visitMethodInsn(opcode, owner.getInternalName(), method.getName(), method.getDescriptor(), opcode == Opcodes.INVOKEINTERFACE);
    }
}
