package nnet.emit;

import java.util.ArrayList;
import java.util.List;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.runtime.GeneratedCode;
import nnet.runtime.LossFunction;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

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

    // ---- softmax and concat

    /** Per row: max, then exp(v - max) and its sum, then scale by 1 / sum. */
    private void softmax(Kernel.Softmax s) {
        int in = buffer(s.in()), out = buffer(s.out());
        int r = m.local("r", Type.INT_TYPE), base = m.local("base", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE);
        int max = m.local("max", Type.FLOAT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE), e = m.local("e", Type.FLOAT_TYPE);
        m.forLoop(r, 0, s.rows(), () -> {
            m.loadLocal(r);
            m.push(s.m());
            m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            m.storeLocal(base);
            m.push(Float.NEGATIVE_INFINITY);
            m.storeLocal(max);
            m.forLoop(j, 0, s.m(), () -> {
                m.loadLocal(max);
                loadAt(in, base, j);
                m.invoke(Call.MAX);
                m.storeLocal(max);
            });
            m.push(0f);
            m.storeLocal(sum);
            m.forLoop(j, 0, s.m(), () -> {
                loadAt(in, base, j);
                m.loadLocal(max);
                m.math(GeneratorAdapter.SUB, Type.FLOAT_TYPE);
                m.invoke(GeneratedCode.EXP);
                m.storeLocal(e);
                m.loadLocal(out);
                m.loadLocal(base);
                m.loadLocal(j);
                m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                m.loadLocal(e);
                m.arrayStore(Type.FLOAT_TYPE);
                m.loadLocal(sum);
                m.loadLocal(e);
                m.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                m.storeLocal(sum);
            });
            m.push(1f);
            m.loadLocal(sum);
            m.math(GeneratorAdapter.DIV, Type.FLOAT_TYPE);
            m.storeLocal(sum);
            m.forLoop(j, 0, s.m(), () -> {
                m.loadLocal(out);
                m.loadLocal(base);
                m.loadLocal(j);
                m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                m.dup2();
                m.arrayLoad(Type.FLOAT_TYPE);
                m.loadLocal(sum);
                m.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                m.arrayStore(Type.FLOAT_TYPE);
            });
        });
    }

    private void loadAt(int array, int base, int j) {
        m.loadLocal(array);
        m.loadLocal(base);
        m.loadLocal(j);
        m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        m.arrayLoad(Type.FLOAT_TYPE);
    }

    /** For each outer block o, copy each part's block into place with System.arraycopy. */
    private void concat(Kernel.Concat c) {
        int out = buffer(c.out());
        List<Integer> parts = new ArrayList<>();
        for (Buffer b : c.parts()) parts.add(buffer(b));
        int total = 0;
        for (int len : c.lengths()) total += len;
        int o = m.local("o", Type.INT_TYPE);
        final int rowLength = total;
        m.forLoop(o, 0, c.outer(), () -> {
            int offset = 0;
            for (int k = 0; k < parts.size(); k++) {
                int len = c.lengths()[k];
                m.loadLocal(parts.get(k));
                m.loadLocal(o);
                m.push(len);
                m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
                m.loadLocal(out);
                m.loadLocal(o);
                m.push(rowLength);
                m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
                m.push(offset);
                m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
                m.push(len);
                m.invoke(Call.ARRAYCOPY);
                offset += len;
            }
        });
    }

    /** Per row: dot = sum dy * y, then out = y * (dy - dot). */
    private void softmaxGrad(Kernel.SoftmaxGrad s) {
        int y = buffer(s.y()), dy = buffer(s.dy()), out = buffer(s.out());
        int base = m.local("base", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE), dot = m.local("dot", Type.FLOAT_TYPE);
        int r = m.local("r", Type.INT_TYPE);
        m.forLoop(r, 0, s.rows(), () -> {
            m.loadLocal(r);
            m.push(s.m());
            m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            m.storeLocal(base);
            ContractionSamples.dot(m, dot, j, () -> m.push(0), () -> m.push(s.m()), () -> loadAt(y, base, j), () -> loadAt(dy, base, j));
            m.forLoop(j, 0, s.m(), () -> {
                m.loadLocal(out);
                m.sum(m.value(base), m.value(j)).emit();
                loadAt(y, base, j);
                loadAt(dy, base, j);
                m.loadLocal(dot);
                m.math(GeneratorAdapter.SUB, Type.FLOAT_TYPE);
                m.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                m.arrayStore(Type.FLOAT_TYPE);
            });
        });
    }

    /**
     * For each outer block o: {@code arraycopy(in, o * inStride + inOffset, out, o * outStride + outOffset, length)},
     * after zeroing {@code out} when it is only partly written (an embed).
     */
    private void copyBlocks(Buffer inBuffer, Buffer outBuffer, int outer, int inStride, int inOffset, int outStride, int outOffset, int length,
                            boolean zeroFirst) {
        int in = buffer(inBuffer), out = buffer(outBuffer);
        if (zeroFirst) {
            m.loadLocal(out);
            m.push(0f);
            m.invoke(Call.FILL);
        }
        int o = m.local("o", Type.INT_TYPE);
        m.forLoop(o, 0, outer, () -> {
            m.loadLocal(in);
            blockStart(o, inStride, inOffset);
            m.loadLocal(out);
            blockStart(o, outStride, outOffset);
            m.push(length);
            m.invoke(Call.ARRAYCOPY);
        });
    }

    private void blockStart(int o, int stride, int offset) {
        m.loadLocal(o);
        m.push(stride);
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        if (offset == 0) return;
        m.push(offset);
        m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
    }

    /** out[0] = sum of in. */
    private void sum(Kernel.Sum s) {
        int in = buffer(s.in()), out = buffer(s.out());
        int j = m.local("j", Type.INT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE);
        m.push(0f);
        m.storeLocal(sum);
        m.forLoop(j, 0, s.in().size(), () -> {
            m.loadLocal(sum);
            m.elementOf(in, j).emit();
            m.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
            m.storeLocal(sum);
        });
        m.loadLocal(out);
        m.push(0);
        m.loadLocal(sum);
        m.arrayStore(Type.FLOAT_TYPE);
    }

    /** {@code out[0] = LossFunction.F.value(y, target, m)}, or {@code LossFunction.F.gradient(y, target, m, out)}. */
    private void loss(Kernel.Loss l) {
        int y = buffer(l.y()), t = buffer(l.target()), out = buffer(l.out());
        if (!l.gradient()) {
            m.loadLocal(out);
            m.push(0);
        }
        m.getStatic(LOSS, l.function().name(), LOSS);
        m.loadLocal(y);
        m.loadLocal(t);
        m.push(l.m());
        if (l.gradient()) {
            m.loadLocal(out);
            m.invoke(GeneratedCode.LOSS_GRADIENT);
        } else {
            m.invoke(GeneratedCode.LOSS_VALUE);
            m.arrayStore(Type.FLOAT_TYPE);
        }
    }
}
