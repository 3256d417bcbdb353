package nnet.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import nnet.ast.Ast;
import nnet.diag.DiagCode;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.runtime.math.LossFunction;

/**
 * {@code loss mse} / {@code loss y: cross_entropy * 0.5}: which output a loss is on, its weight, and the likely
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
     * Every loss statement checked; the network trains their weighted sum. An output takes one
     * loss: a second on it is an error ({@code loss.several}), as Keras takes one loss per output.
     */
    List<Graph.Loss> checkAll(List<Ast.LossStmt> statements, Map<String, Node> outputs, boolean noOutputStmt) {
        Map<Node, Ast.LossStmt> seen = new HashMap<>();
        List<Graph.Loss> losses = new ArrayList<>();
        for (Ast.LossStmt l : statements) {
            Optional<Graph.Loss> loss = check(l, outputs, noOutputStmt);
            if (loss.isEmpty()) continue;
            Ast.LossStmt earlier = seen.putIfAbsent(loss.get().output(), l);
            if (earlier != null) {
                c.error(DiagCode.LOSS_SEVERAL, l.span(), "line " + earlier.span().line() + " already puts a loss on this output; an output takes one loss"
                        + " (several losses train their sum, each on its own output: a head per layer)");
                continue;
            }
            losses.add(loss.get());
        }
        return losses;
    }

    /**
     * @param outputs every name in an output statement, with its node (null when its statement had an error)
     * @return the loss, or empty after an error (reported, unless an earlier error explains it)
     */
    Optional<Graph.Loss> check(Ast.LossStmt l, Map<String, Node> outputs, boolean noOutputStmt) {
        String kind = l.kind().name();
        LossFunction function = LossFunction.named(kind);
        if (function == null) {
            c.error(DiagCode.LOSS_UNKNOWN, l.kind().span(), "unknown loss '" + kind + "'" + Suggest.didYouMean(kind, Layers.LOSSES) + "; expected one of " + String.join(", ", Layers.LOSSES),
                    Suggest.fix(l.kind().span(), kind, Layers.LOSSES));
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
        Double weight = l.weight() == null ? Double.valueOf(1) : c.number(l.weight());
        if (weight == null) return Optional.empty();
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            c.error(DiagCode.LOSS_WEIGHT, l.weight().span(), "a loss's weight is a number of at least 0 (its share in the sum trained), found " + Numbers.format(weight));
            return Optional.empty();
        }
        float[] classWeights = classWeights(l, function, target);
        if (classWeights == null) return Optional.empty();
        warnOfLikelyMistakes(l, kind, name, producers.get(target));
        return Optional.of(new Graph.Loss(target, function, weight, l.span(), classWeights.length == 0 ? null : classWeights));
    }

    /**
     * {@code (class_weights: [1, 3])}: a weight of at least 0 per class, Keras' {@code class_weight}; for
     * binary_cross_entropy on one value (classes 0 and 1, by rounding the target) or cross_entropy on one
     * class row (the class by the target's argmax), where each sample has one class. Empty without
     * arguments; null after an error.
     */
    private float[] classWeights(Ast.LossStmt l, LossFunction function, Node output) {
        Args a = Args.bind(new Ast.Call(l.span(), l.kind(), l.args()), new Args.Signature(l.kind().name(), List.of(), 0, List.of("class_weights")), c);
        if (a == null) return null;
        if (!a.has("class_weights")) return l.args().isEmpty() ? new float[0] : null;
        Ast.Expr e = a.get("class_weights");
        int classes = output.shape().last();
        boolean oneClass = function == LossFunction.BINARY_CROSS_ENTROPY ? output.shape().size() == 1
                : function == LossFunction.CROSS_ENTROPY && classes > 1 && output.shape().size() == classes;
        if (!oneClass) {
            c.error(DiagCode.LOSS_CLASS_WEIGHTS, e.span(), "class_weights weigh each sample by its class, so they need a loss with one class per sample: "
                    + "binary_cross_entropy on one value, or cross_entropy on one class row; this is " + function + " on " + output.shape());
            return null;
        }
        float[] w = c.literals.vector(e, DiagCode.LOSS_CLASS_WEIGHTS, "class_weights");
        if (w == null) return null;
        int want = function == LossFunction.BINARY_CROSS_ENTROPY ? 2 : classes;
        if (w.length != want) {
            c.error(DiagCode.LOSS_CLASS_WEIGHTS, e.span(), "class_weights has " + w.length + " entries, but the loss has " + want + " classes"
                    + (want == 2 ? " (0 and 1)" : "") + ": one weight per class");
            return null;
        }
        for (float v : w)
            if (!(v >= 0) || Float.isInfinite(v)) {
                c.error(DiagCode.LOSS_CLASS_WEIGHTS, e.span(), "a class weight is a number of at least 0, found " + Numbers.format(v));
                return null;
            }
        return w;
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
