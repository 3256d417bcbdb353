package nnet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import nnet.ir.Graph;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import org.junit.jupiter.api.Test;

/** An lstm over 10,000 steps: a loop in the generated code, so it compiles like a short one, matches the interpreter and trains. */
public class LongSequenceTest {
    private static final String SOURCE = "network Long {\n input seq[10000, 3]\n h = lstm(seq, 4, recurrent: band(1))\n y = dense(h, 2)\n output y\n loss mse\n}";

    @Test
    void gradientsOverTenThousandStepsMatchTheInterpreter() {
        EmittedGradientTest.assertGradientsMatch(TestNetworks.graph(SOURCE), 3, 2, TestNetworks.Kernels.PLAIN);
    }

    @Test
    void tenThousandStepsTrain() {
        Graph g = TestNetworks.graph(SOURCE);
        Network net = TestNetworks.compile(g);
        net.loadWeights(TestNetworks.randomWeights(g, 5));
        net.setOptimizer(Optimizer.of("adam", Map.of("lr", 0.05)));
        SplittableRandom rnd = new SplittableRandom(7);
        float[][][] x = new float[8][1][30_000];
        float[][] t = new float[8][2];
        for (int s = 0; s < 8; s++) {
            for (int i = 0; i < 30_000; i++) x[s][0][i] = (float) rnd.nextDouble(-1, 1);
            t[s][0] = (float) rnd.nextDouble(-0.5, 0.5);
            t[s][1] = (float) rnd.nextDouble(-0.5, 0.5);
        }
        float first = net.trainStep(x, t), last = first;
        for (int step = 0; step < 30; step++) last = net.trainStep(x, t);
        assertTrue(last < first * 0.5, "loss " + first + " -> " + last);
    }
}
