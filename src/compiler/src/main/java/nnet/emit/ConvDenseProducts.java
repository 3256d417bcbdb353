package nnet.emit;

import nnet.lower.Kernel;
import nnet.runtime.math.ConvPlan;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * One sample's conv whose kernel covers its whole unpadded input ({@link ConvPlan.Geometry#denseProduct}:
 * LeNet-5's C5, a conv used as a dense head) with the Vector API. Its output is 1 x 1, so the
 * column-vector form ({@link ConvSampleVectors}) would use one lane of every vector it loads, and its
 * kernel gradient would sum a vector's lanes for each weight. It is a dense layer's product instead:
 * filter f's weights are one row of {@code c kh kw} in the flat kernel, laid out as the flat image, so
 * <ul>
 * <li>forward {@code out[f] = bias[f] + w[f] . x}: 4 filters' dot products at a time, each vector of x
 *     loaded once for the 4;
 * <li>input gradient {@code dx = sum over f of dy[f] w[f]}: 4 rows into each vector of dx at a time;
 * <li>kernel gradient {@code grad[f] += dy[f] x}: 4 rows at a time, each vector of x loaded once.
 * </ul>
 * Only for kernels with every channel pair: a masked one keeps the column form. Each micro-kernel is
 * a method with one loop and its vectors in locals (FACTS.md); elements past the last whole vector
 * run in scalar loops inside it.
 */
final class ConvDenseProducts {
    private static final Type F1 = Fields.FLOATS, INT = Type.INT_TYPE, FLOAT = Type.FLOAT_TYPE;
    /** Filters per micro-kernel call (the last {@code f % ROWS} one at a time). */
    private static final int ROWS = 4;

    private final ClassBuilder c;

    ConvDenseProducts(ClassBuilder c) {
        this.c = c;
    }

    /** Whether one sample's {@code conv} runs here: its kernel covers the whole input and has every channel pair. */
    static boolean applies(Kernel.Conv conv) {
        ConvPlan.Geometry g = conv.geo();
        if (!g.denseProduct()) return false;
        for (int i = 0; i < g.c(); i++)
            for (int f = 0; f < g.f(); f++) if (!conv.kernel().has(i, f)) return false;
        return true;
    }

    /** The body of one sample's vector form, the arguments of {@link ConvVectors#sides} in locals {@code a}. */
    void emit(Kernel.Conv conv, MethodBuilder m, int[] a) {
        ConvPlan.Geometry g = conv.geo();
        int length = g.c() * g.kh() * g.kw(), f = m.local("f", INT);
        switch (conv.role()) {
            case FORWARD -> {
                m.forLoop(f, 0, g.f(), () -> m.storeElement(a[1], m.value(f), conv.bias() == null ? m.constant(0f) : m.elementOf(a[3], f)));
                overFilters(m, f, g.f(), rows -> forward(rows), a[0], a[2], a[1], length);
            }
            case INPUT_GRAD -> {
                m.fill(a[1], 0f);
                overFilters(m, f, g.f(), rows -> inputGradient(rows), a[0], a[2], a[1], length);
            }
            case KERNEL_GRAD -> overFilters(m, f, g.f(), rows -> kernelGradient(rows), a[0], a[1], a[2], length);
        }
    }

    /** {@code for f in blocks of ROWS, then of 1: block(x, y, f, z, length)}: every micro-kernel takes its arrays in that order. */
    private static void overFilters(MethodBuilder m, int f, int filters, java.util.function.IntFunction<Method> block, int x, int y, int z, int length) {
        m.set(f, m.constant(0));
        for (int rows : new int[] {ROWS, 1}) {
            Method method = block.apply(rows);
            m.forLoop(f, m.value(f), m.constant(filters - rows + 1), rows, () -> {
                m.loadLocal(x);
                m.loadLocal(y);
                m.loadLocal(f);
                m.loadLocal(z);
                m.push(length);
                m.invokeStatic(m.owner(), method);
            });
        }
    }

