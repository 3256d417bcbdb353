package nnet.emit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.lower.Kernel;
import nnet.runtime.GeneratedCode;
import nnet.runtime.Vectors;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * A network's Vector API kernels once per row of the {@link VectorShape} table, and the network
 * class's side of them: the flags its static initialiser sets ({@code VECTOR}: the module is there
 * and a tile is whole vectors; {@code NARROW}: the machine has 16 vector registers) and the call of
 * a kernel, which goes to the class of the machine's shape. Both flags are static final, so C2
 * compiles only the call that runs; the other class is never loaded.
 */
final class VectorClasses {
    private final VectorClass wide, narrow;

    VectorClasses(Type network, String sourceFile) {
        this.wide = new VectorClass(network, sourceFile, VectorShape.WIDE);
        this.narrow = new VectorClass(network, sourceFile, VectorShape.NARROW);
    }

    /** The class the network reads the vector length {@code V} from (the same in every shape's). */
    Type lengthHolder() {
        return wide.type();
    }

    boolean isEmpty() {
        return wide.isEmpty();
    }

    /** The classes, by binary name, when there are kernels. */
    Map<String, byte[]> classFiles() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (isEmpty()) return out;
        for (VectorClass k : List.of(wide, narrow)) out.put(k.type().getClassName(), k.classFile());
        return out;
    }

    /** A tile kernel's driver, in each class. */
    void emit(Kernel k, String name, List<Fields.Field> args, int line) {
        for (VectorClass v : List.of(wide, narrow)) v.emit(k, name, args, line);
    }

    /** The driver of dense weight gradients that share one dz ({@link ContractionVectors#sharedArguments}), in each class. */
    void emitWeightGradients(List<Kernel.WeightGrad> grads, List<Boolean> sets, String name, List<Fields.Field> args, int line) {
        for (VectorClass v : List.of(wide, narrow)) v.emitWeightGradients(grads, sets, name, args, line);
    }

    /** The packing of a dense kernel's panels, in each class (each blocks them as its forward pass reads them). */
    void emitPanels(nnet.ir.Param kernel, String name, int line) {
        for (VectorClass v : List.of(wide, narrow)) v.emitPanels(kernel, name, line);
    }

    /** One sample's dense contraction, in each class. */
    void emitSampleProduct(Kernel k, String name, List<Fields.Field> args, int line) {
        for (VectorClass v : List.of(wide, narrow)) v.emitSampleProduct(k, name, args, line);
    }

    /** One sample's conv, in each class. */
    void emitSample(Kernel.Conv c, String name, List<Fields.Field> args, int line) {
        for (VectorClass v : List.of(wide, narrow)) v.emitSample(c, name, args, line);
    }

    /** One sample's elementwise map, in each class. */
    void emitSampleMap(Kernel.Map map, String name, List<Fields.Field> args, int line) {
        for (VectorClass v : List.of(wide, narrow)) v.emitSampleMap(map, name, args, line);
    }

    /** The flags' fields in the network class. */
    void fields(ClassBuilder c) {
        for (Fields.Field flag : List.of(Fields.VECTOR, Fields.NARROW)) c.field(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL, flag);
    }

    /**
     * {@code VECTOR = Vectors.enabled() && <Network>$Vector.fits(); NARROW = VECTOR && Vectors.narrow(<Network>$Vector.bits())},
     * in the network's static initialiser: the vector classes are loaded only when the module is there.
     */
    void staticInit(MethodBuilder m) {
        Label off = new Label(), done = new Label();
        if (!isEmpty()) {
            m.invoke(GeneratedCode.VECTORS_ENABLED);
            m.ifZCmp(GeneratorAdapter.EQ, off);
            m.invokeStatic(wide.type(), Method.getMethod("boolean fits()"));
            m.ifZCmp(GeneratorAdapter.EQ, off);
            m.push(true);
            m.putStatic(Fields.VECTOR);
            m.invokeStatic(wide.type(), Method.getMethod("int bits()"));
            m.invoke(GeneratedCode.VECTORS_NARROW);
            m.putStatic(Fields.NARROW);
            m.goTo(done);
        }
        m.mark(off);
        for (Fields.Field flag : List.of(Fields.VECTOR, Fields.NARROW)) {
            m.push(false);
            m.putStatic(flag);
        }
        m.mark(done);
    }

    /**
     * {@code if (VECTOR) { (NARROW ? <Network>$Vector16 : <Network>$Vector).name(fields...); return; }}
     * at the top of a kernel's method, whose plain form follows.
     */
    void callFirst(MethodBuilder m, String name, List<Fields.Field> args) {
        Label plain = new Label();
        dispatch(m, new Method(name, VectorClass.descriptor(Type.VOID_TYPE, args)), args, plain, m::returnValue);
        m.mark(plain);
    }

    /** {@code if (VECTOR) return;}: a kernel whose vector form another kernel's method runs, its plain form following. */
    void returnIfVector(MethodBuilder m) {
        Label plain = new Label();
        m.getStatic(Fields.VECTOR);
        m.ifZCmp(GeneratorAdapter.EQ, plain);
        m.returnValue();
        m.mark(plain);
    }

    /** {@code if (VECTOR) (NARROW ? <Network>$Vector16 : <Network>$Vector).name(fields...)}, the method going on either way. */
    void callIfVector(MethodBuilder m, String name, List<Fields.Field> args) {
        Label done = new Label();
        dispatch(m, new Method(name, VectorClass.descriptor(Type.VOID_TYPE, args)), args, done, () -> m.goTo(done));
        m.mark(done);
    }

    /**
     * {@code start = VECTOR ? (NARROW ? <Network>$Vector16 : <Network>$Vector).name(fields...) : 0}: where
     * a one-sample map's plain loop starts, after the elements its vector form computed.
     */
    void callForStart(MethodBuilder m, String name, List<Fields.Field> args, int start) {
        Label plain = new Label(), done = new Label();
        dispatch(m, new Method(name, VectorClass.descriptor(Type.INT_TYPE, args)), args, plain, () -> m.goTo(done));
        m.mark(plain);
        m.push(0);
        m.mark(done);
        m.storeLocal(start);
    }

    /** Unless VECTOR (then to {@code plain}): the call into the class of the machine's shape, each followed by {@code afterCall}. */
    private void dispatch(MethodBuilder m, Method method, List<Fields.Field> args, Label plain, Runnable afterCall) {
        Label narrowCall = new Label();
        m.getStatic(Fields.VECTOR);
        m.ifZCmp(GeneratorAdapter.EQ, plain);
        m.getStatic(Fields.NARROW);
        m.ifZCmp(GeneratorAdapter.NE, narrowCall);
        call(m, wide, method, args);
        afterCall.run();
        m.mark(narrowCall);
        call(m, narrow, method, args);
        afterCall.run();
    }

    /** {@code <vector class>.method(this.args...)}. */
    private static void call(MethodBuilder m, VectorClass v, Method method, List<Fields.Field> args) {
        for (Fields.Field a : args) m.getField(a);
        m.invokeStatic(v.type(), method);
    }
}
