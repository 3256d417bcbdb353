package nnet.emit;

import java.util.List;
import nnet.lower.Buffer;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * The other batched kernels over tile rows: softmax and its gradient (a sample's row of the last
 * axis is a column of lanes, so its max, sum and dot product are rows of per-lane values), the sum
 * of a gradient broadcast from [1], and the row copies of concat, slice and embed.
 */
final class RowTiles {
    private static final int LANES = Tiling.SIZE;

    private final MethodBuilder m;
    private final int s;

    RowTiles(MethodBuilder m) {
        this.m = m;
        this.s = m.local("s", Type.INT_TYPE);
    }

    void emit(Kernel k) {
        if (k instanceof Kernel.Softmax s) softmax(s);
        else if (k instanceof Kernel.SoftmaxGrad s) softmaxGrad(s);
        else if (k instanceof Kernel.Sum s) sum(s);
        else if (k instanceof Kernel.Concat c) concat(c);
        else if (k instanceof Kernel.Slice s) copyBlocks(s.in(), s.out(), s.outer(), s.inLength(), s.offset(), s.length(), 0, s.length(), false);
        else if (k instanceof Kernel.Embed e) copyBlocks(e.in(), e.out(), e.outer(), e.length(), 0, e.outLength(), e.offset(), e.length(), true);
        else throw new IllegalStateException("no batched form: " + k.label());
    }

    private int rows(Buffer b) {
        return m.fieldToLocal(Fields.tileRows(b));
    }

    /**
     * Per sample row of {@code m} (outer row r): {@code max} over the row, then {@code e = exp(v - max)}
     * and their {@code sum}, then {@code out = e / sum}; max and sum are per lane.
     */
    private void softmax(Kernel.Softmax k) {
        int in = rows(k.in()), out = rows(k.out()), max = m.fieldToLocal(Fields.LANES_A), sum = m.fieldToLocal(Fields.LANES_B);
        int r = m.local("r", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE), inRow = m.local("inRow", Fields.FLOATS), outRow = m.local("outRow", Fields.FLOATS),
                e = m.local("e", Type.FLOAT_TYPE);
        m.forLoop(r, 0, k.rows(), () -> {
            fill(max, Float.NEGATIVE_INFINITY);
            overRow(r, k.m(), j, () -> {
                m.rowOf(in, m.sum(m.scaled(r, k.m(), 0), m.value(j)), inRow);
                lanes(() -> m.storeElement(max, m.value(s), () -> {
                    m.elementOf(max, s).emit();
                    m.elementOf(inRow, s).emit();
                    m.invoke(Call.MAX);
                }));
            });
            fill(sum, 0f);
            overRow(r, k.m(), j, () -> {
                m.rowOf(in, m.sum(m.scaled(r, k.m(), 0), m.value(j)), inRow);
                m.rowOf(out, m.sum(m.scaled(r, k.m(), 0), m.value(j)), outRow);
                lanes(() -> {
                    m.set(e, () -> {
                        m.elementOf(inRow, s).emit();
                        m.elementOf(max, s).emit();
                        m.math(GeneratorAdapter.SUB, Type.FLOAT_TYPE);
                        m.invoke(GeneratedCode.EXP);
                    });
                    m.storeElement(outRow, m.value(s), m.value(e));
                    m.addToElement(sum, m.value(s), m.value(e));
                });
            });
            overRow(r, k.m(), j, () -> {
                m.rowOf(out, m.sum(m.scaled(r, k.m(), 0), m.value(j)), outRow);
                lanes(() -> m.storeElement(outRow, m.value(s), () -> {
                    m.elementOf(outRow, s).emit();
                    m.elementOf(sum, s).emit();
                    m.math(GeneratorAdapter.DIV, Type.FLOAT_TYPE);
                }));
            });
        });
    }

