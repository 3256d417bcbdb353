package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.autodiff.BackwardPass;
import nnet.autodiff.GradientCheckTest;
import nnet.autodiff.WeightPenalties;
import nnet.interp.Interpreter;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Param;
import nnet.runtime.math.Dropout;
import nnet.runtime.Network;
import nnet.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated backward pass against the interpreter's (which GradientCheckTest holds to finite
 * differences), for every network of the {@link Corpus} with its own loss (mse on its first output
 * when it has none): the mean-loss gradient of every weight over a batch, and the input gradients.
 * Every class passes CheckClassAdapter.
 */
public class EmittedGradientTest {
    /** A batch of 3: sample by sample through the per-sample program (its convolutions have Vector API forms too). */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nnet.Corpus#networksAndKernels")
    void gradientsMatchInterpreter(Corpus.Entry network, TestNetworks.Kernels kernels) {
        assertGradientsMatch(network.withLoss(), network.seed(), 3, kernels);
    }

    /**
     * Batches of 37 (a tile of 32 and one of 5, whose other lanes repeat a sample and must add
     * nothing) and 64 through the tiled train step, with each kind of tile kernels.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nnet.Corpus#networksAndKernels")
    void tiledGradientsMatchInterpreter(Corpus.Entry network, TestNetworks.Kernels kernels) {
        assertGradientsMatch(network.withLoss(), network.seed() + 1, 37, kernels);
        assertGradientsMatch(network.withLoss(), network.seed() + 2, 64, kernels);
    }

    /**
     * The interpreter runs the batch as a train step does (dropout's masks from the step's key, batchnorm
     * by the batch's statistics): the generated step, with its tiles, cores and stages, must give its
     * gradients and loss. Dropout's masks are fixed by the network's seed (0) and step (0) on both sides.
     */
    static void assertGradientsMatch(Graph g, long seed, int batch, TestNetworks.Kernels kernels) {
        Compiler.Stages stages = Compiler.stages(g);
        BackwardPass.Result r = stages.backward();
        Network net = TestNetworks.compile(g, kernels);
        Map<String, Tensor> w = TestNetworks.randomWeights(g, seed);
        net.loadWeights(w);
        Interpreter interp = new Interpreter(r.graph(), Interpreter.toDouble(w));

        SplittableRandom rnd = new SplittableRandom(seed + 1), weightRnd = new SplittableRandom(seed + 7);
        float[][][] inputs = new float[batch][g.inputs().size()][];
        float[][] targets = new float[batch][];
        // a weight per sample (the first one's 1: its input gradients are taken without one)
        float[] sampleWeights = new float[batch];
        for (int s = 0; s < batch; s++) sampleWeights[s] = s == 0 ? 1 : (float) weightRnd.nextDouble(0.5, 2);
        java.util.List<Map<String, double[]>> samples = new java.util.ArrayList<>();
        for (int s = 0; s < batch; s++) {
            Map<String, double[]> in = new HashMap<>();
            for (int k = 0; k < g.inputs().size(); k++) {
                Node n = g.inputs().get(k);
                inputs[s][k] = TestNetworks.randomInput(g, n, rnd);
                in.put(n.name(), toDouble(inputs[s][k]));
            }
            targets[s] = Network.Loss.sampleTarget(net.losses(), rnd);
            int at = 0;
            for (int k = 0; k < r.terms().size(); k++) { // each loss's part of the target row, and the sample's weight in it
                BackwardPass.Term term = r.terms().get(k);
                int size = term.target().shape().size();
                in.put(term.target().name(), toDouble(java.util.Arrays.copyOfRange(targets[s], at, at + size)));
                in.put(term.sampleWeight().name(), new double[] {sampleWeights[s] * classWeight(net.losses().get(k), targets[s], at)});
                at += size;
            }
            if (r.penaltyWeight() != null) in.put(r.penaltyWeight().name(), new double[] {1});
            samples.add(in);
        }
        double[][][] v = interp.runBatch(samples, Dropout.key(0, 0));
        Map<Param, double[]> expected = new HashMap<>();
        double expectedLoss = 0, expectedPenalty = WeightPenalties.value(g, Interpreter.toDouble(w));
        for (int s = 0; s < batch; s++) {
            expectedLoss += v[s][r.loss().id()][0] / batch;
            if (r.penalty() != null) expectedPenalty += v[s][r.penalty().id()][0] / batch;
            for (var e : r.paramGrads().entrySet()) {
                double[] sum = expected.computeIfAbsent(e.getKey(), p -> new double[p.shape().size()]);
                double[] d = GradientCheckTest.sum(v[s], e.getValue());
                for (int i = 0; i < d.length; i++) sum[i] += d[i] / batch;
            }
        }
        if (!TestNetworks.batchCoupled(g)) { // input gradients of one sample, sample 0 of a batch
            float[][] dx = net.inputGradients(inputs[0], targets[0]);
            for (int k = 0; k < g.inputs().size(); k++) {
                Node input = r.inputGrads().get(g.inputs().get(k).name());
                if (input != null) TestNetworks.assertClose(v[0][input.id()], dx[k], "d loss / d " + g.inputs().get(k).name());
            }
        }
        float got = net.computeGradients(inputs, targets, sampleWeights);
        assertEquals(expectedLoss, got, 1e-4 * Math.max(1, Math.abs(expectedLoss)), "mean loss");
        assertEquals(expectedPenalty, net.penalty(), 1e-4 * Math.max(1, Math.abs(expectedPenalty)), "penalty");
        for (Param p : g.params()) // the weight penalties' derivative, which computeGradients adds
            if (p.penalty() != null) {
                double[] sum = expected.computeIfAbsent(p, q -> new double[q.shape().size()]), d = WeightPenalties.gradient(p, toDouble(w.get(p.name()).data()));
                for (int i = 0; i < d.length; i++) sum[i] += d[i];
            }
        Map<String, Tensor> grads = net.gradients();
        for (Param p : g.params()) {
            if (!p.trains()) {
                assertTrue(!grads.containsKey(p.name()), p.name() + " is fixed or a moving statistic: no gradient");
                continue;
            }
            Tensor t = grads.get(p.name());
            if (t == null) fail("no gradient for " + p.name() + "; have " + grads.keySet());
            double[] want = expected.getOrDefault(p, new double[p.shape().size()]);
            TestNetworks.assertClose(want, t.data(), "d loss / d " + p.name());
        }
    }

    /** A sample's class weight in a loss, as Keras' class_weight takes it: the class of one value by rounding, of a class row by its argmax. */
    static double classWeight(Network.Loss l, float[] target, int at) {
        if (l.classWeights() == null) return 1;
        if (l.size() == 1) return l.classWeights()[(int) Math.rint(target[at])];
        int best = 0;
        for (int k = 1; k < l.size(); k++) if (target[at + k] > target[at + best]) best = k;
        return l.classWeights()[best];
    }

    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
