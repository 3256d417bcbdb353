package nnet.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nnet.Compiler;
import nnet.TestNetworks;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.ir.Param;
import org.junit.jupiter.api.Test;

/** Where the derived nodes say they come from: generated backward code and its stack traces point at the layer, not at the loss. */
class BackwardPassTest {
    @Test
    void backwardNodesPointAtTheLayerTheyDifferentiate() {
        Graph g = TestNetworks.graph("""
                network P {
                  input x[4]
                  h = dense(x, 5, tanh)
                  g = dense(h, 3, relu, connect: band(1))
                  y = dense(g, 2)
                  output y
                  loss mse
                }""");
        BackwardPass.Result r = Compiler.stages(g).backward();
        int weightGrads = 0;
        for (Node n : r.graph().nodes().subList(g.nodes().size(), r.graph().nodes().size())) {
            if (n.op() == Op.WEIGHT_GRAD) {
                int layerLine = switch (((Param) n.arg()).layer()) {
                    case "h" -> 3;
                    case "g" -> 4;
                    default -> 5;
                };
                assertEquals(layerLine, n.span().line(), "the gradient of " + n.arg());
                weightGrads++;
            }
            if (n.op() == Op.DERIV) assertTrue(n.span().line() == 3 || n.span().line() == 4, "an activation's derivative at its layer: " + n.span());
            if (n.op() == Op.LOSS || n.op() == Op.LOSS_GRAD) assertEquals(7, n.span().line(), "the loss at the loss statement");
        }
        assertEquals(3, weightGrads);
    }
}
