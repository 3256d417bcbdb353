package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.runtime.math.Activation;
import nnet.runtime.math.LossFunction;
import org.junit.jupiter.api.Test;

/**
 * Every op of the IR, every activation and every loss appears in the {@link Corpus}, as checked,
 * expanded or differentiated (for the loss, or DeepLIFT's attribution pass): so each is run through the interpreter, the finite-difference check
 * and the generated code. A new op, activation or loss fails here until a network uses it.
 */
class OpCoverageTest {
    @Test
    void everyOpActivationAndLossIsInTheCorpus() {
        EnumSet<Op> ops = EnumSet.noneOf(Op.class);
        EnumSet<Activation> activations = EnumSet.noneOf(Activation.class);
        EnumSet<LossFunction> losses = EnumSet.noneOf(LossFunction.class);
        for (Corpus.Entry e : Corpus.entries()) {
            Compiler.Stages s = Compiler.stages(e.withLoss());
            Graph rescale = nnet.autodiff.AttributionPass.of(s.expanded(), nnet.autodiff.AttributionPass.Rule.RESCALE); // DeepLIFT's secants (AttributionTest runs it)
            for (Graph g : new Graph[] {s.checked(), s.backward().graph(), rescale})
                for (Node n : g.nodes()) {
                    ops.add(n.op());
                    if (n.arg() instanceof Op.ActivationSpec a) activations.add(a.fn());
                    if (n.arg() instanceof LossFunction f) losses.add(f);
                }
        }
        assertEquals(EnumSet.noneOf(Op.class), EnumSet.complementOf(ops), "ops no network of the corpus has");
        assertEquals(EnumSet.noneOf(Activation.class), EnumSet.complementOf(activations), "activations no network of the corpus has");
        assertEquals(EnumSet.noneOf(LossFunction.class), EnumSet.complementOf(losses), "losses no network of the corpus has");
    }
}
