package nnet.emit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Param;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.runtime.GeneratedCode;
import nnet.runtime.LossFunction;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * Emits each kernel as one private method of straight loops over float arrays. Fields are read
 * into named locals once at the top, so the loops touch only locals and arrays, and the method's
 * line number is the source line of the node it computes.
 */
final class SampleKernels {
    private static final Type LOSS = Type.getType(LossFunction.class);

    private final ClassVisitor cv;
    private final Type self;
    /** The Vector API class the network's one-sample products and convs hand over to when {@code VECTOR} is set. */
    private final VectorClasses vectors;

    SampleKernels(ClassVisitor cv, Type self, VectorClasses vectors) {
        this.cv = cv;
        this.self = self;
        this.vectors = vectors;
    }

    /** Params a kernel reads through fields (a fixed unrolled kernel reads none). */
    static Set<Param> fieldParams(Kernel k) {
        Set<Param> out = new LinkedHashSet<>();
        if (k instanceof Kernel.Linear l && l.path() != Kernel.LinearPath.UNROLLED) out.add(l.kernel());
        if (k instanceof Kernel.LinearT l && l.path() != Kernel.LinearPath.UNROLLED) out.add(l.kernel());
        if (k instanceof Kernel.WeightGrad w) out.add(w.kernel()); // its CSR index, when it has one
        if (k instanceof Kernel.Conv c) {
            out.add(c.kernel()); // its values, or its channel pairs for a gradient
            if (c.bias() != null) out.add(c.bias());
        }
        if (k instanceof Kernel.Map m) out.addAll(ElementwiseSamples.fieldParams(m));
        if (k instanceof Kernel.Lookup l) out.add(l.embeddings());
        if (k instanceof Kernel.Loop l) for (Kernel b : l.body()) out.addAll(fieldParams(b));
        return out;
    }

    /** Emits the kernel's method and returns its name. */
    String emit(Kernel k, int index) {
        String name = "k" + index + "$" + (k.label().length() > 40 ? k.label().substring(0, 40) : k.label());
        MethodBuilder m = new MethodBuilder(cv, Opcodes.ACC_PRIVATE, "void " + name + "()", k.span() == null ? 0 : k.span().line());
        List<VectorClass.Arg> products = ContractionSampleVectors.arguments(k);
        if (products != null) vectorFirst(m, products, "s" + index + "$" + name.substring(name.indexOf('$') + 1),
                (vectorName, line) -> vectors.emitSampleProduct(k, vectorName, products, line), k.span());
        if (k instanceof Kernel.Linear l) new ContractionSamples(self).linear(m, l);
        else if (k instanceof Kernel.LinearT l) new ContractionSamples(self).linearTransposed(m, l);
        else if (k instanceof Kernel.WeightGrad w) new ContractionSamples(self).weightGrad(m, w);
        else if (k instanceof Kernel.Map map) {
            List<VectorClass.Arg> args = ElementwiseVectors.sampleArguments(map);
            int start = m.local("start", Type.INT_TYPE);
            if (args == null) m.set(start, m.constant(0));
            else {
                String vectorName = "s" + index + "$" + name.substring(name.indexOf('$') + 1);
                vectors.emitSampleMap(map, vectorName, args, k.span() == null ? 0 : k.span().line());
                vectors.callForStart(m, vectorName, args, start);
            }
            new ElementwiseSamples(m, self).perSample(map, start);
        }
        else if (k instanceof Kernel.Softmax s) softmax(m, s);
        else if (k instanceof Kernel.SoftmaxGrad s) softmaxGrad(m, s);
        else if (k instanceof Kernel.Concat c) concat(m, c);
        else if (k instanceof Kernel.Slice s) copyBlocks(m, s.in(), s.out(), s.outer(), s.inLength(), s.offset(), s.length(), 0, s.length(), false);
        else if (k instanceof Kernel.Embed e) copyBlocks(m, e.in(), e.out(), e.outer(), e.length(), 0, e.outLength(), e.offset(), e.length(), true);
        else if (k instanceof Kernel.Sum s) sum(m, s);
        else if (k instanceof Kernel.Loss l) loss(m, l);
        else if (k instanceof Kernel.Conv c) {
            if (ConvSampleVectors.vectorized(c)) vectorFirst(m, ConvSampleVectors.arguments(c), "s" + index + "$" + name.substring(name.indexOf('$') + 1),
                    (vectorName, line) -> vectors.emitSample(c, vectorName, ConvSampleVectors.arguments(c), line), c.span());
            new ConvSamples(m, self).emit(c);
        }
        else if (k instanceof Kernel.Pool p) new PoolSamples(m, self).pool(p);
        else if (k instanceof Kernel.PoolGrad p) new PoolSamples(m, self).poolGrad(p);
        else if (RuntimeKernels.handles(k)) RuntimeKernels.perSample(m, self, k);
        m.end(self);
        return name;
    }

