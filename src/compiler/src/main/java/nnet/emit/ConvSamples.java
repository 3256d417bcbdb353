package nnet.emit;

import nnet.lower.Kernel;
import nnet.runtime.math.ConvPlan;
import nnet.runtime.GeneratedCode;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * A conv2d loop nest (forward, input gradient or kernel gradient) as one method:
 * <pre>
 * for p over the present channel pairs: i = pairs[2p], o = pairs[2p + 1]
 *   for ky, kx: the output rows y and columns x whose input position is inside the image (padding is never read)
 *     for y: for x: out[(o, y, x)] += K[o, i, ky, kx] * in[(i, y sy + ky - pt, x sx + kx - pl)]   (or its gradients)
 * </pre>
 * Absent channel pairs are not in {@code pairs}, so they cost nothing.
 */
final class ConvSamples {
    private final MethodBuilder m;

    ConvSamples(MethodBuilder m) {
        this.m = m;
    }

    void emit(Kernel.Conv c) {
        ConvPlan.Geometry geo = c.geo();
        Kernel.ConvRole role = c.role();
        int image = m.fieldToLocal(Fields.buffer(c.image()));          // x, or dx for the input gradient
        int outSide = m.fieldToLocal(Fields.buffer(c.outputSide()));   // out, or dy
        int weights = m.fieldToLocal(role == Kernel.ConvRole.KERNEL_GRAD ? Fields.gradient(c.kernel()) : Fields.values(c.kernel()));
        int pairs = m.fieldToLocal(Fields.channelPairs(c.kernel()));
        int p = m.local("pair", Type.INT_TYPE), i = m.local("i", Type.INT_TYPE), o = m.local("o", Type.INT_TYPE);
        int ky = m.local("ky", Type.INT_TYPE), kx = m.local("kx", Type.INT_TYPE), tap = m.local("tap", Type.INT_TYPE);
        int yStart = m.local("yStart", Type.INT_TYPE), yEnd = m.local("yEnd", Type.INT_TYPE), xStart = m.local("xStart", Type.INT_TYPE), xEnd = m.local("xEnd", Type.INT_TYPE);
        int y = m.local("y", Type.INT_TYPE), x = m.local("x", Type.INT_TYPE);
        int inBase = m.local("inBase", Type.INT_TYPE), outBase = m.local("outBase", Type.INT_TYPE);
        int w = m.local("w", Type.FLOAT_TYPE);

        if (role == Kernel.ConvRole.FORWARD) startFromBias(c, outSide, o);
        if (role == Kernel.ConvRole.INPUT_GRAD) m.zero(image);
        m.forLoop(p, () -> m.push(0), () -> {
            m.loadLocal(pairs);
            m.arrayLength();
            m.push(2);
            m.math(GeneratorAdapter.DIV, Type.INT_TYPE);
        }, () -> {
            pairElement(pairs, p, 0, i);
            pairElement(pairs, p, 1, o);
            m.forLoop(ky, 0, geo.kh(), () -> {
                // rows y with 0 <= y s + ky - pt < h
                inside(ky, geo.padTop(), geo.h(), geo.strideY(), geo.oh(), yStart, yEnd);
                m.forLoop(kx, 0, geo.kw(), () -> {
                    inside(kx, geo.padLeft(), geo.w(), geo.strideX(), geo.ow(), xStart, xEnd);
                    // tap = ((o C + i) kh + ky) kw + kx
                    linear(tap, o, geo.c(), i, geo.kh(), ky, geo.kw(), kx);
                    m.set(w, role == Kernel.ConvRole.KERNEL_GRAD ? m.constant(0f) : m.elementOf(weights, tap)); // a gradient sums the tap's over positions
                    m.forLoop(y, () -> m.loadLocal(yStart), () -> m.loadLocal(yEnd), () -> {
                        rowBases(geo, i, o, y, ky, kx, inBase, outBase);
                        m.forLoop(x, () -> m.loadLocal(xStart), () -> m.loadLocal(xEnd), () -> position(role, geo, image, outSide, inBase, outBase, x, w));
                    });
                    if (role == Kernel.ConvRole.KERNEL_GRAD) m.addToElement(weights, m.value(tap), m.value(w));
                });
            });
        });
    }

    /** {@code out[o, ...] = bias[o]} (0 without a bias): the sums start there. */
    private void startFromBias(Kernel.Conv c, int out, int o) {
        ConvPlan.Geometry geo = c.geo();
        if (c.bias() == null) {
            m.zero(out);
            return;
        }
        int bias = m.fieldToLocal(Fields.values(c.bias()));
        int positions = geo.oh() * geo.ow();
        m.forLoop(o, 0, geo.f(), () -> m.call(Call.FILL_RANGE, m.value(out), m.scaled(o, positions, 0), m.scaled(m.at(o, 1), positions), m.elementOf(bias, o)).emit());
    }

    /** {@code into = pairs[2 p + which]}. */
    private void pairElement(int pairs, int p, int which, int into) {
        m.set(into, m.elementOf(pairs, m.scaled(p, 2, which)));
    }

    /** The output range [start, end) whose input coordinate {@code out * stride + k - pad} lies in [0, size). */
    private void inside(int k, int pad, int size, int stride, int count, int start, int end) {
        m.set(start, m.call(GeneratedCode.FIRST_INSIDE, m.minus(m.value(k), pad), m.constant(stride)));
        m.set(end, m.call(GeneratedCode.END_INSIDE, m.constant(size), m.minus(m.value(k), pad), m.constant(stride), m.constant(count)));
    }

    /** {@code into = ((a A + b) B + c) C + d}, with A, B, C constants. */
    private void linear(int into, int a, int sizeA, int b, int sizeB, int c, int sizeC, int d) {
        m.set(into, m.sum(m.scaled(m.sum(m.scaled(m.sum(m.scaled(a, sizeA, 0), m.value(b)), sizeB), m.value(c)), sizeC), m.value(d)));
    }

    /** {@code inBase = (i h + y sy + ky - pt) w + kx - pl}; {@code outBase = (o oh + y) ow}. */
    private void rowBases(ConvPlan.Geometry geo, int i, int o, int y, int ky, int kx, int inBase, int outBase) {
        MethodBuilder.Body row = m.minus(m.sum(m.sum(m.scaled(i, geo.h(), 0), m.scaled(y, geo.strideY(), 0)), m.value(ky)), geo.padTop());
        m.set(inBase, m.minus(m.sum(m.scaled(row, geo.w()), m.value(kx)), geo.padLeft()));
        m.set(outBase, m.scaled(m.sum(m.scaled(o, geo.oh(), 0), m.value(y)), geo.ow()));
    }

    /** One output position x of the row: the role's update. */
    private void position(Kernel.ConvRole role, ConvPlan.Geometry geo, int image, int outSide, int inBase, int outBase, int x, int w) {
        MethodBuilder.Body inIndex = m.sum(m.value(inBase), m.scaled(x, geo.strideX(), 0));
        MethodBuilder.Body outIndex = m.sum(m.value(outBase), m.value(x));
        switch (role) {
            case FORWARD -> m.addToElement(outSide, outIndex, m.product(m.value(w), m.elementOf(image, inIndex)));
            case INPUT_GRAD -> m.addToElement(image, inIndex, m.product(m.value(w), m.elementOf(outSide, outIndex)));
            case KERNEL_GRAD -> m.set(w, m.add(m.value(w), m.product(m.elementOf(outSide, outIndex), m.elementOf(image, inIndex)))); // w += dy[out] * x[in]
        }
    }
}
