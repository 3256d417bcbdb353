package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.SplittableRandom;
import nnet.ir.Graph;
import nnet.runtime.Network;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Network#keepOutputs}: the outputs a train step computed for each sample (the training
 * figures of {@code nnetc train} are made of them, as Keras makes its own) equal those of a forward
 * pass at the same weights, sample by sample, over tiles (where lanes hold them) and over the cores (a
 * batch of 70 on a layer of 150,000 weights is split among them), for every loss of a network with several: a sigmoid under binary_cross_entropy (the loss reads the logits beneath
 * it), logits under cross_entropy, and a regression.
 */
class KeptOutputsTest {
    @ParameterizedTest
    @ValueSource(ints = {3, 37, 70})
    void theStepsOutputsAreTheForwardPasss(int batch) {
        int inputs = batch == 70 ? 300 : 5, hidden = batch == 70 ? 500 : 8;
        Graph g = TestNetworks.graph("""
                network K {
                  input x[%d]
                  h = dense(x, %d, tanh)
                  p = dense(h, 1, sigmoid)
                  logits = dense(h, 3)
                  r = dense(h, 2)
                  output p, logits, r
                  loss p: binary_cross_entropy
                  loss logits: cross_entropy
                  loss r: mse
                }""".formatted(inputs, hidden));
        Network net = TestNetworks.compile(g);
        net.loadWeights(TestNetworks.randomWeights(g, 4));
        SplittableRandom rnd = new SplittableRandom(batch);
        float[][][] in = new float[batch][1][inputs];
        float[][] t = new float[batch][];
        for (int s = 0; s < batch; s++) {
            for (int k = 0; k < inputs; k++) in[s][0][k] = (float) rnd.nextDouble(-1, 1);
            t[s] = Network.Loss.sampleTarget(net.losses(), rnd);
        }
        assertNull(net.lastOutputs(), "nothing kept unless asked");
        net.keepOutputs(true);
        net.computeGradients(in, t);
        float[][] kept = net.lastOutputs();
        float[][][] forward = net.forwardBatch(in, List.of("p", "logits", "r"));
        assertEquals(batch, kept.length);
        for (int s = 0; s < batch; s++) {
            float[] expected = new float[6];
            System.arraycopy(forward[s][0], 0, expected, 0, 1);
            System.arraycopy(forward[s][1], 0, expected, 1, 3);
            System.arraycopy(forward[s][2], 0, expected, 4, 2);
            assertArrayEquals(expected, kept[s], 1e-6f, "sample " + s);
        }
        net.keepOutputs(false);
        net.computeGradients(in, t);
        assertNull(net.lastOutputs());
    }
}
