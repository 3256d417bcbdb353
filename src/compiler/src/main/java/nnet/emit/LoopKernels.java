package nnet.emit;

import java.util.List;
import nnet.lower.Kernel;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * A {@link Kernel.Loop} as one loop over the steps that calls the body's methods, emitted once
 * whatever the number of steps. Sample by sample, each window's block is copied into its view
 * before the step and, when the body computes it, back after. Over a tile, a view's rows are made
 * the rows of its block (row arrays are references: nothing is copied), so the body's kernels
 * read and write the histories in place.
 */
final class LoopKernels {
    /** Rows of zeros a tile's view shows where its history has no block (a carried state before the first step): only ever read. */
    static final String ZERO_ROWS = "t$zeroRows";

    private final MethodBuilder m;
    private final Type self;
    private final Kernel.Loop loop;
    private final int t, block;

    /** Starts the method's loop; {@link #body} emits the rest. */
    private LoopKernels(MethodBuilder m, Type self, Kernel.Loop loop) {
        this.m = m;
        this.self = self;
        this.loop = loop;
        this.t = m.local("t", Type.INT_TYPE);
        this.block = m.local("block", Type.INT_TYPE);
    }

    /** The loop's per-sample method: copies in, the body's methods, copies out. */
    static void perSample(MethodBuilder m, Type self, Kernel.Loop loop, List<String> body) {
        LoopKernels e = new LoopKernels(m, self, loop);
        e.steps(() -> {
            for (Kernel.Window w : loop.windows()) if (!w.written()) e.show(w, ClassEmitter.FLOATS, w.view().field(), w.history().field());
            for (String k : body) {
                m.g.loadThis();
                m.g.invokeVirtual(self, Method.getMethod("void " + k + "()"));
            }
            for (Kernel.Window w : loop.windows()) if (w.written()) e.keep(w);
        });
    }

    /** The loop's tile method ({@code count} real lanes): each view's rows made its block's, then the body's tile methods. */
    static void tile(MethodBuilder m, Type self, Kernel.Loop loop, List<String> body, int count) {
        LoopKernels e = new LoopKernels(m, self, loop);
        e.steps(() -> {
            for (Kernel.Window w : loop.windows()) e.show(w, ClassEmitter.ROWS, TileKernels.rowsField(w.view()), TileKernels.rowsField(w.history()));
            for (String k : body) {
                m.g.loadThis();
                m.g.loadLocal(count);
                m.g.invokeVirtual(self, Method.getMethod("void " + k + "(int)"));
            }
        });
    }

    /** {@code for (k = 0; k < steps; k++) { t = reverse ? steps - 1 - k : k; step }}. */
    private void steps(MethodBuilder.Body step) {
        int k = m.local("k", Type.INT_TYPE);
        m.forLoop(k, 0, loop.steps(), () -> {
            if (loop.reverse()) {
                m.g.push(loop.steps() - 1);
                m.g.loadLocal(k);
                m.g.math(GeneratorAdapter.SUB, Type.INT_TYPE);
            } else m.g.loadLocal(k);
            m.g.storeLocal(t);
            step.emit();
        });
    }

    /**
     * The view shows block {@code t + shift} of the history: {@code arraycopy(history, block * size,
     * view, 0, size)}, of floats or of row references; where there is no such block, zeros.
     */
    private void show(Kernel.Window w, Type type, String view, String history) {
        GeneratorAdapter g = m.g;
        int size = w.view().size();
        Label none = new Label(), done = new Label();
        g.loadLocal(t);
        if (w.shift() != 0) {
            g.push(w.shift());
            g.math(GeneratorAdapter.ADD, Type.INT_TYPE);
        }
        g.storeLocal(block);
        if (w.shift() != 0) { // only a carried state's window reaches past the ends
            g.loadLocal(block);
            g.ifZCmp(GeneratorAdapter.LT, none);
            g.loadLocal(block);
            g.push(loop.steps());
            g.ifICmp(GeneratorAdapter.GE, none);
        }
        field(history, type);
        g.loadLocal(block);
        g.push(size);
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        field(view, type);
        g.push(0);
        g.push(size);
        m.invoke(Call.ARRAYCOPY);
        if (w.shift() == 0) return;
        g.goTo(done);
        g.mark(none);
        if (type.equals(ClassEmitter.ROWS)) { // arraycopy(zeroRows, 0, view, 0, size)
            field(ZERO_ROWS, ClassEmitter.ROWS);
            g.push(0);
            field(view, type);
            g.push(0);
            g.push(size);
            m.invoke(Call.ARRAYCOPY);
        } else {
            field(view, type);
            g.push(0f);
            m.invoke(Call.FILL);
        }
        g.mark(done);
    }

    /** A computed view back into its block of the history: {@code arraycopy(view, 0, history, t * size, size)}. */
    private void keep(Kernel.Window w) {
        GeneratorAdapter g = m.g;
        int size = w.view().size();
        field(w.view().field(), ClassEmitter.FLOATS);
        g.push(0);
        field(w.history().field(), ClassEmitter.FLOATS);
        g.loadLocal(t);
        g.push(size);
        g.math(GeneratorAdapter.MUL, Type.INT_TYPE);
        g.push(size);
        m.invoke(Call.ARRAYCOPY);
    }

    private void field(String name, Type type) {
        m.g.loadThis();
        m.g.getField(self, name, type);
    }

    /** How many zero rows the tiled loops need: the largest view that can show no block. */
    static int zeroRows(Iterable<Kernel.Loop> loops) {
        int most = 0;
        for (Kernel.Loop l : loops) for (Kernel.Window w : l.windows()) if (w.shift() != 0) most = Math.max(most, w.view().size());
        return most;
    }
}
