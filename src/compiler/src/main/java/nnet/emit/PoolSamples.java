package nnet.emit;

import nnet.lower.Kernel;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * maxpool / avgpool over k x k windows and their gradients, for one sample:
 * <pre>
 * for c, y, x: base = (c h + y sy) w + x sx; window offsets base + py w + px for py, px &lt; k
 *   max: out = the first maximum of the window; its gradient goes to that element
 *   avg: out = the mean; its gradient is spread over the window
 * </pre>
 */
final class PoolSamples {
    private final MethodBuilder m;
    private final GeneratorAdapter g;
    private final Type self;

    PoolSamples(MethodBuilder m, Type self) {
        this.m = m;
        this.g = m.g;
        this.self = self;
    }

    void pool(Kernel.Pool p) {
        int in = buffer(p.in().field()), out = buffer(p.out().field());
        int best = m.local("best", Type.FLOAT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE), v = m.local("v", Type.FLOAT_TYPE);
        windows(p.geo(), (cell, base, at) -> {
            if (p.max()) {
                load(in, base);
                g.storeLocal(best);
            } else {
                g.push(0f);
                g.storeLocal(sum);
            }
        }, (cell, base, at) -> {
            if (p.max()) takeIfGreater(in, at, v, best, -1);
            else {
                load(in, at);
                g.loadLocal(sum);
                g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
                g.storeLocal(sum);
            }
        }, (cell, base, at) -> {
            g.loadLocal(out);
            g.loadLocal(cell);
            if (p.max()) g.loadLocal(best);
            else {
                g.loadLocal(sum);
                g.push(1f / (p.geo().k() * p.geo().k()));
                g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
            }
            g.arrayStore(Type.FLOAT_TYPE);
        });
    }

    void poolGrad(Kernel.PoolGrad p) {
        int dy = buffer(p.dy().field()), dx = buffer(p.dx().field());
        int x = p.max() ? buffer(p.x().field()) : -1;
        int best = m.local("best", Type.FLOAT_TYPE), bestAt = m.local("bestAt", Type.INT_TYPE), v = m.local("v", Type.FLOAT_TYPE);
        float share = 1f / (p.geo().k() * p.geo().k());
        g.loadLocal(dx);
        g.push(0f);
        m.invoke(Call.FILL);
        windows(p.geo(), (cell, base, at) -> {
            if (!p.max()) return;
            load(x, base);
            g.storeLocal(best);
            g.loadLocal(base);
            g.storeLocal(bestAt);
        }, (cell, base, at) -> {
            if (p.max()) takeIfGreater(x, at, v, best, bestAt); // the first maximum, as the forward pass found it
            else addTo(dx, at, dy, cell, share);
        }, (cell, base, at) -> {
            if (p.max()) addTo(dx, bestAt, dy, cell, 1f);
        });
    }

    /**
     * {@code v = array[at]; if (v > best) { best = v; bestAt = at; }}: a strict comparison keeps the
     * first maximum on ties; {@code bestAt} is -1 when the place is not wanted.
     */
    private void takeIfGreater(int array, int at, int v, int best, int bestAt) {
        load(array, at);
        g.storeLocal(v);
        Label keep = new Label();
        g.loadLocal(v);
        g.loadLocal(best);
        g.ifCmp(Type.FLOAT_TYPE, GeneratorAdapter.LE, keep);
        g.loadLocal(v);
        g.storeLocal(best);
        if (bestAt >= 0) {
            g.loadLocal(at);
            g.storeLocal(bestAt);
        }
        g.mark(keep);
    }

    /** {@code target[index] += source[cell] * scale}. */
    private void addTo(int target, int index, int source, int cell, float scale) {
        g.loadLocal(target);
        g.loadLocal(index);
        g.dup2();
        g.arrayLoad(Type.FLOAT_TYPE);
        load(source, cell);
        if (scale != 1f) {
            g.push(scale);
            g.math(GeneratorAdapter.MUL, Type.FLOAT_TYPE);
        }
        g.math(GeneratorAdapter.ADD, Type.FLOAT_TYPE);
        g.arrayStore(Type.FLOAT_TYPE);
    }

    /** Code at one place of the window walk; the locals hold the output cell, the window's first element, the current element. */
    private interface Step {
        void emit(int cell, int base, int at);
    }

    /** for c, y, x (cell counts up): before the window; each element at = base + py w + px; after it. */
    private void windows(Kernel.PoolGeometry geo, Step before, Step each, Step after) {
        int c = m.local("c", Type.INT_TYPE), y = m.local("y", Type.INT_TYPE), x = m.local("x", Type.INT_TYPE);
        int py = m.local("py", Type.INT_TYPE), px = m.local("px", Type.INT_TYPE);
        int cell = m.local("cell", Type.INT_TYPE), base = m.local("base", Type.INT_TYPE), at = m.local("at", Type.INT_TYPE);
        g.push(0);
        g.storeLocal(cell);
        m.forLoop(c, 0, geo.c(), () -> m.forLoop(y, 0, geo.oh(), () -> m.forLoop(x, 0, geo.ow(), () -> {
            // base = (c h + y strideY) w + x strideX
            m.set(base, m.sum(m.scaled(c, geo.h() * geo.w(), 0), m.sum(m.scaled(y, geo.strideY() * geo.w(), 0), m.scaled(x, geo.strideX(), 0))));
            before.emit(cell, base, at);
            m.forLoop(py, 0, geo.k(), () -> m.forLoop(px, 0, geo.k(), () -> {
                m.set(at, m.sum(m.value(base), m.sum(m.scaled(py, geo.w(), 0), m.value(px))));
                each.emit(cell, base, at);
            }));
            after.emit(cell, base, at);
            g.iinc(cell, 1);
        })));
    }

    private int buffer(String field) {
        return m.fieldToLocal(self, field, ClassEmitter.FLOATS);
    }

    private void load(int array, int index) {
        g.loadLocal(array);
        g.loadLocal(index);
        g.arrayLoad(Type.FLOAT_TYPE);
    }
}
