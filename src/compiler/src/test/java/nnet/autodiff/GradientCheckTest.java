package nnet.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.Compiler;
import nnet.Corpus;
import nnet.TestNetworks;
import nnet.interp.Interpreter;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The derived backward pass against central finite differences, in double precision through the
 * interpreter, for every network of the {@link Corpus} (every op, pattern, gate, merge, block and
 * loss; lstm as the steps it is differentiated as, so backpropagation through time): each weight
 * entry that exists and trains, and each input.
 */
public class GradientCheckTest {
    static final double H = 1e-6, RELATIVE = 1e-3, ABSOLUTE = 1e-7;
    /** Entries checked per tensor at most (spread over it), to keep the suite fast. */
    static final int ENTRIES = 24;

    @ParameterizedTest(name = "{0}")
    @MethodSource("nnet.Corpus#networks")
    void gradientsMatchFiniteDifferences(Corpus.Entry network) {
        check(network.withLoss(), network.seed());
    }

    @Test
    void structureGetsNoGradient() {
        Graph g = TestNetworks.graph("""
                network S {
                  input x[3]
                  a = dense(x, 3, connect: mask [[1, 0, 1], [0, 1, 0], [1, 1, 0]], freeze: mask [[1, 0, 0], [0, 0, 0], [0, 1, 0]])
                  b = dense(a, 2, weights: fixed [[1, 2], [3, 4], [5, 6]], bias: mask [0, 1])
                  output b
                  loss mse
                }""");
        BackwardPass.Result r = Compiler.stages(g).backward();
        Param fixed = g.params().stream().filter(Param::isFixed).findFirst().orElseThrow();
        assertFalse(r.paramGrads().containsKey(fixed), "a fixed kernel has no gradient at all");
        double[][] v = run(r, TestNetworks.randomWeights(g, 9), 9);
        Param kernel = g.params().get(0);
        double[] dw = sum(v, r.paramGrads().get(kernel));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                boolean trains = kernel.present().get(i, j) && !kernel.frozen().get(i, j);
                if (!trains) assertEquals(0.0, dw[i * 3 + j], "absent or frozen entry (" + i + ", " + j + ")");
                else assertTrue(dw[i * 3 + j] != 0, "a trainable entry gets a gradient");
            }
        Param bias = g.params().stream().filter(p -> p.name().equals("b.bias")).findFirst().orElseThrow();
        assertEquals(0.0, sum(v, r.paramGrads().get(bias))[0], "masked bias entry");
        check(g, 9);
    }

    private static double[][] run(BackwardPass.Result r, Map<String, nnet.runtime.Tensor> w, long seed) {
        return new Interpreter(r.graph(), Interpreter.toDouble(w)).run(inputs(r, seed));
    }

    private static Map<String, double[]> inputs(BackwardPass.Result r, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, double[]> in = new HashMap<>();
        for (Node n : r.graph().inputs()) {
            double[] d = new double[n.shape().size()];
            // the activity penalties' weight is 1 for every sample (0 only for a tile's lanes past a batch's end)
            if (n.integers()) d = nnet.EmittedGradientTest.toDouble(TestNetworks.randomInput(r.graph(), n, rnd));
            else for (int i = 0; i < d.length; i++) d[i] = isTarget(r, n) ? rnd.nextDouble() : isSampleWeight(r, n) ? rnd.nextDouble(0.5, 2) : n == r.penaltyWeight() ? 1 : rnd.nextDouble(-2, 2);
            in.put(n.name(), d);
        }
        return in;
    }

    private static boolean isTarget(BackwardPass.Result r, Node n) {
        return r.terms().stream().anyMatch(t -> t.target() == n);
    }

    private static boolean isSampleWeight(BackwardPass.Result r, Node n) {
        return r.terms().stream().anyMatch(t -> t.sampleWeight() == n);
    }

    /**
     * Every trainable entry (at most {@link #ENTRIES} per tensor) and input of {@code g}, under its loss:
     * of the mean loss over a batch run as a train step runs it, one sample, or four for a network that
     * trains differently (dropout's masks fixed by the key, batchnorm coupling the samples).
     */
    static void check(Graph g, long seed) {
        BackwardPass.Result r = Compiler.stages(g).backward();
        Map<String, double[]> w = Interpreter.toDouble(TestNetworks.randomWeights(g, seed));
        int batch = TestNetworks.trainsDifferently(g) ? 4 : 1;
        java.util.List<Map<String, double[]>> in = new java.util.ArrayList<>();
        for (int s = 0; s < batch; s++) in.add(inputs(r, seed + s));
        Interpreter interp = new Interpreter(r.graph(), w);
        long key = nnet.runtime.math.Dropout.key(seed, 3);
        // what is trained: the loss, the activity penalties and the weight penalties (the runtime's, as their definition says)
        Loss objective = () -> {
            double sum = 0;
            for (double[][] sample : interp.runBatch(in, key)) sum += r.objective(sample) / batch;
            return sum + WeightPenalties.value(g, w);
        };
        double[][][] v = interp.runBatch(in, key);
        for (Map.Entry<Param, java.util.List<Node>> e : r.paramGrads().entrySet()) {
            Param p = e.getKey();
            double[] grad = WeightPenalties.gradient(p, w.get(p.name()));
            for (double[][] sample : v) {
                double[] d = sum(sample, e.getValue());
                for (int k = 0; k < grad.length; k++) grad[k] += d[k] / batch;
            }
            // a frozen entry changes the loss but must not train: its exact 0 is checked in structureGetsNoGradient
            compare(p.name(), w.get(p.name()), grad, k -> frozen(p, k), objective);
        }
        for (Map.Entry<String, Node> e : r.inputGrads().entrySet())
            if (!isTarget(r, r.graph().input(e.getKey())))
                for (int s = 0; s < batch; s++) {
                    double[] grad = v[s][e.getValue().id()].clone();
                    for (int k = 0; k < grad.length; k++) grad[k] /= batch;
                    compare("input " + e.getKey() + " of sample " + s, in.get(s).get(e.getKey()), grad, k -> false, objective);
                }
    }

    /** Whether row-major entry k of a param is frozen: its (input, unit) pair, or for a conv kernel [F, C, kh, kw] its (channel, filter) pair. */
    static boolean frozen(Param p, int k) {
        if (p.frozen() == null) return false;
        if (p.shape().rank() == 4) {
            int taps = p.shape().dim(2) * p.shape().dim(3), channels = p.shape().dim(1);
            return p.frozen().get(k / taps % channels, k / (taps * channels));
        }
        return p.frozen().get(k / p.shape().last(), k % p.shape().last());
    }

    /** A param's gradient: the sum of its uses' contributions. */
    public static double[] sum(double[][] values, java.util.List<Node> contributions) {
        double[] out = values[contributions.get(0).id()].clone();
        for (Node n : contributions.subList(1, contributions.size())) for (int k = 0; k < out.length; k++) out[k] += values[n.id()][k];
        return out;
    }

    interface Loss {
        double value();
    }

    /**
     * Perturbs {@code values} in place entry by entry. An absent connection's stored value does not
     * reach the loss, so its finite difference is 0 and so must its gradient be.
     */
    private static void compare(String what, double[] values, double[] grad, java.util.function.IntPredicate frozen, Loss loss) {
        assertEquals(values.length, grad.length, what);
        int step = Math.max(1, values.length / ENTRIES);
        for (int k = 0; k < values.length; k += step) {
            if (frozen.test(k)) continue;
            double keep = values[k];
            values[k] = keep + H;
            double up = loss.value();
            values[k] = keep - H;
            double down = loss.value();
            values[k] = keep;
            double numeric = (up - down) / (2 * H);
            if (Math.abs(numeric - grad[k]) > RELATIVE * Math.max(Math.abs(numeric), Math.abs(grad[k])) + ABSOLUTE)
                fail(what + "[" + k + "]: derived " + grad[k] + ", finite difference " + numeric);
        }
    }
}
