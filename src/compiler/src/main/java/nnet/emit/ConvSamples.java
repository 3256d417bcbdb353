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
    private final GeneratorAdapter g;
    private final Type self;

    ConvSamples(MethodBuilder m, Type self) {
        this.m = m;
        this.g = m.g;
        this.self = self;
    }

    void emit(Kernel.Conv c) {
        ConvPlan.Geometry geo = c.geo();
        Kernel.ConvRole role = c.role();
        int image = m.fieldToLocal(self, c.image().field(), ClassEmitter.FLOATS);          // x, or dx for the input gradient
        int outSide = m.fieldToLocal(self, c.outputSide().field(), ClassEmitter.FLOATS);   // out, or dy
        String kf = ClassEmitter.fieldOf(c.kernel());
        int weights = m.fieldToLocal(self, role == Kernel.ConvRole.KERNEL_GRAD ? ClassEmitter.gradFieldOf(c.kernel()) : kf, ClassEmitter.FLOATS);
        int pairs = m.fieldToLocal(self, kf + "$pairs", ClassEmitter.INTS);
        int p = m.local("pair", Type.INT_TYPE), i = m.local("i", Type.INT_TYPE), o = m.local("o", Type.INT_TYPE);
        int ky = m.local("ky", Type.INT_TYPE), kx = m.local("kx", Type.INT_TYPE), tap = m.local("tap", Type.INT_TYPE);
        int yStart = m.local("yStart", Type.INT_TYPE), yEnd = m.local("yEnd", Type.INT_TYPE), xStart = m.local("xStart", Type.INT_TYPE), xEnd = m.local("xEnd", Type.INT_TYPE);
        int y = m.local("y", Type.INT_TYPE), x = m.local("x", Type.INT_TYPE);
        int inBase = m.local("inBase", Type.INT_TYPE), outBase = m.local("outBase", Type.INT_TYPE);
        int w = m.local("w", Type.FLOAT_TYPE);

        if (role == Kernel.ConvRole.FORWARD) startFromBias(c, outSide, o);
        if (role == Kernel.ConvRole.INPUT_GRAD) fill(image, 0f);
        m.forLoop(p, () -> g.push(0), () -> {
            g.loadLocal(pairs);
            g.arrayLength();
            g.push(2);
            g.math(GeneratorAdapter.DIV, Type.INT_TYPE);
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
                        g.push(0f);
                        g.storeLocal(w); // the tap's gradient, summed over positions
                    } else {
                        g.loadLocal(weights);
                        g.loadLocal(tap);
                        g.arrayLoad(Type.FLOAT_TYPE);
                        g.storeLocal(w);
                    }
                    m.forLoop(y, () -> g.loadLocal(yStart), () -> g.loadLocal(yEnd), () -> {
                        rowBases(geo, i, o, y, ky, kx, inBase, outBase);
                        m.forLoop(x, () -> g.loadLocal(xStart), () -> g.loadLocal(xEnd), () -> position(role, geo, image, outSide, inBase, outBase, x, w));
                    });
                    if (role == Kernel.ConvRole.KERNEL_GRAD) { // grad[tap] += w
                        g.loadLocal(weights);
                        g.loadLocal(tap);
                        g.dup2();
                        g.arrayLoad(Type.FLOAT_TYPE);
                        g.loadLocal(w);
                        g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                        g.arrayStore(Type.FLOAT_TYPE);
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
        int bias = m.fieldToLocal(self, ClassEmitter.fieldOf(c.bias()), ClassEmitter.FLOATS);
        int positions = geo.oh() * geo.ow();
        m.forLoop(o, 0, geo.f(), () -> {
            g.loadLocal(out);
            g.loadLocal(o);
            g.push(positions);
            g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            g.loadLocal(o);
            g.push(1);
            g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
            g.push(positions);
            g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            g.loadLocal(bias);
            g.loadLocal(o);
            g.arrayLoad(Type.FLOAT_TYPE);
            m.invoke(Call.FILL_RANGE);
        });
    }

    private void fill(int array, float v) {
        g.loadLocal(array);
        g.push(v);
        m.invoke(Call.FILL);
    }

    /** {@code into = pairs[2 p + which]}. */
    private void pairElement(int pairs, int p, int which, int into) {
        g.loadLocal(pairs);
        g.loadLocal(p);
        g.push(2);
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        if (which != 0) {
            g.push(which);
            g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        }
        g.arrayLoad(Type.INT_TYPE);
        g.storeLocal(into);
    }

    /** The output range [start, end) whose input coordinate {@code out * stride + k - pad} lies in [0, size). */
    private void inside(int k, int pad, int size, int stride, int count, int start, int end) {
        g.loadLocal(k);
        g.push(pad);
        g.math(GeneratorAdapter.SUB, Type.INT_TYPE);
        g.push(stride);
        m.invoke(GeneratedCode.FIRST_INSIDE);
        g.storeLocal(start);
        g.push(size);
        g.loadLocal(k);
        g.push(pad);
        g.math(GeneratorAdapter.SUB, Type.INT_TYPE);
        g.push(stride);
        g.push(count);
        m.invoke(GeneratedCode.END_INSIDE);
        g.storeLocal(end);
    }

    /** {@code into = ((a A + b) B + c) C + d}, with A, B, C constants. */
    private void linear(int into, int a, int sizeA, int b, int sizeB, int c, int sizeC, int d) {
        g.loadLocal(a);
        g.push(sizeA);
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        g.loadLocal(b);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.push(sizeB);
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        g.loadLocal(c);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.push(sizeC);
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        g.loadLocal(d);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.storeLocal(into);
    }

    /** {@code inBase = (i h + y sy + ky - pt) w + kx - pl}; {@code outBase = (o oh + y) ow}. */
    private void rowBases(ConvPlan.Geometry geo, int i, int o, int y, int ky, int kx, int inBase, int outBase) {
        g.loadLocal(i);
        g.push(geo.h());
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        g.loadLocal(y);
        times(geo.strideY());
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.loadLocal(ky);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.push(geo.padTop());
        g.math(GeneratorAdapter.SUB, Type.INT_TYPE);
        g.push(geo.w());
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        g.loadLocal(kx);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.push(geo.padLeft());
        g.math(GeneratorAdapter.SUB, Type.INT_TYPE);
        g.storeLocal(inBase);
        g.loadLocal(o);
        g.push(geo.oh());
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        g.loadLocal(y);
        g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        g.push(geo.ow());
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        g.storeLocal(outBase);
    }

    private void times(int k) {
        if (k == 1) return;
        g.push(k);
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
    }

    /** One output position x of the row: the role's update. */
    private void position(Kernel.ConvRole role, ConvPlan.Geometry geo, int image, int outSide, int inBase, int outBase, int x, int w) {
        Runnable inIndex = () -> {
            g.loadLocal(inBase);
            g.loadLocal(x);
            times(geo.strideX());
            g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        };
        Runnable outIndex = () -> {
            g.loadLocal(outBase);
            g.loadLocal(x);
            g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        };
        switch (role) {
            case FORWARD -> addProduct(outSide, outIndex, w, image, inIndex);
            case INPUT_GRAD -> addProduct(image, inIndex, w, outSide, outIndex);
            case KERNEL_GRAD -> { // w += dy[out] * x[in]
                g.loadLocal(w);
                g.loadLocal(outSide);
                outIndex.run();
                g.arrayLoad(Type.FLOAT_TYPE);
                g.loadLocal(image);
                inIndex.run();
                g.arrayLoad(Type.FLOAT_TYPE);
                g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
                g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                g.storeLocal(w);
            }
        }
    }

    /** {@code target[ti] += w * source[si]}. */
    private void addProduct(int target, Runnable targetIndex, int w, int source, Runnable sourceIndex) {
        g.loadLocal(target);
        targetIndex.run();
        g.dup2();
        g.arrayLoad(Type.FLOAT_TYPE);
        g.loadLocal(w);
        g.loadLocal(source);
        sourceIndex.run();
        g.arrayLoad(Type.FLOAT_TYPE);
        g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
        g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
        g.arrayStore(Type.FLOAT_TYPE);
    }
}