    /** Per sample row: {@code dot = sum(dy * y)}, then {@code out = y * (dy - dot)}; dot per lane. */
    private void softmaxGrad(Kernel.SoftmaxGrad k) {
        int y = rows(k.y()), dy = rows(k.dy()), out = rows(k.out()), dot = m.fieldToLocal(Fields.LANES_A);
        int r = m.local("r", Type.INT_TYPE), j = m.local("j", Type.INT_TYPE), yRow = m.local("yRow", Fields.FLOATS), dyRow = m.local("dyRow", Fields.FLOATS),
                outRow = m.local("outRow", Fields.FLOATS);
        MethodBuilder.Body rowsOfJ = () -> {
            m.rowOf(y, m.sum(m.scaled(r, k.m(), 0), m.value(j)), yRow);
            m.rowOf(dy, m.sum(m.scaled(r, k.m(), 0), m.value(j)), dyRow);
        };
        m.forLoop(r, 0, k.rows(), () -> {
            fill(dot, 0f);
            overRow(r, k.m(), j, () -> {
                rowsOfJ.emit();
                lanes(() -> m.addToElement(dot, m.value(s), m.product(m.elementOf(dyRow, s), m.elementOf(yRow, s))));
            });
            overRow(r, k.m(), j, () -> {
                rowsOfJ.emit();
                m.rowOf(out, m.sum(m.scaled(r, k.m(), 0), m.value(j)), outRow);
                lanes(() -> m.storeElement(outRow, m.value(s), m.product(m.elementOf(yRow, s), () -> {
                    m.elementOf(dyRow, s).emit();
                    m.elementOf(dot, s).emit();
                    m.math(GeneratorAdapter.SUB, Type.FLOAT_TYPE);
                })));
            });
        });
    }

    /** {@code out[0] = sum over rows of in}, per lane. */
    private void sum(Kernel.Sum k) {
        int in = rows(k.in()), out = rows(k.out()), j = m.local("j", Type.INT_TYPE), row = m.local("row", Fields.FLOATS), total = m.local("total", Fields.FLOATS);
        m.rowOf(out, m.constant(0), total);
        m.zero(total);
        m.forLoop(j, 0, k.in().size(), () -> {
            m.rowOf(in, m.value(j), row);
            lanes(() -> m.addToElement(total, m.value(s), m.elementOf(row, s)));
        });
    }

    /** For each outer block o, each part's rows copied in turn. */
    private void concat(Kernel.Concat k) {
        int out = rows(k.out()), o = m.local("o", Type.INT_TYPE), q = m.local("q", Type.INT_TYPE);
        int total = 0;
        for (int len : k.lengths()) total += len;
        int width = total;
        List<Buffer> parts = k.parts();
        int[] partRows = new int[parts.size()];
        for (int p = 0; p < partRows.length; p++) partRows[p] = rows(parts.get(p));
        m.forLoop(o, 0, k.outer(), () -> {
            int offset = 0;
            for (int p = 0; p < partRows.length; p++) {
                int len = k.lengths()[p], at = offset, part = partRows[p];
                m.forLoop(q, 0, len, () -> copyRow(part, m.sum(m.scaled(o, len, 0), m.value(q)), out, m.sum(m.scaled(o, width, at), m.value(q))));
                offset += len;
            }
        });
    }

    /** Rows {@code [inOffset, inOffset + length)} of each block of {@code inStride} to {@code outOffset} of each block of {@code outStride}; embed zeroes the rest first. */
    private void copyBlocks(Buffer inBuffer, Buffer outBuffer, int outer, int inStride, int inOffset, int outStride, int outOffset, int length, boolean zeroFirst) {
        int in = rows(inBuffer), out = rows(outBuffer), o = m.local("o", Type.INT_TYPE), q = m.local("q", Type.INT_TYPE), row = m.local("row", Fields.FLOATS);
        if (zeroFirst)
            m.forLoop(q, 0, outBuffer.size(), () -> {
                m.rowOf(out, m.value(q), row);
                m.zero(row);
            });
        m.forLoop(o, 0, outer, () -> m.forLoop(q, 0, length, () ->
                copyRow(in, m.sum(m.scaled(o, inStride, inOffset), m.value(q)), out, m.sum(m.scaled(o, outStride, outOffset), m.value(q)))));
    }

    /** {@code System.arraycopy(from[i], 0, to[j], 0, LANES)}. */
    private void copyRow(int from, MethodBuilder.Body i, int to, MethodBuilder.Body j) {
        m.elementOf(from, i).emit();
        m.push(0);
        m.elementOf(to, j).emit();
        m.push(0);
        m.push(LANES);
        m.invoke(Call.ARRAYCOPY);
    }

    private void overRow(int r, int width, int j, MethodBuilder.Body body) {
        m.forLoop(j, 0, width, body);
    }

    private void lanes(MethodBuilder.Body body) {
        m.forLoop(s, 0, LANES, body);
    }

    private void fill(int array, float v) {
        m.loadLocal(array);
        m.push(v);
        m.invoke(Call.FILL);
    }
}
