package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import nnet.autodiff.BackwardPass;
import nnet.emit.GeneratedNetwork;
import nnet.interp.Interpreter;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Param;
import nnet.lower.LstmUnrolling;
import nnet.pack.NetworkClassLoader;
import nnet.runtime.Network;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated backward pass against the interpreter's (which GradientCheckTest holds to finite
 * differences): the mean-loss gradient of every weight over a batch, and the input gradients,
 * for every network of the differential suite and every loss. Every class passes CheckClassAdapter.
 */
public class EmittedGradientTest {
    static Stream<Arguments> networks() {
        return DifferentialTest.networks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void mseGradientsMatchInterpreter(String name, String source) {
        Graph g = TestNetworks.graph(source);
        assertGradientsMatch(g, g.outputs().get(0), "mse", name.hashCode());
    }

    /**
     * A batch of 37: with sparse contractions, one tile of 32 samples and one of 5 through the tiled
     * train step (a feature-major loop over the tile per connection); else sample by sample again.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allNetworks")
    void tiledGradientsMatchInterpreter(String name, String source) {
        Graph g = TestNetworks.graph(source);
        assertGradientsMatch(g, g.outputs().get(0), "mse", name.hashCode(), 37);
    }

    static Stream<Arguments> allNetworks() {
        return Stream.concat(networks(), convNetworks());
    }

    static Stream<Arguments> convNetworks() {
        return Stream.concat(ConvNetworks.networks(), LstmNetworks.networks());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convNetworks")
    void convolutionGradientsMatchInterpreter(String name, String source) {
        Graph g = TestNetworks.graph(source);
        assertGradientsMatch(g, g.outputs().get(0), "mse", name.hashCode());
    }

    @Test
    void everyLoss() {
        Graph g = TestNetworks.graph("""
                network L {
                  input x[2, 5]
                  h = dense(x, 6, tanh)
                  logits = dense(h, 4)
                  p = dense(h, 4, sigmoid)
                  s = softmax(logits)
                  output logits, p, s
                }""");
        assertGradientsMatch(g, g.named().get("logits"), "cross_entropy", 1);
        assertGradientsMatch(g, g.named().get("s"), "cross_entropy", 2);
        assertGradientsMatch(g, g.named().get("p"), "binary_cross_entropy", 3);
        assertGradientsMatch(g, g.named().get("s"), "mse", 4);
    }

    /** Targets for a loss: probabilities for the cross-entropies (one-hot rows for cross_entropy), anything for mse. */
    static float[] target(String loss, Node out, SplittableRandom rnd) {
        float[] t = new float[out.shape().size()];
        int m = out.shape().last();
        for (int r = 0; r < t.length / m; r++)
            for (int j = 0; j < m; j++)
                t[r * m + j] = switch (loss) {
                    case "cross_entropy" -> 0;
                    case "binary_cross_entropy" -> (float) rnd.nextDouble();
                    default -> (float) rnd.nextDouble(-1, 1);
                };
        if (loss.equals("cross_entropy")) for (int r = 0; r < t.length / m; r++) t[r * m + rnd.nextInt(m)] = 1;
        return t;
    }

    static void assertGradientsMatch(Graph source, Node sourceOutput, String loss, long seed) {
        assertGradientsMatch(source, sourceOutput, loss, seed, 3);
    }

    static void assertGradientsMatch(Graph source, Node sourceOutput, String loss, long seed, int batch) {
        Graph g = LstmUnrolling.unroll(source); // lstm is differentiated as its time steps
        Node output = g.named().get(TestNetworks.nameOf(source, sourceOutput));
        BackwardPass.Result r = BackwardPass.derive(g, output, loss);
        GeneratedNetwork gen = Compiler.compile(g, r);
        TestNetworks.verify(gen.classFile());
        Network net = new NetworkClassLoader().instantiate(gen);
        Map<String, Tensor> w = TestNetworks.randomWeights(g, seed);
        net.loadWeights(w);
        Interpreter interp = new Interpreter(r.graph(), Interpreter.toDouble(w));

        SplittableRandom rnd = new SplittableRandom(seed + 1);
        float[][][] inputs = new float[batch][g.inputs().size()][];
        float[][] targets = new float[batch][];
        Map<Param, double[]> expected = new HashMap<>();
        double expectedLoss = 0;
        for (int s = 0; s < batch; s++) {
            Map<String, double[]> in = new HashMap<>();
            for (int k = 0; k < g.inputs().size(); k++) {
                Node n = g.inputs().get(k);
                inputs[s][k] = new float[n.shape().size()];
                for (int i = 0; i < inputs[s][k].length; i++) inputs[s][k][i] = (float) rnd.nextDouble(-2, 2);
                in.put(n.name(), toDouble(inputs[s][k]));
            }
            targets[s] = target(loss, output, rnd);
            in.put(r.target().name(), toDouble(targets[s]));
            double[][] v = interp.run(in);
            expectedLoss += v[r.loss().id()][0] / batch;
            for (var e : r.paramGrads().entrySet()) {
                double[] sum = expected.computeIfAbsent(e.getKey(), p -> new double[p.shape().size()]);
                double[] d = nnet.autodiff.GradientCheckTest.sum(v, e.getValue());
                for (int i = 0; i < d.length; i++) sum[i] += d[i] / batch;
            }
            if (s == batch - 1) { // input gradients of one sample
                float[][] dx = net.inputGradients(inputs[s], targets[s]);
                for (int k = 0; k < g.inputs().size(); k++) {
                    Node input = r.inputGrads().get(g.inputs().get(k).name());
                    if (input != null) TestNetworks.assertClose(v[input.id()], dx[k], "d loss / d " + g.inputs().get(k).name());
                }
            }
        }
        float got = net.computeGradients(inputs, targets);
        assertEquals(expectedLoss, got, 1e-4 * Math.max(1, Math.abs(expectedLoss)), "mean loss");
        Map<String, Tensor> grads = net.gradients();
        for (Param p : g.params()) {
            if (p.isFixed()) {
                assertTrue(!grads.containsKey(p.name()), p.name() + " is fixed: no gradient");
                continue;
            }
            Tensor t = grads.get(p.name());
            if (t == null) fail("no gradient for " + p.name() + "; have " + grads.keySet());
            double[] want = expected.getOrDefault(p, new double[p.shape().size()]);
            TestNetworks.assertClose(want, t.data(), "d loss / d " + p.name());
        }
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
