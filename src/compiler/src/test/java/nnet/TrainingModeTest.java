package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.interp.Interpreter;
import nnet.ir.Graph;
import nnet.runtime.math.Dropout;
import nnet.runtime.Network;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;
import org.junit.jupiter.api.Test;

/**
 * What dropout and batchnorm do beyond their values (checked three ways in the corpus,
 * training_mode.nnet): predicting never drops, a seeded run draws the same masks and another seed
 * or step others, the drawn fraction is the rate, the held-out loss is the predicting one, a batch
 * of 1 cannot be normalized, and a staged step gives the same bits on one core as on two.
 */
class TrainingModeTest {
    private static final String DROPOUT = """
            network D {
              input x[64]
              h = dropout(x, 0.25)
              y = dense(h, 3)
              output y
              loss mse
            }""";
    private static final String BATCHNORM = """
            network B {
              input x[6]
              z = dense(x, 5, relu)
              h = batchnorm(z)
              y = dense(dropout(h, 0.5), 2)
              output y
              loss mse
            }""";

    @Test
    void predictingIsTheIdentityAndTrainingDropsTheRateScalingTheRest() {
        Graph g = TestNetworks.graph(DROPOUT);
        Network net = TestNetworks.compile(g);
        net.loadWeights(TestNetworks.randomWeights(g, 1));
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        net.forward(x);
        assertArrayEquals(x, net.activation("h"), "predicting: the identity");
        float[] target = new float[3];
        net.inputGradients(new float[][] {x}, target); // a train step's forward pass on one sample
        float[] h = net.activation("h");
        int dropped = 0;
        for (int i = 0; i < x.length; i++) {
            if (h[i] == 0) dropped++;
            else assertEquals(x[i] / 0.75f, h[i], 1e-4, "a kept value is scaled by 1 / (1 - rate)");
        }
        assertTrue(dropped > 4 && dropped < 28, dropped + " of 64 dropped at rate 0.25");
        double drawn = 0;
        for (int s = 0; s < 1000; s++) for (int e = 0; e < 100; e++) if (!Dropout.keeps(Dropout.key(7, s), 3, s % 5, e, 0.3f)) drawn++;
        assertEquals(0.3, drawn / 100_000, 0.01, "the fraction dropped over many draws");
    }

    @Test
    void aSeededRunIsReproducibleAndEachStepDrawsAnotherMask() {
        Graph g = TestNetworks.graph(DROPOUT);
        float[][][] x = batch(g, 8, 3);
        float[][] t = new float[8][3];
        Map<String, Tensor> first = gradients(g, x, t, 5, 0), again = gradients(g, x, t, 5, 0);
        assertArrayEquals(first.get("y.kernel").data(), again.get("y.kernel").data(), "the same seed, the same masks");
        assertFalse(java.util.Arrays.equals(first.get("y.kernel").data(), gradients(g, x, t, 6, 0).get("y.kernel").data()), "another seed");
        assertFalse(java.util.Arrays.equals(first.get("y.kernel").data(), gradients(g, x, t, 5, 1).get("y.kernel").data()), "the next step");
    }

    /** The gradients after {@code steps} train steps of a network seeded with {@code seed}. */
    private static Map<String, Tensor> gradients(Graph g, float[][][] x, float[][] t, long seed, int steps) {
        Network net = TestNetworks.compile(g);
        net.loadWeights(TestNetworks.randomWeights(g, 2));
        net.seed(seed);
        for (int k = 0; k < steps; k++) net.trainStep(x, t);
        net.loadWeights(TestNetworks.randomWeights(g, 2));
        net.computeGradients(x, t);
        return net.gradients();
    }

    @Test
    void theHeldOutLossIsThePredictingOne() {
        Graph g = TestNetworks.graph(BATCHNORM);
        Network net = TestNetworks.compile(g);
        Map<String, Tensor> w = TestNetworks.randomWeights(g, 4);
        net.loadWeights(w);
        float[][][] x = batch(g, 5, 9);
        float[][] t = new float[5][2];
        double expected = 0;
        Interpreter interp = new Interpreter(g, Interpreter.toDouble(w));
        for (float[][] sample : x) {
            double[] y = interp.run(Map.of("x", EmittedGradientTest.toDouble(sample[0])))[g.named().get("y").id()];
            for (double v : y) expected += v * v / y.length / x.length; // mse against targets of 0
        }
        assertEquals(expected, net.loss(x, t), 1e-5, "dropout off, the moving statistics");
        assertNotEquals(net.loss(x, t), net.computeGradients(x, t), "a train step's loss differs");
    }

