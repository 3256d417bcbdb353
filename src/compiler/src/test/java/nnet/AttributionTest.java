package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.autodiff.AttributionPass;
import nnet.emit.GeneratedNetwork;
import nnet.interp.Interpreter;
import nnet.ir.Graph;
import nnet.ir.Node;
import nnet.ir.Op;
import nnet.pack.NetworkClassLoader;
import nnet.runtime.Attributions;
import nnet.runtime.Network;
import nnet.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated attribution passes on every network of the {@link Corpus} (dense, sparse, gated,
 * conv, lstm, blocks), with garbage at absent connections: saliency equals central finite
 * differences through the interpreter, for the inputs and for hidden nodes; gradient x input is the
 * node times its saliency; DeepLIFT is complete (the input attributions sum to f(x) − f(x₀) within
 * 1e-4 relative) wherever the network has no softmax or max pool before its target (their rule is
 * the gradient's, LANGUAGE.md); integrated gradients within 1% at 50 steps where the target is
 * smooth along the path, and at 2000 where relu's kinks make the rule's error fall as 1/steps.
 */
class AttributionTest {
    static final int ROWS = 37; // a tile of 32 and a part of one
    static final double H = 1e-5;

    /** A network compiled with its attribution passes, random weights loaded. */
    record Explained(Graph graph, Network net, Map<String, Tensor> weights) {
        static Explained of(Graph g, long seed) {
            Compiler.Stages s = Compiler.stages(g);
            GeneratedNetwork main = Compiler.compile(s);
            TestNetworks.verify(main);
            NetworkClassLoader loader = new NetworkClassLoader();
            nnet.emit.Explainers passes = Compiler.explainers(s);
            passes.passes().forEach(TestNetworks::verify);
            loader.add(main.className(), passes);
            Network net = loader.instantiate(main);
            Map<String, Tensor> w = TestNetworks.randomWeights(g, seed);
            net.loadWeights(w);
            return new Explained(g, net, w);
        }

        float[][][] rows(long seed, double scale) {
            SplittableRandom rnd = new SplittableRandom(seed);
            float[][][] x = new float[ROWS][graph.inputs().size()][];
            for (float[][] row : x)
                for (int k = 0; k < row.length; k++) {
                    Node in = graph.inputs().get(k);
                    if (in.integers()) { // token ids: an input without a gradient, read by an embedding
                        row[k] = TestNetworks.randomInput(graph, in, rnd);
                        continue;
                    }
                    row[k] = new float[in.shape().size()];
                    for (int i = 0; i < row[k].length; i++) row[k][i] = (float) (rnd.nextDouble(-1, 1) * scale);
                }
            return x;
        }

        String output() {
            return TestNetworks.nameOf(graph, graph.outputs().get(0));
        }

        int lastUnit() {
            return AttributionPass.rawValue(graph, graph.outputs().get(0)).shape().size() - 1;
        }

        List<Attributions.Row> explain(Attributions.Method m, float[][][] x, float[][][] baseline, List<String> nodes) {
            return explain(m, x, baseline, nodes, 50);
        }

        List<Attributions.Row> explain(Attributions.Method m, float[][][] x, float[][][] baseline, List<String> nodes, int steps) {
            return net.attributions(x, new Attributions.Request(m, output(), lastUnit(), baseline, steps, nodes));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nnet.Corpus#networks")
    void saliencyIsTheGradientAndDeepLiftAndIgAreComplete(Corpus.Entry e) {
        Explained ex = Explained.of(e.graph(), e.seed());
        float[][][] x = ex.rows(e.seed() + 1, 1), x0 = ex.rows(e.seed() + 2, 0.5);
        List<String> nodes = new ArrayList<>(e.graph().named().keySet());
        List<Attributions.Row> saliency = ex.explain(Attributions.Method.SALIENCY, x, null, nodes);
        checkFiniteDifferences(ex, x, nodes, saliency);
        List<Attributions.Row> gxi = ex.explain(Attributions.Method.GRADXINPUT, x, null, nodes);
        for (int s = 0; s < ROWS; s++)
            for (int k = 0; k < nodes.size(); k++) {
                float[] v = value(ex, x[s], nodes.get(k));
                float[] g = saliency.get(s).scores()[k];
                for (int i = 0; i < v.length; i++) // v from the network's own forward pass, not the attribution pass's: both within float rounding
                    assertEquals(v[i] * g[i], gxi.get(s).scores()[k][i], 1e-4 * Math.max(1, Math.abs(v[i])) * Math.abs(g[i]) + 1e-30, nodes.get(k) + "[" + i + "]");
            }
        if (e.graph().inputs().stream().anyMatch(Node::integers)) { // no path between token ids: deeplift and ig say so
            var refused = assertThrows(nnet.runtime.UserError.class, () -> ex.explain(Attributions.Method.DEEPLIFT, x, null, nodes));
            assertTrue(refused.getMessage().contains("use saliency or gradxinput"), refused.getMessage());
            return;
        }
        if (!exact(e.graph())) return;
        assertComplete(ex.explain(Attributions.Method.DEEPLIFT, x, new float[][][] {x0[0]}, List.of()), 1e-4, e + " deeplift");
        int steps = piecewiseLinear(e.graph()) ? 2000 : 50;
        assertComplete(ex.explain(Attributions.Method.IG, java.util.Arrays.copyOf(x, 5), new float[][][] {x0[0]}, List.of(), steps), 1e-2, e + " ig at " + steps + " steps");
    }

    /** Whether DeepLIFT's rules add up exactly on a network: no softmax, max pool or layernorm (whose rule is the gradient). */
    static boolean exact(Graph g) {
        Node raw = AttributionPass.rawValue(g, g.outputs().get(0));
        return g.nodes().stream().filter(n -> n.id() <= raw.id()).noneMatch(n -> n.op() == Op.SOFTMAX || n.op() == Op.MAXPOOL || n.op() == Op.LAYERNORM);
    }

    /** Whether the target has kinks along a path: a relu or leaky_relu before it. */
    static boolean piecewiseLinear(Graph g) {
        Node raw = AttributionPass.rawValue(g, g.outputs().get(0));
        return g.nodes().stream().filter(n -> n.id() <= raw.id()).anyMatch(n -> n.arg() instanceof Op.ActivationSpec a
                && (a.fn() == nnet.runtime.math.Activation.RELU || a.fn() == nnet.runtime.math.Activation.LEAKY_RELU));
    }

    /** Within {@code relative} of the larger of f(x), f(x0) and their difference (float rounds the sum of attributions as it rounds the values). */
    static void assertComplete(List<Attributions.Row> rows, double relative, String method) {
        for (int s = 0; s < rows.size(); s++) {
            Attributions.Row r = rows.get(s);
            double delta = (double) r.value() - r.baselineValue();
            double tol = relative * Math.max(Math.abs(delta), Math.max(Math.abs(r.value()), Math.abs(r.baselineValue())));
            if (!(Math.abs(r.inputSum() - delta) <= tol))
                fail(method + " row " + s + ": f(x) - f(x0) = " + delta + " but the input attributions sum to " + r.inputSum());
        }
    }

    private static float[] value(Explained ex, float[][] row, String node) {
        ex.net().forward(row);
        return ex.net().activation(node).clone();
    }

    /** The saliency of a few units of each node against central differences of the raw target, through the interpreter. */
    private static void checkFiniteDifferences(Explained ex, float[][][] x, List<String> nodes, List<Attributions.Row> saliency) {
        Graph g = ex.graph();
        Interpreter interp = new Interpreter(g, Interpreter.toDouble(ex.weights()));
        Node raw = AttributionPass.rawValue(g, g.outputs().get(0));
        int unit = ex.lastUnit();
        for (int s = 0; s < 2; s++) {
            Map<String, double[]> in = new HashMap<>();
            for (int k = 0; k < g.inputs().size(); k++) {
                double[] d = new double[x[s][k].length];
                for (int i = 0; i < d.length; i++) d[i] = x[s][k][i];
                in.put(g.inputs().get(k).name(), d);
            }
            double[][] v = interp.run(in);
            for (int k = 0; k < nodes.size(); k++) {
                Node n = g.named().get(nodes.get(k));
                if (n.id() > raw.id()) continue; // after the target (an output's softmax): no influence
                if (n.integers()) continue; // token ids: whole numbers, no derivative
                float[] got = saliency.get(s).scores()[k];
                assertEquals(n.shape().size(), got.length, nodes.get(k));
                for (int i = 0; i < got.length; i += Math.max(1, got.length / 6)) {
                    double[] plus = v[n.id()].clone(), minus = v[n.id()].clone();
                    plus[i] += H;
                    minus[i] -= H;
                    double f = v[raw.id()][unit], up = (interp.run(in, n, plus)[raw.id()][unit] - f) / H, down = (f - interp.run(in, n, minus)[raw.id()][unit]) / H;
                    if (Math.abs(up - down) > 1e-3 * Math.max(1, Math.abs(up))) continue; // a kink (relu at 0, a tie in a max pool): no derivative to compare
                    double fd = (up + down) / 2;
                    if (!(Math.abs(fd - got[i]) <= 1e-3 * Math.max(1, Math.abs(fd))))
                        fail(g.name() + " row " + s + " d" + raw.label() + "[" + unit + "]/d" + nodes.get(k) + "[" + i + "]: finite differences " + fd + ", generated " + got[i]);
                }
            }
        }
        assertTrue(saliency.size() == ROWS);
    }
}
