package nnet.check;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.runtime.LossFunction;

/**
 * {@code loss mse} / {@code loss y: cross_entropy}: which output the loss is on, and the likely
 * mistakes that still compile, as warnings: a softmax applied twice, probabilities expected from
 * an output that can be any number.
 */
final class LossChecker {
    /** Activations whose values lie in [0, 1], as binary_cross_entropy needs. */
    private static final Set<String> PROBABILITIES = Set.of("sigmoid", "softmax");

    private final NetworkChecker c;
    private final Map<Node, String> producers;

    /** @param producers what made each node the loss may be on (an activation's name, or a layer without one) */
    LossChecker(NetworkChecker c, Map<Node, String> producers) {
        this.c = c;
        this.producers = producers;
    }

    /**
     * Every loss statement checked; the network's loss is the first. One loss per network for now: a
     * further one is an error ({@code loss.several}), where it used to replace the first in silence.
     */
    Optional<Graph.Loss> checkAll(java.util.List<Ast.LossStmt> losses, Map<String, Node> outputs, boolean noOutputStmt) {
        Ast.LossStmt first = null;
        Optional<Graph.Loss> result = Optional.empty();
        for (Ast.LossStmt l : losses) {
            Optional<Graph.Loss> loss = check(l, outputs, noOutputStmt);
            if (loss.isEmpty()) continue;
            if (first != null) {
                c.error(DiagCode.LOSS_SEVERAL, l.span(), "a network trains one loss for now, and line " + first.span().line()
                        + " has it; several losses (a head per layer, summed) are not supported yet: combine the heads into one output, e.g. with concat");
                continue;
            }
            first = l;
            result = loss;
        }
        return result;
    }

    /**
     * @param outputs every name in an output statement, with its node (null when its statement had an error)
     * @return the loss, or empty after an error (reported, unless an earlier error explains it)
     */
    Optional<Graph.Loss> check(Ast.LossStmt l, Map<String, Node> outputs, boolean noOutputStmt) {
        String kind = l.kind().name();
        LossFunction function = LossFunction.named(kind);
        if (function == null) {
            c.error(DiagCode.LOSS_UNKNOWN, l.kind().span(), "unknown loss '" + kind + "'" + Suggest.didYouMean(kind, Layers.LOSSES) + "; expected one of " + String.join(", ", Layers.LOSSES));
            return Optional.empty();
        }
        Node target;
        String name;
        if (l.output() == null) {
            if (outputs.size() != 1) {
                if (!noOutputStmt && !outputs.isEmpty()) c.error(DiagCode.LOSS_TARGET, l.span(), "the network has " + outputs.size() + " outputs ("
                        + String.join(", ", outputs.keySet()) + "); say which one the loss is on, e.g. 'loss " + outputs.keySet().iterator().next() + ": " + kind + "'");
                return Optional.empty();
            }
            name = outputs.keySet().iterator().next();
            target = outputs.get(name);
        } else {
            name = l.output().name();
            target = c.tensorNamed(l.output());
            if (target == null) return Optional.empty();
            if (!outputs.containsValue(target)) {
                c.error(DiagCode.LOSS_TARGET, l.output().span(), "the loss must be on an output; '" + name + "' is not in any 'output' statement");
                return Optional.empty();
            }
        }
        if (target == null) return Optional.empty(); // the output's statement has an error of its own
        warnOfLikelyMistakes(l, kind, name, producers.get(target));
        return Optional.of(new Graph.Loss(target, function, l.span()));
    }

    private void warnOfLikelyMistakes(Ast.LossStmt l, String kind, String output, String producer) {
        if (producer == null) return; // made by something whose range this check does not know: no guess
        if (kind.equals("cross_entropy") && producer.equals("softmax"))
            c.warning(DiagCode.LOSS_SOFTMAX, l.kind().span(), "cross_entropy applies softmax itself, and " + output
                    + " is already a softmax, so it is applied twice (the gradients shrink and training stalls); drop the softmax from " + output);
        if (kind.equals("binary_cross_entropy") && !PROBABILITIES.contains(producer))
            c.warning(DiagCode.LOSS_RANGE, l.kind().span(), "binary_cross_entropy takes probabilities in [0, 1], but " + output + " comes from "
                    + (producer.equals("dense") || producer.equals("conv2d") ? producer + " without an activation" : producer)
                    + ", which gives values outside it; end " + output + " with sigmoid");
    }
}
