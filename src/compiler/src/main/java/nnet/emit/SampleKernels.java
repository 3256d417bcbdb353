package nnet.emit;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import nnet.ir.Param;
import nnet.lower.Kernel;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The one-sample column of the grid ({@code package-info}): each kernel as one private method of
 * straight loops over the buffers of one sample, written by its family's {@code <Family>Samples}
 * emitter. Fields are read into named locals once at the top, so the loops touch only locals and
 * arrays, and the method's line number is the source line of the node it computes. A kernel with a
 * one-sample Vector API form calls it first when {@code VECTOR} is set.
 */
final class SampleKernels {
    private final ClassBuilder c;
    /** The Vector API class the network's one-sample products, convs and maps hand over to when {@code VECTOR} is set. */
    private final VectorClasses vectors;

    SampleKernels(ClassBuilder c, VectorClasses vectors) {
        this.c = c;
        this.vectors = vectors;
    }

    /** Params a kernel reads through fields (a fixed unrolled kernel reads none). */
    static Set<Param> fieldParams(Kernel k) {
        Set<Param> out = new LinkedHashSet<>();
        if (k instanceof Kernel.Linear l && l.path() != Kernel.LinearPath.UNROLLED) out.add(l.kernel());
        if (k instanceof Kernel.LinearT l && l.path() != Kernel.LinearPath.UNROLLED) out.add(l.kernel());
        if (k instanceof Kernel.WeightGrad w) out.add(w.kernel()); // its CSR index, when it has one
        if (k instanceof Kernel.Conv conv) {
            out.add(conv.kernel()); // its values, or its channel pairs for a gradient
            if (conv.bias() != null) out.add(conv.bias());
        }
        if (k instanceof Kernel.Map m) out.addAll(Elementwise.fieldParams(m));
        if (k instanceof Kernel.Lookup l) out.add(l.embeddings());
        if (k instanceof Kernel.Loop l) for (Kernel b : l.body()) out.addAll(fieldParams(b));
        return out;
    }

    /** Emits the kernel's method and returns its name. */
    String emit(Kernel k, int index) {
        String label = k.label().length() > 40 ? k.label().substring(0, 40) : k.label(), name = "k" + index + "$" + label, vectorName = "s" + index + "$" + label;
        int line = k.span() == null ? 0 : k.span().line();
        MethodBuilder m = c.method(Opcodes.ACC_PRIVATE, "void " + name + "()", line);
        List<Fields.Field> products = ContractionSampleVectors.arguments(k);
        if (products != null) {
            vectors.emitSampleProduct(k, vectorName, products, line);
            vectors.callFirst(m, vectorName, products);
        }
        if (k instanceof Kernel.Linear l) new ContractionSamples(m).linear(l);
        else if (k instanceof Kernel.LinearT l) new ContractionSamples(m).linearTransposed(l);
        else if (k instanceof Kernel.WeightGrad w) new ContractionSamples(m).weightGrad(w);
        else if (k instanceof Kernel.Map map) {
            List<Fields.Field> args = ElementwiseVectors.sampleArguments(map);
            int start = m.local("start", Type.INT_TYPE);
            if (args == null) m.set(start, m.constant(0));
            else {
                vectors.emitSampleMap(map, vectorName, args, line);
                vectors.callForStart(m, vectorName, args, start);
            }
            new ElementwiseSamples(m).emit(map, start);
        } else if (k instanceof Kernel.Conv conv) {
            if (ConvSampleVectors.vectorized(conv)) {
                vectors.emitSample(conv, vectorName, ConvSampleVectors.arguments(conv), line);
                vectors.callFirst(m, vectorName, ConvSampleVectors.arguments(conv));
            }
            new ConvSamples(m).emit(conv);
        } else if (k instanceof Kernel.Pool p) new PoolSamples(m).pool(p);
        else if (k instanceof Kernel.PoolGrad p) new PoolSamples(m).poolGrad(p);
        else if (RuntimeKernels.handles(k)) RuntimeKernels.perSample(m, k);
        else new RowSamples(m).emit(k);
        m.end();
        return name;
    }
}
