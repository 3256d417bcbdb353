package nnet.emit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.ir.Param;
import nnet.lower.Kernel;
import nnet.lower.Program;
import nnet.runtime.ConvPlan;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * One sample's conv2d (a batch of fewer than four samples runs sample by sample) with the Vector API:
 * vectors of columns of the image instead of lanes of a tile (see {@link ConvPlan#sampleForward}).
 * The network holds each conv's one-sample plans and scratch arrays ({@code <kernel>$sampleFwdJobs},
 * ..., {@code <kernel>$sampleScratch}), made by the constructor when the Vector API kernels run
 * (their size depends on the vector's length); the per-sample kernel method calls the vector form
 * first then, else runs its scalar loops ({@link ConvSamples}). Only convs with a horizontal stride
 * of 1 have this form: a vector's columns are then consecutive in memory.
 */
final class ConvSampleVectors {
    private static final Type INT = Type.INT_TYPE, PLAN = Type.getType(ConvPlan.class);

    private ConvSampleVectors() {}

    static boolean vectorized(Kernel.Conv c) {
        return c.geo().strideX() == 1;
    }

    static String planField(Param kernel, boolean forward, String part) {
        return ClassEmitter.fieldOf(kernel) + (forward ? "$sampleFwd" : "$sampleBwd") + part;
    }

    static String scratchField(Param kernel) {
        return ClassEmitter.fieldOf(kernel) + "$sampleScratch";
    }

    /** The arguments of a one-sample conv's vector form: its buffers, weights (or gradient storage), the plan, the scratch. */
    static List<VectorClass.Arg> arguments(Kernel.Conv c) {
        List<VectorClass.Arg> a = new ArrayList<>();
        boolean forwardPlan = c.role() != Kernel.ConvRole.INPUT_GRAD;
        String image = c.image().field(), outputSide = c.outputSide().field();
        switch (c.role()) {
            case FORWARD -> {
                a.add(new VectorClass.Arg(image, ClassEmitter.FLOATS));
                a.add(new VectorClass.Arg(outputSide, ClassEmitter.FLOATS));
                a.add(new VectorClass.Arg(ClassEmitter.fieldOf(c.kernel()), ClassEmitter.FLOATS));
                if (c.bias() != null) a.add(new VectorClass.Arg(ClassEmitter.fieldOf(c.bias()), ClassEmitter.FLOATS));
            }
            case INPUT_GRAD -> {
                a.add(new VectorClass.Arg(outputSide, ClassEmitter.FLOATS));
                a.add(new VectorClass.Arg(image, ClassEmitter.FLOATS));
                a.add(new VectorClass.Arg(ClassEmitter.fieldOf(c.kernel()), ClassEmitter.FLOATS));
            }
            case KERNEL_GRAD -> {
                a.add(new VectorClass.Arg(image, ClassEmitter.FLOATS));
                a.add(new VectorClass.Arg(outputSide, ClassEmitter.FLOATS));
                a.add(new VectorClass.Arg(ClassEmitter.gradFieldOf(c.kernel()), ClassEmitter.FLOATS));
            }
        }
        for (String part : ConvTiles.PLAN_PARTS) a.add(new VectorClass.Arg(planField(c.kernel(), forwardPlan, part), ClassEmitter.INTS));
        a.add(new VectorClass.Arg(scratchField(c.kernel()), ClassEmitter.ROWS));
        return a;
    }

    /** The one-sample plan as the constructor builds it (for some vector length: its block sizes do not depend on it). */
    static ConvPlan plan(Kernel.Conv c, boolean forward) {
        int[] pairs = ConvPlan.pairs(c.geo().c(), c.geo().f(), c.kernel()::has);
        ConvPlan.Sample s = ConvPlan.Sample.of(c.geo(), 16);
        return forward ? ConvPlan.sampleForward(pairs, c.geo(), s) : ConvPlan.sampleInputGradient(pairs, c.geo(), s);
    }

    /** Per conv kernel of the per-sample passes with a vector form: which plans it reads, and its geometry. */
    private static Map<Param, Boolean[]> plans(Program p, Map<Param, ConvPlan.Geometry> geometry) {
        Map<Param, Boolean[]> out = new LinkedHashMap<>();
        List<Kernel> all = new ArrayList<>(p.forward());
        if (p.training() != null) {
            all.addAll(p.training().backward());
            all.addAll(p.training().inputBackward());
        }
        for (Kernel k : all)
            if (k instanceof Kernel.Conv c && vectorized(c)) {
                Boolean[] uses = out.computeIfAbsent(c.kernel(), x -> new Boolean[] {false, false});
                uses[c.role() == Kernel.ConvRole.INPUT_GRAD ? 1 : 0] = true;
                geometry.put(c.kernel(), c.geo());
            }
        return out;
    }

    static void fields(ClassVisitor cv, Program p) {
        plans(p, new LinkedHashMap<>()).forEach((kernel, uses) -> {
            for (int f = 0; f < 2; f++)
                if (uses[f])
                    for (String part : ConvTiles.PLAN_PARTS)
                        cv.visitField(Opcodes.ACC_PRIVATE, planField(kernel, f == 0, part), ClassEmitter.INTS.getDescriptor(), null, null).visitEnd();
            cv.visitField(Opcodes.ACC_PRIVATE, scratchField(kernel), ClassEmitter.ROWS.getDescriptor(), null, null).visitEnd();
        });
    }

    /** When {@code VECTOR}: each conv's one-sample plans for the vector length of {@code vectors} ({@code V}), and its scratch arrays. */
    static List<ClassEmitter.Step> constructorSteps(Type self, Type vectors, Program p) {
        Map<Param, ConvPlan.Geometry> geometry = new LinkedHashMap<>();
        List<ClassEmitter.Step> out = new ArrayList<>();
        plans(p, geometry).forEach((kernel, uses) -> out.add(m -> {
            ConvPlan.Geometry g = geometry.get(kernel);
            int[] sizes = {g.c(), g.h(), g.w(), g.f(), g.oh(), g.ow(), g.kh(), g.kw(), g.strideY(), g.strideX(), g.padTop(), g.padLeft()};
            Label off = new Label();
            m.g.getStatic(self, TileKernels.VECTOR_FLAG, Type.BOOLEAN_TYPE);
            m.g.ifZCmp(GeneratorAdapter.EQ, off);
            int plan = m.local("plan", PLAN);
            for (int f = 0; f < 2; f++) {
                if (!uses[f]) continue;
                m.g.loadThis();
                m.g.getField(self, ClassEmitter.fieldOf(kernel) + "$pairs", ClassEmitter.INTS);
                ClassEmitter.pushInts(m, sizes);
                m.g.push(f == 0);
                m.g.getStatic(vectors, "V", INT);
                m.invoke(GeneratedCode.CONV_SAMPLE_PLAN);
                m.g.storeLocal(plan);
                for (String part : ConvTiles.PLAN_PARTS) {
                    m.g.loadThis();
                    m.g.loadLocal(plan);
                    m.g.getField(PLAN, part.toLowerCase(), ClassEmitter.INTS);
                    m.g.putField(self, planField(kernel, f == 0, part), ClassEmitter.INTS);
                }
            }
            m.g.loadThis();
            ClassEmitter.pushInts(m, sizes);
            m.g.getStatic(vectors, "V", INT);
            m.invoke(GeneratedCode.CONV_SAMPLE_SCRATCH);
            m.g.putField(self, scratchField(kernel), ClassEmitter.ROWS);
            m.g.mark(off);
        }));
        return out;
    }
}
