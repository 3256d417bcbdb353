package nnet.emit;

import java.util.List;
import nnet.lower.Kernel;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;

/**
 * A {@link Kernel.Loop} as one loop over the steps that calls the body's methods, emitted once
 * whatever the number of steps. Sample by sample, each window's block is copied into its view
 * before the step and, when the body computes it, back after. Over a tile, a view's rows are made
 * the rows of its block (row arrays are references: nothing is copied), so the body's kernels
 * read and write the histories in place.
 */
final class LoopKernels {

    private final MethodBuilder m;
    private final Kernel.Loop loop;
    private final int t, block;

    /** Starts the method's loop; {@link #body} emits the rest. */
    private LoopKernels(MethodBuilder m, Kernel.Loop loop) {
        this.m = m;
        this.loop = loop;
        this.t = m.local("t", Type.INT_TYPE);
        this.block = m.local("block", Type.INT_TYPE);
    }

    /** The loop's per-sample method: copies in, the body's methods, copies out. */
    static void perSample(MethodBuilder m, Kernel.Loop loop, List<String> body) {
        LoopKernels e = new LoopKernels(m, loop);
        e.steps(() -> {
            for (Kernel.Window w : loop.windows()) if (!w.written()) e.show(w, Fields.buffer(w.view()), Fields.buffer(w.history()));
            for (String k : body) m.callThis(k);
            for (Kernel.Window w : loop.windows()) if (w.written()) e.keep(w);
        });
    }

    /** The loop's tile method ({@code count} real lanes): each view's rows made its block's, then the body's tile methods. */
    static void tile(MethodBuilder m, Kernel.Loop loop, List<String> body, int count) {
        LoopKernels e = new LoopKernels(m, loop);
        e.steps(() -> {
            for (Kernel.Window w : loop.windows()) e.show(w, Fields.tileRows(w.view()), Fields.tileRows(w.history()));
            for (String k : body) m.callThis(k, count);
        });
    }

    /** {@code for (k = 0; k < steps; k++) { t = reverse ? steps - 1 - k : k; step }}. */
    private void steps(MethodBuilder.Body step) {
        int k = m.local("k", Type.INT_TYPE);
        m.forLoop(k, 0, loop.steps(), () -> {
            if (loop.reverse()) {
                m.push(loop.steps() - 1);
                m.loadLocal(k);
                m.math(GeneratorAdapter.SUB, Type.INT_TYPE);
            } else m.loadLocal(k);
            m.storeLocal(t);
            step.emit();
        });
    }

    /**
     * The view shows block {@code t + shift} of the history: {@code arraycopy(history, block * size,
     * view, 0, size)}, of floats or of row references; where there is no such block, zeros.
     */
    private void show(Kernel.Window w, Fields.Field view, Fields.Field history) {
        int size = w.view().size();
        Label none = new Label(), done = new Label();
        m.set(block, m.at(t, w.shift()));
        if (w.shift() != 0) { // only a carried state's window reaches past the ends
            m.loadLocal(block);
            m.ifZCmp(GeneratorAdapter.LT, none);
            m.loadLocal(block);
            m.push(loop.steps());
            m.ifICmp(GeneratorAdapter.GE, none);
        }
        arraycopy(history, m.scaled(block, size, 0), view, m.constant(0), size);
        if (w.shift() == 0) return;
        m.goTo(done);
        m.mark(none);
        if (view.type().equals(Fields.ROWS)) arraycopy(Fields.ZERO_ROWS, m.constant(0), view, m.constant(0), size);
        else m.call(Call.FILL, () -> m.getField(view), m.constant(0f)).emit();
        m.mark(done);
    }

    /** A computed view back into its block of the history: {@code arraycopy(view, 0, history, t * size, size)}. */
    private void keep(Kernel.Window w) {
        int size = w.view().size();
        arraycopy(Fields.buffer(w.view()), m.constant(0), Fields.buffer(w.history()), m.scaled(t, size, 0), size);
    }

    /** {@code System.arraycopy(this.from, fromIndex, this.to, toIndex, length)}. */
    private void arraycopy(Fields.Field from, MethodBuilder.Body fromIndex, Fields.Field to, MethodBuilder.Body toIndex, int length) {
        m.call(Call.ARRAYCOPY, () -> m.getField(from), fromIndex, () -> m.getField(to), toIndex, m.constant(length)).emit();
    }

    /** How many zero rows the tiled loops need: the largest view that can show no block. */
    static int zeroRows(Iterable<Kernel.Loop> loops) {
        int most = 0;
        for (Kernel.Loop l : loops) for (Kernel.Window w : l.windows()) if (w.shift() != 0) most = Math.max(most, w.view().size());
        return most;
    }
}