    /** Writes a kernel's one-sample vector form as {@code name} in the vector class. */
    private interface VectorForm {
        void emit(String name, int line);
    }

    /** {@code if (VECTOR) { <Network>$Vector.name(fields...); return; }}: one sample's kernel through the Vector API when it runs. */
    private void vectorFirst(MethodBuilder m, List<VectorClass.Arg> args, String name, VectorForm form, nnet.diag.Span span) {
        form.emit(name, span == null ? 0 : span.line());
        vectors.callFirst(m, name, args);
    }

    private int buffer(MethodBuilder m, Buffer b) {
        return m.fieldToLocal(self, b.field(), ClassEmitter.FLOATS);
    }

    // ---- softmax and concat

    /** Per row: max, then exp(v - max) and its sum, then scale by 1 / sum. */
    private void softmax(MethodBuilder m, Kernel.Softmax s) {
        GeneratorAdapter g = m.g;
        int in = buffer(m, s.in()), out = buffer(m, s.out());
        int r = m.local("r", Type.INT_TYPE), base = m.local("base", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE);
        int max = m.local("max", Type.FLOAT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE), e = m.local("e", Type.FLOAT_TYPE);
        m.forLoop(r, 0, s.rows(), () -> {
            g.loadLocal(r);
            g.push(s.m());
            g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            g.storeLocal(base);
            g.push(Float.NEGATIVE_INFINITY);
            g.storeLocal(max);
            m.forLoop(j, 0, s.m(), () -> {
                g.loadLocal(max);
                loadAt(g, in, base, j);
                m.invoke(Call.MAX);
                g.storeLocal(max);
            });
            g.push(0f);
            g.storeLocal(sum);
            m.forLoop(j, 0, s.m(), () -> {
                loadAt(g, in, base, j);
                g.loadLocal(max);
                g.math(GeneratorAdapter.SUB, Type.FLOAT_TYPE);
                m.invoke(GeneratedCode.EXP);
                g.storeLocal(e);
                g.loadLocal(out);
                g.loadLocal(base);
                g.loadLocal(j);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                g.loadLocal(e);
                g.arrayStore(Type.FLOAT_TYPE);
                g.loadLocal(sum);
                g.loadLocal(e);
                g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                g.storeLocal(sum);
            });
            g.push(1f);
            g.loadLocal(sum);
            g.math(GeneratorAdapter.DIV, Type.FLOAT_TYPE);
            g.storeLocal(sum);
            m.forLoop(j, 0, s.m(), () -> {
                g.loadLocal(out);
                g.loadLocal(base);
                g.loadLocal(j);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                g.dup2();
                g.arrayLoad(Type.FLOAT_TYPE);
                g.loadLocal(sum);
                g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                g.arrayStore(Type.FLOAT_TYPE);
            });
        });
    }

    private static void loadAt(GeneratorAdapter g, int array, int base, int j) {
        g.loadLocal(array);
        g.loadLocal(base);
        g.loadLocal(j);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.arrayLoad(Type.FLOAT_TYPE);
    }

    /** For each outer block o, copy each part's block into place with System.arraycopy. */
    private void concat(MethodBuilder m, Kernel.Concat c) {
        GeneratorAdapter g = m.g;
        int out = buffer(m, c.out());
        List<Integer> parts = new ArrayList<>();
        for (Buffer b : c.parts()) parts.add(buffer(m, b));
        int total = 0;
        for (int len : c.lengths()) total += len;
        int o = m.local("o", Type.INT_TYPE);
        final int rowLength = total;
        m.forLoop(o, 0, c.outer(), () -> {
            int offset = 0;
            for (int k = 0; k < parts.size(); k++) {
                int len = c.lengths()[k];
                g.loadLocal(parts.get(k));
                g.loadLocal(o);
                g.push(len);
                g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
                g.loadLocal(out);
                g.loadLocal(o);
                g.push(rowLength);
                g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
                g.push(offset);
                g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                g.push(len);
                m.invoke(Call.ARRAYCOPY);
                offset += len;
            }
        });
    }

