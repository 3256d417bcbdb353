package nnet.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Graph;
import nnet.ir.LoopSpec;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;

/**
 * A loop over time as kernels: its body lowered once, by the same rules as a whole network, into a
 * {@link Kernel.Loop} that runs it step by step. A body value that outlives its step (carried to the
 * next step, stacked into a loop result, or read by backpropagation through time) is kept in a
 * history, one block per step; the body's kernels read and write a view of step t's block (a
 * {@link Kernel.Window}). A forward loop and the backward loop extending it are lowered by one
 * lowering of the backward body, which holds the forward body as its first nodes: the forward step
 * keeps exactly the values the backward step reads, and the backward step reads them from there.
 * A stacked carried input (for a weight gradient after the loop) is a copy of its body output's
 * history, one block late ({@link #carriedStack}).
 */
final class LoopLowering {
    private final Lowering outer;
    private final Node loop;
    private final LoopSpec spec;
    /** The backward body when there is a backward loop, else the forward body. */
    private final Graph body;
    private final int forwardNodes;
    private final Lowering inner;
    private final Map<Node, Buffer> histories = new HashMap<>();
    /** The views of the forward step with their histories: the backward step reads some of them too. */
    private final List<View> forwardViews = new ArrayList<>();

    /** A view and the history it shows, block {@code t + shift} at step t. */
    private record View(Buffer view, Buffer history, int shift) {}

    LoopLowering(Lowering outer, Node loop, Node back, List<Buffer> buffers, Set<String> fieldNames) {
        this.outer = outer;
        this.loop = loop;
        this.spec = (LoopSpec) loop.arg();
        this.body = back == null ? spec.body() : ((LoopSpec) back.arg()).body();
        this.forwardNodes = spec.body().nodes().size();
        this.inner = new Lowering(body, buffers, fieldNames, Lowering.fieldBase(body.name()) + "$");
        // what the body hands out is computed into buffers: carried states, stacked and summed results
        inner.readOutside.addAll(spec.body().outputs());
        for (LoopSpec.Out o : outs(loop)) inner.readOutside.add(o.node());
        if (back != null)
            for (LoopSpec.Out o : outs(back)) {
                inner.readOutside.add(o.node());
                // a param's gradient summed over the steps is added into its storage by the step (once: the
                // same body value may also be handed out stacked, for a product after the loop)
                List<Param> params = outer.summedInLoops.getOrDefault(o.node(), List.of());
                if (o.summed() && !Lowering.SINKS.contains(o.node().op()))
                    for (Param p : params) {
                        List<Param> added = inner.gradIsNode.computeIfAbsent(o.node(), k -> new ArrayList<>());
                        if (!added.contains(p)) added.add(p);
                    }
            }
    }

    /** The history of a body value the loop hands out. */
    Buffer history(Node bodyNode) {
        return histories.get(bodyNode);
    }

    /** The forward loop: histories for what outlives a step, windows for its inputs and carried state, the step's kernels. */
    Kernel.Loop forward() {
        for (Node n : spec.body().outputs()) historied(n, forwardViews);
        for (LoopSpec.Out o : outs(loop)) if (o.node().op() != Op.INPUT) historied(o.node(), forwardViews); // a carried input's: see carriedStack
        for (Node n : body.nodes().subList(forwardNodes, body.nodes().size()))
            for (Node in : n.inputs()) keptForBackward(in);
        inputWindows(spec, loop, 0, forwardViews);
        return kernel(loop, spec, inner.lowerNodes(spec.body().nodes()), forwardViews);
    }

    /** The backward loop {@code back}, extending this one: its own histories and windows, and the forward views it reads. */
    Kernel.Loop backward(Node back) {
        LoopSpec b = (LoopSpec) back.arg();
        List<View> views = new ArrayList<>(forwardViews);
        for (Node n : b.body().outputs()) historied(n, views);
        for (LoopSpec.Out o : outs(back)) if (!o.summed()) historied(o.node(), views);
        inputWindows(b, back, 1, views);
        return kernel(back, b, inner.lowerNodes(body.nodes().subList(forwardNodes, body.nodes().size())), views);
    }

