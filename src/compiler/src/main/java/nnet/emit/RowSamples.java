package nnet.emit;

import java.util.ArrayList;
import java.util.List;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.runtime.GeneratedCode;
import nnet.runtime.math.LossFunction;
import org.objectweb.asm.Type;

/**
 * The row kernels of one sample: softmax and its gradient over each row of the last axis, the sum
 * of a gradient broadcast from [1], the loss of a sample's outputs (its {@link LossFunction} row),
 * and the block copies of concat, slice and embed ({@code System.arraycopy}). Their tile forms are
 * {@link RowTiles}.
 */
final class RowSamples {
    private static final Type LOSS = Type.getType(LossFunction.class);

    private final MethodBuilder m;

    RowSamples(MethodBuilder m) {
        this.m = m;
    }

    void emit(Kernel k) {
        if (k instanceof Kernel.Softmax s) softmax(s);
        else if (k instanceof Kernel.SoftmaxGrad s) softmaxGrad(s);
        else if (k instanceof Kernel.Concat c) concat(c);
        else if (k instanceof Kernel.Slice s) copyBlocks(s.in(), s.out(), s.outer(), s.inLength(), s.offset(), s.length(), 0, s.length(), false);
        else if (k instanceof Kernel.Embed e) copyBlocks(e.in(), e.out(), e.outer(), e.length(), 0, e.outLength(), e.offset(), e.length(), true);
        else if (k instanceof Kernel.Sum s) sum(s);
        else if (k instanceof Kernel.Loss l) loss(l);
        else throw new IllegalStateException("no one-sample form: " + k.label());
    }

    private int buffer(Buffer b) {
        return m.fieldToLocal(Fields.buffer(b));
    }

    /** Pushes {@code array[base + j]}. */
    private MethodBuilder.Body at(int array, int base, int j) {
        return m.elementOf(array, m.sum(m.value(base), m.value(j)));
    }

    // ---- softmax

    /** Per row: max, then exp(v - max) and its sum, then scale by 1 / sum. */
    private void softmax(Kernel.Softmax s) {
        int in = buffer(s.in()), out = buffer(s.out());
        int r = m.local("r", Type.INT_TYPE), base = m.local("base", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE);
        int max = m.local("max", Type.FLOAT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE), e = m.local("e", Type.FLOAT_TYPE);
        m.forLoop(r, 0, s.rows(), () -> {
            m.set(base, m.scaled(r, s.m(), 0));
            m.set(max, m.constant(Float.NEGATIVE_INFINITY));
            m.forLoop(j, 0, s.m(), () -> m.set(max, m.call(Call.MAX, m.value(max), at(in, base, j))));
            m.set(sum, m.constant(0f));
            m.forLoop(j, 0, s.m(), () -> {
                m.set(e, m.call(GeneratedCode.EXP, m.difference(at(in, base, j), m.value(max))));
                m.storeElement(out, m.sum(m.value(base), m.value(j)), m.value(e));
                m.set(sum, m.add(m.value(sum), m.value(e)));
            });
            m.set(sum, m.quotient(m.constant(1f), m.value(sum)));
            m.forLoop(j, 0, s.m(), () -> m.scaleElement(out, m.sum(m.value(base), m.value(j)), m.value(sum)));
        });
    }

    /** Per row: dot = sum dy * y, then out = y * (dy - dot). */
    private void softmaxGrad(Kernel.SoftmaxGrad s) {
        int y = buffer(s.y()), dy = buffer(s.dy()), out = buffer(s.out());
        int base = m.local("base", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE), dot = m.local("dot", Type.FLOAT_TYPE);
        int r = m.local("r", Type.INT_TYPE);
        m.forLoop(r, 0, s.rows(), () -> {
            m.set(base, m.scaled(r, s.m(), 0));
            ContractionSamples.dot(m, dot, j, m.constant(0), m.constant(s.m()), at(y, base, j), at(dy, base, j));
            m.forLoop(j, 0, s.m(), () -> m.storeElement(out, m.sum(m.value(base), m.value(j)), m.product(at(y, base, j), m.difference(at(dy, base, j), m.value(dot)))));
        });
    }

    // ---- copies

    /** For each outer block o, each part's block copied into place: {@code arraycopy(part, o len, out, o width + offset, len)}. */
    private void concat(Kernel.Concat c) {
        int out = buffer(c.out());
        List<Integer> parts = new ArrayList<>();
        for (Buffer b : c.parts()) parts.add(buffer(b));
        int width = 0;
        for (int len : c.lengths()) width += len;
        int o = m.local("o", Type.INT_TYPE), rowLength = width;
        m.forLoop(o, 0, c.outer(), () -> {
            int offset = 0;
            for (int k = 0; k < parts.size(); k++) {
                int len = c.lengths()[k];
                arraycopy(parts.get(k), m.scaled(o, len, 0), out, m.scaled(o, rowLength, offset), len);
                offset += len;
            }
        });
    }

    /**
     * For each outer block o: {@code arraycopy(in, o * inStride + inOffset, out, o * outStride + outOffset, length)},
     * after zeroing {@code out} when it is only partly written (an embed).
     */
    private void copyBlocks(Buffer inBuffer, Buffer outBuffer, int outer, int inStride, int inOffset, int outStride, int outOffset, int length,
                            boolean zeroFirst) {
        int in = buffer(inBuffer), out = buffer(outBuffer);
        if (zeroFirst) m.zero(out);
        int o = m.local("o", Type.INT_TYPE);
        m.forLoop(o, 0, outer, () -> arraycopy(in, m.scaled(o, inStride, inOffset), out, m.scaled(o, outStride, outOffset), length));
    }

    /** {@code System.arraycopy(from, fromIndex, to, toIndex, length)}. */
    private void arraycopy(int from, MethodBuilder.Body fromIndex, int to, MethodBuilder.Body toIndex, int length) {
        m.call(Call.ARRAYCOPY, m.value(from), fromIndex, m.value(to), toIndex, m.constant(length)).emit();
    }

    // ---- sum and loss

    /** out[0] = sum of in. */
    private void sum(Kernel.Sum s) {
        int in = buffer(s.in()), out = buffer(s.out());
        int j = m.local("j", Type.INT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE);
        m.set(sum, m.constant(0f));
        m.forLoop(j, 0, s.in().size(), () -> m.set(sum, m.add(m.value(sum), m.elementOf(in, j))));
        m.storeElement(out, m.constant(0), m.value(sum));
    }

    /** {@code out[0] = LossFunction.F.value(y, target, m)}, or {@code LossFunction.F.gradient(y, target, m, out)}. */
    private void loss(Kernel.Loss l) {
        int y = buffer(l.y()), t = buffer(l.target()), out = buffer(l.out());
        MethodBuilder.Body row = () -> m.getStatic(LOSS, l.function().name(), LOSS);
        if (l.gradient()) m.call(GeneratedCode.LOSS_GRADIENT, row, m.value(y), m.value(t), m.constant(l.m()), m.value(out)).emit();
        else m.storeElement(out, m.constant(0), m.call(GeneratedCode.LOSS_VALUE, row, m.value(y), m.value(t), m.constant(l.m())));
    }
}