    /**
     * The held-out loss of a network that trains differently, with what training adds: each sample's
     * loss times its weight, the mean over the samples; the penalty is the activity penalty of the
     * predicting values plus the weight penalty; the kept outputs are the predicting ones.
     */
    @Test
    void theHeldOutLossTakesSampleWeightsAndPenaltiesAsPredictingComputesThem() {
        Graph g = TestNetworks.graph("""
                network P {
                  input x[6]
                  h = dense(x, 5, tanh, regularize: l2(0.1), activity: l1(0.01))
                  y = dense(dropout(batchnorm(h), 0.5), 2)
                  output y
                  loss mse
                }""");
        Network net = TestNetworks.compile(g);
        Map<String, Tensor> w = TestNetworks.randomWeights(g, 5);
        net.loadWeights(w);
        float[][][] x = batch(g, 5, 3);
        float[][] t = new float[5][2];
        float[] weights = {0.5f, 1, 2, 0, 1.5f};
        Interpreter interp = new Interpreter(g, Interpreter.toDouble(w));
        double loss = 0, activity = 0, kernel = 0;
        double[][] y = new double[x.length][];
        for (int s = 0; s < x.length; s++) {
            double[][] v = interp.run(Map.of("x", EmittedGradientTest.toDouble(x[s][0])));
            y[s] = v[g.named().get("y").id()];
            for (double e : y[s]) loss += weights[s] * e * e / y[s].length / x.length;
            for (double e : v[g.named().get("h").id()]) activity += 0.01 * Math.abs(e) / x.length;
        }
        for (float k : w.get("h.kernel").data()) kernel += 0.1 * k * k;
        net.keepOutputs(true);
        assertEquals(loss, net.loss(x, t, weights), 1e-5, "weighted, predicting");
        assertEquals(loss, net.headLosses()[0], 1e-5, "the one head's");
        assertEquals(activity + kernel, net.penalty(), 1e-5, "the predicting values' activity penalty and the weight penalty");
        for (int s = 0; s < x.length; s++) TestNetworks.assertClose(y[s], net.lastOutputs()[s], "kept predicting outputs of sample " + s);
    }

    @Test
    void aBatchOfOneCannotBeNormalizedAndOneSampleHasNoInputGradient() {
        Graph g = TestNetworks.graph(BATCHNORM);
        Network net = TestNetworks.compile(g);
        net.loadWeights(TestNetworks.randomWeights(g, 4));
        float[][][] x = batch(g, 1, 1);
        UserError e = assertThrows(UserError.class, () -> net.trainStep(x, new float[1][2]));
        assertTrue(e.getMessage().contains("a batch of 1 sample would normalize every value against itself"), e.getMessage());
        UnsupportedOperationException one = assertThrows(UnsupportedOperationException.class, () -> net.inputGradients(x[0], new float[2]));
        // what it points to, the attribution passes' saliency, AttributionTest checks on the corpus's batchnorm networks
        assertTrue(one.getMessage().contains("a train step's input gradient of one sample alone is undefined") && one.getMessage().contains("Method.SALIENCY"), one.getMessage());
    }

    /** The units' sums are combined in unit order whatever the cores, so the bits are the same. */
    @Test
    void aStagedStepGivesTheSameBitsOnOneCoreAsOnTwo() {
        Graph g = TestNetworks.graph(BATCHNORM);
        float[][][] x = batch(g, 100, 5);
        float[][] t = new float[100][2];
        Map<String, Tensor> one = onCores(g, x, t, 1), two = onCores(g, x, t, 2);
        for (String p : List.of("z.kernel", "h.gamma", "h.beta", "y.kernel"))
            assertArrayEquals(one.get(p).data(), two.get(p).data(), p);
    }

    private static Map<String, Tensor> onCores(Graph g, float[][][] x, float[][] t, int cores) {
        String before = System.getProperty("nnet.threads");
        System.setProperty("nnet.threads", Integer.toString(cores));
        try {
            Network net = TestNetworks.compile(g);
            net.loadWeights(TestNetworks.randomWeights(g, 8));
            net.computeGradients(x, t);
            return net.gradients();
        } finally {
            if (before == null) System.clearProperty("nnet.threads");
            else System.setProperty("nnet.threads", before);
        }
    }

    private static float[][][] batch(Graph g, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int size = g.inputs().get(0).shape().size();
        float[][][] x = new float[n][1][size];
        for (float[][] s : x) for (int i = 0; i < size; i++) s[0][i] = (float) rnd.nextDouble(-2, 2);
        return x;
    }
}
