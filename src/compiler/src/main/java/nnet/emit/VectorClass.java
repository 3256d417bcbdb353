package nnet.emit;

import java.util.List;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The Vector API column of the grid ({@code package-info}): a network's Vector API kernels in a
 * class of their own ({@code <Network>$Vector}, or {@code $Vector16} for the other row of the
 * {@link VectorShape} table), loaded only when {@code jdk.incubator.vector} is in the JVM. Each
 * kernel is a static method whose arguments are the network's fields it reads (loaded by the
 * network's method, which calls it first when {@code VECTOR} is set), written by its family's
 * {@code <Family>Vectors} (tiles) or {@code <Family>SampleVectors} (one sample), and its register-blocked
 * micro-kernels by {@code <Family>MicroKernels}.
 */
final class VectorClass {
    private final ClassBuilder c;
    private final ContractionVectors contractions;
    private final ConvVectors convs;
    private final ConvDenseProducts denseConvs;
    private final ElementwiseVectors maps;
    private final ContractionSampleVectors products;
    private int kernels;

    VectorClass(Type network, String sourceFile, VectorShape shape) {
        this.c = new ClassBuilder(Type.getObjectType(network.getInternalName() + shape.suffix()), 0, Type.getType(Object.class), sourceFile);
        c.field(Opcodes.ACC_STATIC | Opcodes.ACC_FINAL, Fields.SPECIES);
        c.field(Opcodes.ACC_STATIC | Opcodes.ACC_FINAL, Fields.LENGTH);
        staticInit();
        fits();
        bits();
        contractions = new ContractionVectors(new ContractionMicroKernels(c), shape);
        convs = new ConvVectors(new ConvMicroKernels(c, shape.registers()), shape);
        denseConvs = new ConvDenseProducts(c);
        maps = new ElementwiseVectors(c);
        products = new ContractionSampleVectors(c);
    }

    Type type() {
        return c.type;
    }

    boolean isEmpty() {
        return kernels == 0;
    }

    byte[] classFile() {
        return c.toByteArray();
    }

    /** {@code S = FloatVector.SPECIES_PREFERRED; V = S.length()}: one vector shape for the process. */
    private void staticInit() {
        MethodBuilder m = c.method(Opcodes.ACC_STATIC, "void <clinit>()", 0);
        m.getStatic(VectorOps.VECTOR, "SPECIES_PREFERRED", Fields.SPECIES.type());
        m.dup();
        m.putStatic(Fields.SPECIES);
        m.invokeInterface(Fields.SPECIES.type(), Method.getMethod("int length()"));
        m.putStatic(Fields.LENGTH);
        m.end();
    }

    /** {@code fits()}: a tile is a whole number of 2-vector blocks (every x86 vector width is). */
    private void fits() {
        MethodBuilder m = c.method(Opcodes.ACC_STATIC, "boolean fits()", 0);
        m.push(Tiling.SIZE);
        m.getStatic(Fields.LENGTH);
        m.push(2);
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.math(GeneratorAdapter.REM, Type.INT_TYPE);
        Label no = new Label();
        m.ifZCmp(GeneratorAdapter.NE, no);
        m.push(true);
        m.returnValue();
        m.mark(no);
        m.push(false);
        m.end();
    }

    /** {@code bits()}: the length of the vectors in bits, {@code 32 V}. */
    private void bits() {
        MethodBuilder m = c.method(Opcodes.ACC_STATIC, "int bits()", 0);
        m.getStatic(Fields.LENGTH);
        m.push(Float.SIZE);
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.returnValue();
        m.end();
    }

    /** The arguments of a tile kernel's vector form, in order, or null when it has none (a fixed kernel folded into code, a pool). */
    static List<Fields.Field> arguments(Kernel k) {
        if (k instanceof Kernel.Conv || k instanceof Kernel.PoolGrad) return ConvVectors.arguments(k);
        if (k instanceof Kernel.Map map) return ElementwiseVectors.arguments(map);
        return ContractionVectors.arguments(k);
    }

    static String descriptor(Type returns, List<Fields.Field> args) {
        return Type.getMethodDescriptor(returns, args.stream().map(Fields.Field::type).toArray(Type[]::new));
    }

    /** {@code static returns name(args)}, its arguments copied into locals {@code a} named after their fields. */
    private MethodBuilder kernel(String name, Type returns, List<Fields.Field> args, int line, int[] a) {
        kernels++;
        MethodBuilder m = c.method(Opcodes.ACC_STATIC, new Method(name, descriptor(returns, args)), line);
        for (int i = 0; i < a.length; i++) a[i] = m.argument(args.get(i).name(), args.get(i).type());
        return m;
    }

    /** A tile kernel's driver as {@code static void name(args)}: scalar loops that call the micro-kernels. */
    void emit(Kernel k, String name, List<Fields.Field> args, int line) {
        int[] a = new int[args.size()];
        MethodBuilder m = kernel(name, Type.VOID_TYPE, args, line, a);
        if (k instanceof Kernel.Map map) maps.emit(map, name, m, a, args, line);
        else if (k instanceof Kernel.Conv || k instanceof Kernel.PoolGrad) convs.emit(k, m, a);
        else contractions.emit(k, m, a, args);
        m.end();
    }

    /** Dense weight gradients that share one dz, one driver ({@link ContractionVectors#sharedArguments}). */
    void emitWeightGradients(List<Kernel.WeightGrad> grads, List<Boolean> sets, String name, List<Fields.Field> args, int line) {
        int[] a = new int[args.size()];
        MethodBuilder m = kernel(name, Type.VOID_TYPE, args, line, a);
        contractions.emitWeightGradients(grads, sets, m, a, args);
        m.end();
    }

    /** {@code static void name(w, panels)}: a dense kernel's {@link Fields#panels} packed from its rows, blocked as this shape's forward pass reads them. */
    void emitPanels(nnet.ir.Param kernel, String name, int line) {
        List<Fields.Field> args = List.of(Fields.values(kernel), Fields.panels(kernel));
        int[] a = new int[args.size()];
        MethodBuilder m = kernel(name, Type.VOID_TYPE, args, line, a);
        contractions.packPanels(kernel, m, a);
        m.end();
    }

    /** One sample's dense contraction as {@code static void name(args)} (see {@link ContractionSampleVectors}). */
    void emitSampleProduct(Kernel k, String name, List<Fields.Field> args, int line) {
        int[] a = new int[args.size()];
        MethodBuilder m = kernel(name, Type.VOID_TYPE, args, line, a);
        products.emit(k, m, a);
        m.end();
    }

    /**
     * One sample's elementwise map as {@code static int name(args)}: its whole vectors of elements,
     * returning where the plain form goes on (see {@link ElementwiseVectors#emitSample}).
     */
    void emitSampleMap(Kernel.Map map, String name, List<Fields.Field> args, int line) {
        int[] a = new int[args.size()];
        MethodBuilder m = kernel(name, Type.INT_TYPE, args, line, a);
        maps.emitSample(map, name, m, a, args, line);
        m.end();
    }

    /** One sample's conv as {@code static void name(args)} (see {@link ConvSampleVectors}). */
    void emitSample(Kernel.Conv conv, String name, List<Fields.Field> args, int line) {
        int[] a = new int[args.size()];
        MethodBuilder m = kernel(name, Type.VOID_TYPE, args, line, a);
        if (ConvDenseProducts.applies(conv)) denseConvs.emit(conv, m, a);
        else convs.emitSample(conv, m, a);
        m.end();
    }
}
