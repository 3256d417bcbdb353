package nnet.lower;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which buffers a kernel reads and which it writes (a weight gradient writes none: it adds into gradient storage). */
public final class KernelBuffers {
    private KernelBuffers() {}

    public static List<Buffer> reads(Kernel k) {
        if (k instanceof Kernel.Linear l) return List.of(l.in());
        if (k instanceof Kernel.LinearT l) return l.activeIf() == null ? List.of(l.in()) : List.of(l.in(), l.activeIf());
        if (k instanceof Kernel.WeightGrad w) return List.of(w.x(), w.dz());
        if (k instanceof Kernel.Map m) {
            Set<Buffer> out = new LinkedHashSet<>();
            for (Kernel.Store s : m.stores()) loads(s.value(), out);
            return List.copyOf(out);
        }
        if (k instanceof Kernel.Softmax s) return List.of(s.in());
        if (k instanceof Kernel.SoftmaxGrad s) return List.of(s.y(), s.dy());
        if (k instanceof Kernel.Concat c) return c.parts();
        if (k instanceof Kernel.Slice s) return List.of(s.in());
        if (k instanceof Kernel.Embed e) return List.of(e.in());
        if (k instanceof Kernel.Sum s) return List.of(s.in());
        if (k instanceof Kernel.Loss l) return List.of(l.y(), l.target());
        if (k instanceof Kernel.Conv c) return switch (c.role()) {
            case FORWARD -> List.of(c.image());
            case INPUT_GRAD -> List.of(c.outputSide());
            case KERNEL_GRAD -> List.of(c.image(), c.outputSide());
        };
        if (k instanceof Kernel.Pool p) return List.of(p.in());
        if (k instanceof Kernel.PoolGrad p) return p.x() == null ? List.of(p.dy()) : List.of(p.x(), p.dy());
        if (k instanceof Kernel.Loop l) return loop(l, false);
        if (k instanceof Kernel.Dropout d) return List.of(d.in());
        if (k instanceof Kernel.Lookup l) return List.of(l.tokens());
        if (k instanceof Kernel.LookupGrad l) return List.of(l.tokens(), l.dy());
        if (k instanceof Kernel.Norm n) return java.util.stream.Stream.of(n.x(), n.dy(), n.stats(), n.gradStats()).filter(java.util.Objects::nonNull).toList();
        if (k instanceof Kernel.LayerNorm n) return n.dy() == null ? List.of(n.x()) : List.of(n.x(), n.dy());
        throw new IllegalArgumentException("unknown kernel " + k);
    }

    public static List<Buffer> writes(Kernel k) {
        if (k instanceof Kernel.Linear l) return List.of(l.out());
        if (k instanceof Kernel.LinearT l) return List.of(l.out());
        if (k instanceof Kernel.WeightGrad) return List.of();
        if (k instanceof Kernel.Map m) {
            List<Buffer> out = new ArrayList<>();
            for (Kernel.Store s : m.stores()) if (s instanceof Kernel.Assign a) out.add(a.out());
            return out;
        }
        if (k instanceof Kernel.Softmax s) return List.of(s.out());
        if (k instanceof Kernel.SoftmaxGrad s) return List.of(s.out());
        if (k instanceof Kernel.Concat c) return List.of(c.out());
        if (k instanceof Kernel.Slice s) return List.of(s.out());
        if (k instanceof Kernel.Embed e) return List.of(e.out());
        if (k instanceof Kernel.Sum s) return List.of(s.out());
        if (k instanceof Kernel.Loss l) return List.of(l.out());
        if (k instanceof Kernel.Conv c) return c.role() == Kernel.ConvRole.FORWARD ? List.of(c.outputSide()) : c.role() == Kernel.ConvRole.INPUT_GRAD ? List.of(c.image()) : List.of();
        if (k instanceof Kernel.Pool p) return List.of(p.out());
        if (k instanceof Kernel.PoolGrad p) return List.of(p.dx());
        if (k instanceof Kernel.Loop l) return loop(l, true);
        if (k instanceof Kernel.Dropout d) return List.of(d.out());
        if (k instanceof Kernel.Lookup l) return List.of(l.out());
        if (k instanceof Kernel.LookupGrad) return List.of();
        if (k instanceof Kernel.Norm n) return n.out() == null ? List.of() : List.of(n.out());
        if (k instanceof Kernel.LayerNorm n) return n.out() == null ? List.of() : List.of(n.out());
        throw new IllegalArgumentException("unknown kernel " + k);
    }

    /**
     * What a loop reads from outside (the histories its body reads through windows, and buffers no
     * body kernel writes) or writes (histories written through windows, and the body's own buffers).
     */
    private static List<Buffer> loop(Kernel.Loop l, boolean writes) {
        Set<Buffer> views = new LinkedHashSet<>(), written = new LinkedHashSet<>(), out = new LinkedHashSet<>();
        for (Kernel.Window w : l.windows()) {
            views.add(w.view());
            if (w.written() == writes) out.add(w.history());
        }
        for (Kernel k : l.body()) written.addAll(writes(k));
        if (writes) written.stream().filter(b -> !views.contains(b)).forEach(out::add);
        else for (Kernel k : l.body()) for (Buffer b : reads(k)) if (!views.contains(b) && !written.contains(b)) out.add(b);
        return List.copyOf(out);
    }

    /** The buffers an element expression loads. */
    public static void loads(Expr e, Set<Buffer> out) {
        for (Expr leaf : e.leaves()) if (leaf instanceof Expr.Load l) out.add(l.buffer());
    }
}
