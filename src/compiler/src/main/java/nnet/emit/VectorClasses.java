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
    static final String NARROW_FLAG = "NARROW";

    private final Type network;
    private final VectorClass wide, narrow;

    VectorClasses(Type network, String sourceFile) {
        this.network = network;
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
    void emit(Kernel k, String name, List<VectorClass.Arg> args, int line) {
        for (VectorClass v : List.of(wide, narrow)) v.emit(k, name, args, line);
    }

    /** One sample's dense contraction, in each class. */
    void emitSampleProduct(Kernel k, String name, List<VectorClass.Arg> args, int line) {
        for (VectorClass v : List.of(wide, narrow)) v.emitSampleProduct(k, name, args, line);
    }

    /** One sample's conv, in each class. */
    void emitSample(Kernel.Conv c, String name, List<VectorClass.Arg> args, int line) {
        for (VectorClass v : List.of(wide, narrow)) v.emitSample(c, name, args, line);
    }

    /** One sample's elementwise map, in each class. */
    void emitSampleMap(Kernel.Map map, String name, List<VectorClass.Arg> args, int line) {
        for (VectorClass v : List.of(wide, narrow)) v.emitSampleMap(map, name, args, line);
    }

    /** The flags' fields in the network class. */
    void fields(org.objectweb.asm.ClassVisitor cv) {
        for (String flag : List.of(TileKernels.VECTOR_FLAG, NARROW_FLAG))
            cv.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL, flag, "Z", null, null).visitEnd();
    }

    /**
     * {@code VECTOR = Vectors.enabled() && <Network>$Vector.fits(); NARROW = VECTOR && Vectors.narrow(<Network>$Vector.bits())},
     * in the network's static initialiser: the vector classes are loaded only when the module is there.
     */
    void staticInit(MethodBuilder m) {
        GeneratorAdapter g = m.g;
        Label off = new Label(), done = new Label();
        if (!isEmpty()) {
            m.invoke(GeneratedCode.VECTORS_ENABLED);
            g.ifZCmp(GeneratorAdapter.EQ, off);
            g.invokeStatic(wide.type(), Method.getMethod("boolean fits()"));
            g.ifZCmp(GeneratorAdapter.EQ, off);
            g.push(true);
            g.putStatic(network, TileKernels.VECTOR_FLAG, Type.BOOLEAN_TYPE);
            g.invokeStatic(wide.type(), Method.getMethod("int bits()"));
            m.invoke(GeneratedCode.VECTORS_NARROW);
            g.putStatic(network, NARROW_FLAG, Type.BOOLEAN_TYPE);
            g.goTo(done);
        }
        g.mark(off);
        for (String flag : List.of(TileKernels.VECTOR_FLAG, NARROW_FLAG)) {
            g.push(false);
            g.putStatic(network, flag, Type.BOOLEAN_TYPE);
        }
        g.mark(done);
    }

    /**
     * {@code if (VECTOR) { (NARROW ? <Network>$Vector16 : <Network>$Vector).name(fields...); return; }}
     * at the top of a kernel's method, whose plain form follows.
     */
    void callFirst(MethodBuilder m, String name, List<VectorClass.Arg> args) {
        GeneratorAdapter g = m.g;
        Label plain = new Label(), narrowCall = new Label();
        g.getStatic(network, TileKernels.VECTOR_FLAG, Type.BOOLEAN_TYPE);
        g.ifZCmp(GeneratorAdapter.EQ, plain);
        g.getStatic(network, NARROW_FLAG, Type.BOOLEAN_TYPE);
        g.ifZCmp(GeneratorAdapter.NE, narrowCall);
        call(g, wide, name, args);
        g.mark(narrowCall);
        call(g, narrow, name, args);
        g.mark(plain);
    }

    /**
     * {@code start = VECTOR ? (NARROW ? <Network>$Vector16 : <Network>$Vector).name(fields...) : 0}: where
     * a one-sample map's plain loop starts, after the elements its vector form computed.
     */
    void callForStart(MethodBuilder m, String name, List<VectorClass.Arg> args, int start) {
        GeneratorAdapter g = m.g;
        Label plain = new Label(), narrowCall = new Label(), done = new Label();
        Method method = new Method(name, Type.INT_TYPE, args.stream().map(VectorClass.Arg::type).toArray(Type[]::new));
        g.getStatic(network, TileKernels.VECTOR_FLAG, Type.BOOLEAN_TYPE);
        g.ifZCmp(GeneratorAdapter.EQ, plain);
        g.getStatic(network, NARROW_FLAG, Type.BOOLEAN_TYPE);
        g.ifZCmp(GeneratorAdapter.NE, narrowCall);
        loadFields(g, args);
        g.invokeStatic(wide.type(), method);
        g.goTo(done);
        g.mark(narrowCall);
        loadFields(g, args);
        g.invokeStatic(narrow.type(), method);
        g.goTo(done);
        g.mark(plain);
        g.push(0);
        g.mark(done);
        g.storeLocal(start);
    }

    private void loadFields(GeneratorAdapter g, List<VectorClass.Arg> args) {
        for (VectorClass.Arg a : args) {
            g.loadThis();
            g.getField(network, a.field(), a.type());
        }
    }

    private void call(GeneratorAdapter g, VectorClass v, String name, List<VectorClass.Arg> args) {
        loadFields(g, args);
        g.invokeStatic(v.type(), new Method(name, VectorClass.descriptor(args)));
        g.returnValue();
    }
}
