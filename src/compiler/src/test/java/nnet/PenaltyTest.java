package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import nnet.ir.Graph;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Weight penalties ({@code regularize:}) against the same network without: the gradient changes by
 * exactly the penalty's derivative at each present, trainable entry and not at all at absent or
 * frozen ones; the optimizer's step takes the same term in its own pass; the penalty is reported
 * apart from the loss. (The corpus's networks/penalties.nnet checks every form three ways.)
 */
class PenaltyTest {
    /** A masked, partly frozen kernel: entries (0,1), (1,0), (2,2), (3,0), (3,1) absent; (0,0) and (2,1) frozen. */
    private static final String LAYER = "h = dense(x, 3, tanh, connect: mask [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]], "
            + "freeze: mask [[1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 0]]%s)";
    private static final boolean[] TRAINS = {false, false, true, false, true, true, true, false, false, false, false, true};

    private static Graph network(String regularize) {
        return TestNetworks.graph("""
                network P {
                  input x[4]
                  %s
                  y = dense(h, 2)
                  output y
                  loss mse
                }""".formatted(LAYER.formatted(regularize.isEmpty() ? "" : ", regularize: " + regularize)));
    }

    /** A batch of 37 (tiles) or 3 (sample by sample): the gradient with the penalty minus without is its derivative, entry by entry. */
    @ParameterizedTest
    @ValueSource(ints = {3, 37})
    void gradientChangesByTheDerivative(int batch) {
        Graph plain = network(""), l1l2 = network("l1_l2(0.03, 0.2)");
        Map<String, Tensor> w = TestNetworks.randomWeights(plain, 5);
        Network a = TestNetworks.compile(plain), b = TestNetworks.compile(l1l2);
        a.loadWeights(w);
        b.loadWeights(w);
        float[][][] in = inputs(batch, 11);
        float[][] t = targets(batch, 12);
        float lossA = a.computeGradients(in, t), lossB = b.computeGradients(in, t);
        assertEquals(lossA, lossB, "the loss returned leaves the penalty out");
        float[] kernel = b.saveWeights().get("h.kernel").data(), ga = a.gradients().get("h.kernel").data(), gb = b.gradients().get("h.kernel").data();
        double penalty = 0;
        for (int k = 0; k < kernel.length; k++) {
            double w0 = kernel[k], derivative = 0.03 * Math.signum(w0) + 2 * 0.2 * w0;
            if (TRAINS[k]) {
                penalty += 0.03 * Math.abs(w0) + 0.2 * w0 * w0;
                assertEquals(derivative, gb[k] - ga[k], 1e-6, "entry " + k + ": the penalty's derivative");
            } else {
                assertEquals(0f, ga[k], "entry " + k + " does not train");
                assertEquals(0f, gb[k], "entry " + k + " is absent or frozen: never penalized");
            }
        }
        assertEquals(penalty, b.penalty(), 1e-6, "the penalty at these weights, over present trainable entries only");
        assertEquals(0f, a.penalty(), "no penalty without regularize:");
        assertEquals(a.gradients().get("y.kernel").data()[0], b.gradients().get("y.kernel").data()[0], "other weights' gradients are unchanged");
    }

    /** One SGD step: each trainable entry moves by lr times (the loss's gradient + the penalty's derivative), taken in the optimizer's pass; absent and frozen entries never move. */
    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adam"})
    void optimizerTakesTheTerm(String optimizer) {
        Graph g = network("l1(0.5)");
        Map<String, Tensor> w = TestNetworks.randomWeights(g, 6);
        Network stepped = TestNetworks.compile(g), reference = TestNetworks.compile(g);
        stepped.loadWeights(w);
        reference.loadWeights(w);
        float[][][] in = inputs(8, 21);
        float[][] t = targets(8, 22);
        reference.computeGradients(in, t); // the loss's gradient plus the penalty's derivative
        float[] expectedGrad = reference.gradients().get("h.kernel").data();
        float expectedPenalty = reference.penalty();
        stepped.setOptimizer(Optimizer.of(optimizer, Map.of("lr", 0.1)));
        float[] before = w.get("h.kernel").data();
        for (int step = 0; step < 20; step++) {
            stepped.trainStep(in, t);
            if (step == 0) {
                assertEquals(expectedPenalty, stepped.penalty(), 1e-6, "the step reports the penalty at the weights it started from");
                float[] after = stepped.saveWeights().get("h.kernel").data();
                for (int k = 0; k < after.length; k++)
                    if (TRAINS[k] && optimizer.equals("sgd")) assertEquals(before[k] - 0.1 * expectedGrad[k], after[k], 1e-6, "entry " + k);
            }
        }
        float[] after = stepped.saveWeights().get("h.kernel").data();
        for (int k = 0; k < after.length; k++) {
            if (TRAINS[k]) assertTrue(after[k] != before[k], "entry " + k + " trains");
            else if (k == 0 || k == 7) assertEquals(before[k], after[k], "frozen entry " + k + " keeps its value");
            else assertEquals(0f, after[k], "absent entry " + k + " stays 0");
        }
    }

    private static float[][][] inputs(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][][] in = new float[n][1][4];
        for (float[][] s : in) for (int k = 0; k < 4; k++) s[0][k] = (float) rnd.nextDouble(-1, 1);
        return in;
    }

    private static float[][] targets(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] t = new float[n][2];
        for (float[] r : t) for (int k = 0; k < 2; k++) r[k] = (float) rnd.nextDouble(-1, 1);
        return t;
    }
}
