package nnet.emit;

import java.util.function.IntConsumer;
import nnet.lower.Kernel;
import nnet.lower.Tiling;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * maxpool and avgpool over tile rows in plain Java, and their gradients: every step is a row of
 * lanes, {@code target[s] = max(target[s], row[s])} or a sum, the same index on both sides (C2
 * vectorizes it). {@link ConvVectors} has the maxpool gradient's Vector API form.
 */
final class PoolTiles {
    private static final int LANES = Tiling.SIZE;
    private static final Type INT = Type.INT_TYPE;

    private final MethodBuilder m;

    PoolTiles(MethodBuilder m) {
        this.m = m;
    }

    private int rows(nnet.lower.Buffer b) {
        return m.fieldToLocal(Fields.tileRows(b));
    }

    /** For each window: its first row copied, then each other row taken in (the maximum, or the sum scaled to the mean). */
    void pool(Kernel.Pool p) {
        Kernel.PoolGeometry geo = p.geo();
        int in = rows(p.in()), out = rows(p.out()), s = m.local("s", INT), target = m.local("target", Fields.FLOATS), row = m.local("row", Fields.FLOATS);
        overWindows(geo, (cell, base) -> {
            m.rowOf(out, m.value(cell), target);
            m.rowOf(in, m.value(base), row);
            m.forLoop(s, 0, LANES, () -> m.storeElement(target, m.value(s), m.elementOf(row, s)));
            overWindowRows(geo, base, true, at -> {
                m.rowOf(in, m.value(at), row);
                m.forLoop(s, 0, LANES, () -> m.storeElement(target, m.value(s), p.max() ? () -> {
                    m.elementOf(target, s).emit();
                    m.elementOf(row, s).emit();
                    m.invoke(Call.MAX);
                } : m.add(m.elementOf(target, s), m.elementOf(row, s))));
            });
            if (!p.max()) m.forLoop(s, 0, LANES, () -> m.storeElement(target, m.value(s), m.product(m.elementOf(target, s), () -> m.push(1f / (geo.k() * geo.k())))));
        });
    }

    /**
     * dx zeroed, then per window: avgpool spreads dy evenly over it; maxpool gives each lane's dy to
     * the first element of the window that is its maximum (a strict comparison keeps the first).
     */
    void poolGrad(Kernel.PoolGrad p) {
        Kernel.PoolGeometry geo = p.geo();
        int dy = rows(p.dy()), dx = rows(p.dx()), s = m.local("s", INT), dyRow = m.local("dyRow", Fields.FLOATS), row = m.local("row", Fields.FLOATS);
        ConvTiles.zeroRows(m, dx);
        if (!p.max()) {
            float share = 1f / (geo.k() * geo.k());
            overWindows(geo, (cell, base) -> {
                m.rowOf(dy, m.value(cell), dyRow);
                overWindowRows(geo, base, false, at -> {
                    m.rowOf(dx, m.value(at), row);
                    m.forLoop(s, 0, LANES, () -> m.addToElement(row, m.value(s), m.product(m.elementOf(dyRow, s), () -> m.push(share))));
                });
            });
            return;
        }
        int x = rows(p.x()), best = m.local("best", Type.FLOAT_TYPE), v = m.local("v", Type.FLOAT_TYPE), bestAt = m.local("bestAt", INT);
        overWindows(geo, (cell, base) -> {
            m.rowOf(dy, m.value(cell), dyRow);
            m.forLoop(s, 0, LANES, () -> {
                m.set(best, m.elementOf(x, m.value(base), m.value(s)));
                m.set(bestAt, m.value(base));
                overWindowRows(geo, base, true, at -> {
                    m.set(v, m.elementOf(x, m.value(at), m.value(s)));
                    Label keep = new Label();
                    m.loadLocal(v);
                    m.loadLocal(best);
                    m.ifCmp(Type.FLOAT_TYPE, GeneratorAdapter.LE, keep);
                    m.set(best, m.value(v));
                    m.set(bestAt, m.value(at));
                    m.mark(keep);
                });
                m.rowOf(dx, m.value(bestAt), row);
                m.addToElement(row, m.value(s), m.elementOf(dyRow, s));
            });
        });
    }

    private interface Window {
        void emit(int cell, int base);
    }

    /** For each channel, output row and column: {@code cell} its output row, {@code base} the first row of its window. */
    private void overWindows(Kernel.PoolGeometry geo, Window body) {
        int c = m.local("c", INT), y = m.local("y", INT), xo = m.local("x", INT), cell = m.local("cell", INT), base = m.local("base", INT);
        m.forLoop(c, 0, geo.c(), () -> m.forLoop(y, 0, geo.oh(), () -> m.forLoop(xo, 0, geo.ow(), () -> {
            m.set(cell, m.sum(m.scaled(c, geo.oh() * geo.ow(), 0), m.sum(m.scaled(y, geo.ow(), 0), m.value(xo))));
            m.set(base, m.sum(m.scaled(c, geo.h() * geo.w(), 0), m.sum(m.scaled(y, geo.strideY() * geo.w(), 0), m.scaled(xo, geo.strideX(), 0))));
            body.emit(cell, base);
        })));
    }

    /** {@code at} over the window's rows in order ({@code base + py w + px}), the first one left out when {@code skipFirst}. */
    private void overWindowRows(Kernel.PoolGeometry geo, int base, boolean skipFirst, IntConsumer body) {
        int e = m.local("e", INT), at = m.local("at", INT);
        m.forLoop(e, skipFirst ? 1 : 0, geo.k() * geo.k(), () -> {
            m.set(at, m.sum(m.value(base), () -> { // base + (e / k) w + e % k
                m.loadLocal(e);
                m.push(geo.k());
                m.math(GeneratorAdapter.DIV, INT);
                m.push(geo.w());
                m.math(GeneratorAdapter.MUL, INT);
                m.loadLocal(e);
                m.push(geo.k());
                m.math(GeneratorAdapter.REM, INT);
                m.math(GeneratorAdapter.ADD, INT);
            }));
            body.accept(at);
        });
    }
}
