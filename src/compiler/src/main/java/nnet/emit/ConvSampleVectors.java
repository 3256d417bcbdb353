package nnet.emit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnet.ir.Param;
import nnet.lower.Kernel;
import nnet.lower.Program;
import nnet.runtime.math.ConvPlan;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * One sample's conv2d (a batch of fewer than four samples runs sample by sample) with the Vector API:
 * vectors of columns of the image instead of lanes of a tile (see {@link ConvPlan#sampleForward}).
 * The network holds each conv's one-sample plans and scratch arrays ({@code <kernel>$sampleFwdJobs},
 * ..., {@code <kernel>$sampleScratch}), made by the constructor when the Vector API kernels run
 * (their size depends on the vector's length); the per-sample kernel method calls the vector form
 * first then, else runs its scalar loops ({@link ConvSamples}). Only convs with a horizontal stride
 * of 1 have this form: a vector's columns are then consecutive in memory. A conv whose kernel covers
 * its whole input has neither plans nor scratch: it runs as a dense product ({@link ConvDenseProducts}).
 */
final class ConvSampleVectors {
    private static final Type PLAN = Type.getType(ConvPlan.class);

    private ConvSampleVectors() {}

    static boolean vectorized(Kernel.Conv c) {
        return c.geo().strideX() == 1;
    }

    /** The arguments of a one-sample conv's vector form: its buffers, weights (or gradient storage), the plan, the scratch. */
    static List<Fields.Field> arguments(Kernel.Conv c) {
        if (ConvDenseProducts.applies(c)) return ConvVectors.sides(c, Fields::buffer); // no plan: a dense product's own form
        List<Fields.Field> a = new ArrayList<>(ConvVectors.arguments(c, Fields::buffer, forward -> part -> Fields.samplePlan(c.kernel(), forward, part)));
        a.add(Fields.sampleScratch(c.kernel()));
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
            if (k instanceof Kernel.Conv c && vectorized(c) && !ConvDenseProducts.applies(c)) {
                Boolean[] uses = out.computeIfAbsent(c.kernel(), x -> new Boolean[] {false, false});
                uses[c.role() == Kernel.ConvRole.INPUT_GRAD ? 1 : 0] = true;
                geometry.put(c.kernel(), c.geo());
            }
        return out;
    }

    static void fields(ClassBuilder cb, Program p) {
        plans(p, new LinkedHashMap<>()).forEach((kernel, uses) -> {
            for (int f = 0; f < 2; f++)
                if (uses[f]) for (String part : Fields.PLAN_PARTS) cb.field(Fields.samplePlan(kernel, f == 0, part));
            cb.field(Fields.sampleScratch(kernel));
        });
    }

    /** When {@code VECTOR}: each conv's one-sample plans for the vector length of {@code vectors} ({@code V}), and its scratch arrays. */
    static List<Registrations.Step> constructorSteps(Type vectors, Program p) {
        Map<Param, ConvPlan.Geometry> geometry = new LinkedHashMap<>();
        List<Registrations.Step> out = new ArrayList<>();
        plans(p, geometry).forEach((kernel, uses) -> out.add(m -> {
            int[] sizes = ConvTiles.sizes(geometry.get(kernel));
            Label off = new Label();
            m.getStatic(Fields.VECTOR);
            m.ifZCmp(GeneratorAdapter.EQ, off);
            int plan = m.local("plan", PLAN);
            for (int f = 0; f < 2; f++) {
                if (!uses[f]) continue;
                boolean forward = f == 0;
                m.getField(Fields.channelPairs(kernel));
                m.pushInts(sizes);
                m.push(forward);
                m.getStatic(vectors, Fields.LENGTH.name(), Fields.LENGTH.type());
                m.invoke(GeneratedCode.CONV_SAMPLE_PLAN);
                ConvTiles.storePlan(m, plan, part -> Fields.samplePlan(kernel, forward, part));
            }
            m.putField(Fields.sampleScratch(kernel), () -> {
                m.pushInts(sizes);
                m.getStatic(vectors, Fields.LENGTH.name(), Fields.LENGTH.type());
                m.invoke(GeneratedCode.CONV_SAMPLE_SCRATCH);
            });
            m.mark(off);
        }));
        return out;
    }
}
