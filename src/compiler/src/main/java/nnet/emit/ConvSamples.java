package nnet.emit;

import nnet.lower.Kernel;
import nnet.runtime.ConvPlan;
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
        if (role == Kernel.ConvRole.INPUT_GRAD) fill(image, 0f);
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
                    if (role == Kernel.ConvRole.KERNEL_GRAD) {
                        m.push(0f);
                        m.storeLocal(w); // the tap's gradient, summed over positions
                    } else {
                        m.loadLocal(weights);
                        m.loadLocal(tap);
                        m.arrayLoad(Type.FLOAT_TYPE);
                        m.storeLocal(w);
                    }
                    m.forLoop(y, () -> m.loadLocal(yStart), () -> m.loadLocal(yEnd), () -> {
                        rowBases(geo, i, o, y, ky, kx, inBase, outBase);
                        m.forLoop(x, () -> m.loadLocal(xStart), () -> m.loadLocal(xEnd), () -> position(role, geo, image, outSide, inBase, outBase, x, w));
                    });
                    if (role == Kernel.ConvRole.KERNEL_GRAD) { // grad[tap] += w
                        m.loadLocal(weights);
                        m.loadLocal(tap);
                        m.dup2();
                        m.arrayLoad(Type.FLOAT_TYPE);
                        m.loadLocal(w);
                        m.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                        m.arrayStore(Type.FLOAT_TYPE);
                    }
                });
            });
        });
    }

    /** {@code out[o, ...] = bias[o]} (0 without a bias): the sums start there. */
    private void startFromBias(Kernel.Conv c, int out, int o) {
        ConvPlan.Geometry geo = c.geo();
        if (c.bias() == null) {
            fill(out, 0f);
            return;
        }
        int bias = m.fieldToLocal(Fields.values(c.bias()));
        int positions = geo.oh() * geo.ow();
        m.forLoop(o, 0, geo.f(), () -> {
            m.loadLocal(out);
            m.loadLocal(o);
            m.push(positions);
            m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            m.loadLocal(o);
            m.push(1);
            m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
            m.push(positions);
            m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            m.loadLocal(bias);
            m.loadLocal(o);
            m.arrayLoad(Type.FLOAT_TYPE);
            m.invoke(Call.FILL_RANGE);
        });
    }

    private void fill(int array, float v) {
        m.loadLocal(array);
        m.push(v);
        m.invoke(Call.FILL);
    }

    /** {@code into = pairs[2 p + which]}. */
    private void pairElement(int pairs, int p, int which, int into) {
        m.loadLocal(pairs);
        m.loadLocal(p);
        m.push(2);
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        if (which != 0) {
            m.push(which);
            m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        }
        m.arrayLoad(Type.INT_TYPE);
        m.storeLocal(into);
    }

    /** The output range [start, end) whose input coordinate {@code out * stride + k - pad} lies in [0, size). */
    private void inside(int k, int pad, int size, int stride, int count, int start, int end) {
        m.loadLocal(k);
        m.push(pad);
        m.math(GeneratorAdapter.SUB, Type.INT_TYPE);
        m.push(stride);
        m.invoke(GeneratedCode.FIRST_INSIDE);
        m.storeLocal(start);
        m.push(size);
        m.loadLocal(k);
        m.push(pad);
        m.math(GeneratorAdapter.SUB, Type.INT_TYPE);
        m.push(stride);
        m.push(count);
        m.invoke(GeneratedCode.END_INSIDE);
        m.storeLocal(end);
    }

    /** {@code into = ((a A + b) B + c) C + d}, with A, B, C constants. */
    private void linear(int into, int a, int sizeA, int b, int sizeB, int c, int sizeC, int d) {
        m.loadLocal(a);
        m.push(sizeA);
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.loadLocal(b);
        m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        m.push(sizeB);
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.loadLocal(c);
        m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        m.push(sizeC);
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.loadLocal(d);
        m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        m.storeLocal(into);
    }

    /** {@code inBase = (i h + y sy + ky - pt) w + kx - pl}; {@code outBase = (o oh + y) ow}. */
    private void rowBases(ConvPlan.Geometry geo, int i, int o, int y, int ky, int kx, int inBase, int outBase) {
        m.loadLocal(i);
        m.push(geo.h());
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.loadLocal(y);
        times(geo.strideY());
        m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        m.loadLocal(ky);
        m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        m.push(geo.padTop());
        m.math(GeneratorAdapter.SUB, Type.INT_TYPE);
        m.push(geo.w());
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.loadLocal(kx);
        m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        m.push(geo.padLeft());
        m.math(GeneratorAdapter.SUB, Type.INT_TYPE);
        m.storeLocal(inBase);
        m.loadLocal(o);
        m.push(geo.oh());
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.loadLocal(y);
        m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        m.push(geo.ow());
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        m.storeLocal(outBase);
    }

    private void times(int k) {
        if (k == 1) return;
        m.push(k);
        m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
    }

    /** One output position x of the row: the role's update. */
    private void position(Kernel.ConvRole role, ConvPlan.Geometry geo, int image, int outSide, int inBase, int outBase, int x, int w) {
        MethodBuilder.Body inIndex = () -> {
            m.loadLocal(inBase);
            m.loadLocal(x);
            times(geo.strideX());
            m.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        };
        MethodBuilder.Body outIndex = m.sum(m.value(outBase), m.value(x));
        switch (role) {
            case FORWARD -> m.addToElement(outSide, outIndex, m.product(m.value(w), m.elementOf(image, inIndex)));
            case INPUT_GRAD -> m.addToElement(image, inIndex, m.product(m.value(w), m.elementOf(outSide, outIndex)));
            case KERNEL_GRAD -> m.set(w, m.add(m.value(w), m.product(m.elementOf(outSide, outIndex), m.elementOf(image, inIndex)))); // w += dy[out] * x[in]
        }
    }
}