    /**
     * The stack of a carried input, {@code [T, ...]}: zero at the first step, then the history of the
     * body output it comes from, one block later (only forward loops hand a carried input out).
     */
    Kernel carriedStack(Node loopOut, Buffer out) {
        LoopSpec.Out o = (LoopSpec.Out) loopOut.arg();
        int k = spec.carriedInputs().indexOf(o.node()), size = o.node().shape().size();
        if (k < 0 || spec.reverse()) throw new IllegalStateException("not a carried input of a forward loop: " + loopOut);
        Buffer from = histories.get(spec.body().outputs().get(k));
        return new Kernel.Embed(loopOut.span(), Lowering.fieldBase(spec.body().name()) + "_carried" + o.node().id(), out, from, 1, spec.steps() * size, size, (spec.steps() - 1) * size);
    }

    /** What {@code loop} hands out: the loop outputs that read it. */
    private List<LoopSpec.Out> outs(Node n) {
        List<LoopSpec.Out> out = new ArrayList<>();
        for (Node r : outer.readers.getOrDefault(n, List.of())) if (r.op() == Op.LOOP_OUT) out.add((LoopSpec.Out) r.arg());
        return out;
    }

    /**
     * A forward value the backward step reads: kept if it has a buffer; else (an element expression
     * fused into its reader) what it is computed from is.
     */
    private void keptForBackward(Node n) {
        if (n.id() >= forwardNodes || n.op() == Op.INPUT || histories.containsKey(n)) return;
        if (inner.materialized(n)) historied(n, forwardViews);
        else for (Node in : n.inputs()) keptForBackward(in);
    }

    /** Gives {@code n} a view and a history of one block per step (once). */
    private void historied(Node n, List<View> views) {
        if (histories.containsKey(n)) return;
        int size = n.shape().size();
        Buffer view = inner.newBuffer(n, size, "");
        Buffer history = inner.newBuffer(n, size * spec.steps(), "$steps");
        inner.bufferOf.put(n, view);
        histories.put(n, history);
        views.add(new View(view, history, 0));
    }

    /**
     * Views of a loop's step inputs on the rows of its sequences (from input {@code first} on), and of
     * its carried inputs on the histories of the body outputs they come from, one step before.
     */
    private void inputWindows(LoopSpec l, Node n, int first, List<View> views) {
        List<Node> steps = l.stepInputs(), carried = l.carriedInputs();
        for (int k = 0; k < steps.size(); k++) views.add(new View(view(steps.get(k)), outer.bufferOf.get(n.input(first + k)), 0));
        for (int k = 0; k < carried.size(); k++) views.add(new View(view(carried.get(k)), histories.get(l.body().outputs().get(k)), l.previous(0)));
    }

    private Buffer view(Node input) {
        Buffer v = inner.newBuffer(input, input.shape().size(), "");
        inner.bufferOf.put(input, v);
        return v;
    }

    /** The loop kernel: the windows its kernels read or write. */
    private static Kernel.Loop kernel(Node n, LoopSpec l, List<Kernel> kernels, List<View> views) {
        Set<Buffer> reads = new HashSet<>(), writes = new HashSet<>();
        for (Kernel k : kernels) {
            reads.addAll(KernelBuffers.reads(k));
            writes.addAll(KernelBuffers.writes(k));
        }
        List<Kernel.Window> windows = new ArrayList<>();
        for (View v : views)
            if (reads.contains(v.view()) || writes.contains(v.view())) windows.add(new Kernel.Window(v.view(), v.history(), v.shift(), writes.contains(v.view())));
        String label = Lowering.fieldBase(l.body().name()) + (l.priorNodes() > 0 ? "_backward" : "_loop");
        return new Kernel.Loop(n.span(), label, l.steps(), l.reverse(), kernels, windows);
    }
}
