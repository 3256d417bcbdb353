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

    PoolSamples(MethodBuilder m) {
        this.m = m;
    }

    void pool(Kernel.Pool p) {
        int in = buffer(p.in()), out = buffer(p.out());
        int best = m.local("best", Type.FLOAT_TYPE), sum = m.local("sum", Type.FLOAT_TYPE), v = m.local("v", Type.FLOAT_TYPE);
        windows(p.geo(), (cell, base, at) -> {
            if (p.max()) m.set(best, m.elementOf(in, base));
            else m.set(sum, m.constant(0f));
        }, (cell, base, at) -> {
            if (p.max()) takeIfGreater(in, at, v, best, -1);
            else m.set(sum, m.add(m.elementOf(in, at), m.value(sum)));
        }, (cell, base, at) -> m.storeElement(out, m.value(cell), p.max() ? m.value(best) : m.product(m.value(sum), m.constant(1f / (p.geo().k() * p.geo().k())))));
    }

    void poolGrad(Kernel.PoolGrad p) {
        int dy = buffer(p.dy()), dx = buffer(p.dx());
        int x = p.max() ? buffer(p.x()) : -1;
        int best = m.local("best", Type.FLOAT_TYPE), bestAt = m.local("bestAt", Type.INT_TYPE), v = m.local("v", Type.FLOAT_TYPE);
        float share = 1f / (p.geo().k() * p.geo().k());
        m.zero(dx);
        windows(p.geo(), (cell, base, at) -> {
            if (!p.max()) return;
            m.set(best, m.elementOf(x, base));
            m.set(bestAt, m.value(base));
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
        m.set(v, m.elementOf(array, at));
        Label keep = new Label();
        m.loadLocal(v);
        m.loadLocal(best);
        m.ifCmp(Type.FLOAT_TYPE, GeneratorAdapter.LE, keep);
        m.set(best, m.value(v));
        if (bestAt >= 0) m.set(bestAt, m.value(at));
        m.mark(keep);
    }

    /** {@code target[index] += source[cell] * scale}. */
    private void addTo(int target, int index, int source, int cell, float scale) {
        m.addToElement(target, m.value(index), scale == 1f ? m.elementOf(source, cell) : m.product(m.elementOf(source, cell), m.constant(scale)));
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
        m.set(cell, m.constant(0));
        m.forLoop(c, 0, geo.c(), () -> m.forLoop(y, 0, geo.oh(), () -> m.forLoop(x, 0, geo.ow(), () -> {
            // base = (c h + y strideY) w + x strideX
            m.set(base, m.sum(m.scaled(c, geo.h() * geo.w(), 0), m.sum(m.scaled(y, geo.strideY() * geo.w(), 0), m.scaled(x, geo.strideX(), 0))));
            before.emit(cell, base, at);
            m.forLoop(py, 0, geo.k(), () -> m.forLoop(px, 0, geo.k(), () -> {
                m.set(at, m.sum(m.value(base), m.sum(m.scaled(py, geo.w(), 0), m.value(px))));
                each.emit(cell, base, at);
            }));
            after.emit(cell, base, at);
            m.iinc(cell, 1);
        })));
    }

    private int buffer(nnet.lower.Buffer b) {
        return m.fieldToLocal(Fields.buffer(b));
    }
}
