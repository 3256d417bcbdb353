package nnet.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import nnet.Compiler;
import nnet.TestNetworks;
import nnet.ir.Graph;
import nnet.runtime.Network;

/**
 * Random valid networks ({@link NetworkGenerator}): each must check without errors, compile to
 * classes ASM's verifier accepts, compute what the interpreter computes on random inputs and
 * weights, and take a training step without an exception.
 */
class NetworkFuzzTest {
    @FuzzTest(maxDuration = "2s")
    void validNetworks(byte[] input) throws Exception {
        String source = NetworkGenerator.generate(Choices.of(input, 0));
        long seed = java.util.Arrays.hashCode(input);
        Watchdog.run("compiling\n" + source, () -> check(source, seed));
    }

    static void check(String source, long seed) {
        Compiler.Checked c = Compiler.check("generated.nnet", source, TestNetworks.root());
        if (!c.ok())
            fail("the checker rejects a network the generator built as valid:\n" + c.diagnostics().stream().map(d -> d.format()).collect(Collectors.joining("\n")) + "\n" + source);
        for (Graph g : c.graphs()) {
            try {
                TestNetworks.assertMatchesInterpreter(g, seed);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nin:\n" + source, e);
            }
            if (g.hasLoss()) trainOneStep(g, seed);
        }
    }

    private static void trainOneStep(Graph g, long seed) {
        Network net = TestNetworks.compile(g);
        net.loadWeights(TestNetworks.randomWeights(g, seed));
        SplittableRandom rnd = new SplittableRandom(seed);
        int batch = 1 + rnd.nextInt(5);
        float[][][] in = new float[batch][g.inputs().size()][];
        float[][] targets = new float[batch][];
        for (int s = 0; s < batch; s++) {
            for (int k = 0; k < in[s].length; k++) in[s][k] = values(g.inputs().get(k).shape().size(), rnd);
            targets[s] = values(net.losses().stream().mapToInt(Network.Loss::size).sum(), rnd);
        }
        net.trainStep(in, targets);
    }

    private static float[] values(int n, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextDouble();
        return v;
    }
}