    /** Per row: dot = sum dy * y, then out = y * (dy - dot). */
    private void softmaxGrad(MethodBuilder m, Kernel.SoftmaxGrad s) {
        GeneratorAdapter g = m.g;
        int y = buffer(m, s.y()), dy = buffer(m, s.dy()), out = buffer(m, s.out());
        int base = m.local("base", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE), dot = m.local("dot", Type.FLOAT_TYPE);
        int r = m.local("r", Type.INT_TYPE);
        m.forLoop(r, 0, s.rows(), () -> {
            g.loadLocal(r);
            g.push(s.m());
            g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            g.storeLocal(base);
            ContractionSamples.dot(m, dot, j, () -> g.push(0), () -> g.push(s.m()), () -> loadAt(g, y, base, j), () -> loadAt(g, dy, base, j));
            m.forLoop(j, 0, s.m(), () -> {
                g.loadLocal(out);
                ContractionSamples.offset(g, base, () -> g.loadLocal(j));
                loadAt(g, y, base, j);
                loadAt(g, dy, base, j);
                g.loadLocal(dot);
                g.math(GeneratorAdapter.SUB, Type.FLOAT_TYPE);
                g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                g.arrayStore(Type.FLOAT_TYPE);
            });
        });
    }

    /**
     * For each outer block o: {@code arraycopy(in, o * inStride + inOffset, out, o * outStride + outOffset, length)},
     * after zeroing {@code out} when it is only partly written (an embed).
     */
    private void copyBlocks(MethodBuilder m, Buffer inBuffer, Buffer outBuffer, int outer, int inStride, int inOffset, int outStride, int outOffset, int length,
                            boolean zeroFirst) {
        GeneratorAdapter g = m.g;
        int in = buffer(m, inBuffer), out = buffer(m, outBuffer);
        if (zeroFirst) {
            g.loadLocal(out);
            g.push(0f);
            m.invoke(Call.FILL);
        }
        int o = m.local("o", Type.INT_TYPE);
        m.forLoop(o, 0, outer, () -> {
            g.loadLocal(in);
            blockStart(g, o, inStride, inOffset);
            g.loadLocal(out);
            blockStart(g, o, outStride, outOffset);
            g.push(length);
            m.invoke(Call.ARRAYCOPY);
        });
    }

    private static void blockStart(GeneratorAdapter g, int o, int stride, int offset) {
        g.loadLocal(o);
        g.push(stride);
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        if (offset == 0) return;
        g.push(offset);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
    }

    /** out[0] = sum of in. */
    private void sum(MethodBuilder m, Kernel.Sum s) {
        GeneratorAdapter g = m.g;
        int in = buffer(m, s.in()), out = buffer(m, s.out());
        int j = m.local("j", Type.INT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE);
        g.push(0f);
        g.storeLocal(sum);
        m.forLoop(j, 0, s.in().size(), () -> {
            g.loadLocal(sum);
            ContractionSamples.load(g, in, () -> g.loadLocal(j));
            g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
            g.storeLocal(sum);
        });
        g.loadLocal(out);
        g.push(0);
        g.loadLocal(sum);
        g.arrayStore(Type.FLOAT_TYPE);
    }

    /** {@code out[0] = LossFunction.F.value(y, target, m)}, or {@code LossFunction.F.gradient(y, target, m, out)}. */
    private void loss(MethodBuilder m, Kernel.Loss l) {
        GeneratorAdapter g = m.g;
        int y = buffer(m, l.y()), t = buffer(m, l.target()), out = buffer(m, l.out());
        if (!l.gradient()) {
            g.loadLocal(out);
            g.push(0);
        }
        g.getStatic(LOSS, l.function().name(), LOSS);
        g.loadLocal(y);
        g.loadLocal(t);
        g.push(l.m());
        if (l.gradient()) {
            g.loadLocal(out);
            m.invoke(GeneratedCode.LOSS_GRADIENT);
        } else {
            m.invoke(GeneratedCode.LOSS_VALUE);
            g.arrayStore(Type.FLOAT_TYPE);
        }
    }
}