    /** {@code out[f + u] += sum over j < length of w[(f + u) length + j] x[j]} for u below {@code rows}. */
    private Method forward(int rows) {
        Method method = new Method("denseConvForward" + rows, "([F[FI[FI)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int x = m.argument("x", F1), w = m.argument("w", F1), f = m.argument("f", INT), out = m.argument("out", F1), length = m.argument("length", INT);
        VectorOps v = new VectorOps(m);
        int[] row = rowStarts(m, f, length, rows), acc = new int[rows], sum = new int[rows];
        for (int u = 0; u < rows; u++) acc[u] = v.local("acc" + u, v.zero());
        int j = m.local("j", INT), whole = ContractionSampleVectors.wholeVectors(m, length), xv = v.newLocal("x");
        m.forLoopBy(j, m.constant(0), m.value(whole), () -> m.getStatic(Fields.LENGTH), () -> {
            v.set(xv, v.load(x, m.value(j)));
            for (int u = 0; u < rows; u++) v.set(acc[u], v.fma(xv, v.load(w, m.sum(m.value(row[u]), m.value(j))), acc[u]));
        });
        for (int u = 0; u < rows; u++) {
            sum[u] = m.local("sum" + u, FLOAT);
            m.set(sum[u], v.sumOfLanes(acc[u]));
        }
        m.forLoop(j, m.value(whole), m.value(length), () -> {
            for (int u = 0; u < rows; u++) {
                int r = row[u], s = sum[u];
                m.set(s, m.add(m.value(s), m.product(m.elementOf(w, m.sum(m.value(r), m.value(j))), m.elementOf(x, j))));
            }
        });
        for (int u = 0; u < rows; u++) m.addToElement(out, m.at(f, u), m.value(sum[u]));
        m.end();
        return method;
    }

    /** {@code dx[j] += sum over u < rows of dy[f + u] w[(f + u) length + j]} for j below length. */
    private Method inputGradient(int rows) {
        Method method = new Method("denseConvInputGradient" + rows, "([F[FI[FI)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int dy = m.argument("dy", F1), w = m.argument("w", F1), f = m.argument("f", INT), dx = m.argument("dx", F1), length = m.argument("length", INT);
        VectorOps v = new VectorOps(m);
        int[] row = rowStarts(m, f, length, rows), d = new int[rows], b = new int[rows];
        broadcasts(m, v, dy, f, d, b);
        int j = m.local("j", INT), whole = ContractionSampleVectors.wholeVectors(m, length), acc = v.newLocal("dx");
        m.forLoopBy(j, m.constant(0), m.value(whole), () -> m.getStatic(Fields.LENGTH), () -> {
            v.set(acc, v.load(dx, m.value(j)));
            for (int u = 0; u < rows; u++) v.set(acc, v.fma(b[u], v.load(w, m.sum(m.value(row[u]), m.value(j))), acc));
            v.store(acc, dx, m.value(j));
        });
        m.forLoop(j, m.value(whole), m.value(length), () -> {
            for (int u = 0; u < rows; u++) m.addToElement(dx, m.value(j), m.product(m.value(d[u]), m.elementOf(w, m.sum(m.value(row[u]), m.value(j)))));
        });
        m.end();
        return method;
    }

    /** {@code grad[(f + u) length + j] += dy[f + u] x[j]} for u below {@code rows}, j below length. */
    private Method kernelGradient(int rows) {
        Method method = new Method("denseConvKernelGradient" + rows, "([F[FI[FI)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int x = m.argument("x", F1), dy = m.argument("dy", F1), f = m.argument("f", INT), grad = m.argument("grad", F1), length = m.argument("length", INT);
        VectorOps v = new VectorOps(m);
        int[] row = rowStarts(m, f, length, rows), d = new int[rows], b = new int[rows];
        broadcasts(m, v, dy, f, d, b);
        int j = m.local("j", INT), whole = ContractionSampleVectors.wholeVectors(m, length), xv = v.newLocal("x"), g = v.newLocal("grad");
        m.forLoopBy(j, m.constant(0), m.value(whole), () -> m.getStatic(Fields.LENGTH), () -> {
            v.set(xv, v.load(x, m.value(j)));
            for (int u = 0; u < rows; u++) {
                v.set(g, v.load(grad, m.sum(m.value(row[u]), m.value(j))));
                v.store(v.fma(b[u], xv, g), grad, m.sum(m.value(row[u]), m.value(j)));
            }
        });
        m.forLoop(j, m.value(whole), m.value(length), () -> {
            for (int u = 0; u < rows; u++) m.addToElement(grad, m.sum(m.value(row[u]), m.value(j)), m.product(m.value(d[u]), m.elementOf(x, j)));
        });
        m.end();
        return method;
    }

    /** {@code d[u] = dy[f + u]} and its broadcast {@code b[u]}, new locals, for each u of the block. */
    private static void broadcasts(MethodBuilder m, VectorOps v, int dy, int f, int[] d, int[] b) {
        for (int u = 0; u < d.length; u++) {
            d[u] = m.local("dy" + u, FLOAT);
            m.set(d[u], m.elementOf(dy, m.at(f, u)));
            b[u] = v.local("b" + u, v.broadcast(m.value(d[u])));
        }
    }

    /** Locals holding {@code (f + u) length}, where row u of the block starts in the flat kernel. */
    private static int[] rowStarts(MethodBuilder m, int f, int length, int rows) {
        int[] row = new int[rows];
        for (int u = 0; u < rows; u++) {
            row[u] = m.local("row" + u, INT);
            int uu = u;
            m.set(row[u], () -> {
                m.at(f, uu).emit();
                m.loadLocal(length);
                m.math(GeneratorAdapter.MUL, INT);
            });
        }
        return row;
    }
}
