package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import nnet.ir.Graph;
import nnet.runtime.Network;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated code against the reference interpreter, on random weights and inputs, for every op,
 * connectivity pattern, weight form, gate and merge the code generator supports. Every class is
 * verified by ASM's CheckClassAdapter on the way.
 */
public class DifferentialTest {
    public static Stream<Arguments> networks() {
        return Stream.of(
                net("dense_relu", "input x[5]\n h = dense(x, 4, relu)\n output h"),
                net("relu_stack_rows_and_csr", "input x[5]\n h1 = dense(x, 6, relu)\n h2 = dense(h1, 5, relu, connect: random(0.5))\n h3 = dense(h2, 4, relu)\n y = dense(h3, 3)\n output y"),
                net("dense_each_activation", """
                        input x[6]
                        a = dense(x, 5, sigmoid)
                        b = dense(x, 5, tanh)
                        c = dense(x, 5, gelu)
                        d = dense(x, 5, leaky_relu)
                        e = dense(x, 5, softmax)
                        f = dense(x, 5, linear)
                        output a, b, c, d, e, f"""),
                net("activation_calls_fused", "input x[7]\n h = dense(x, 7)\n y = relu(h) * sigmoid(h) + tanh(h) - 0.5 * gelu(h) / 2\n output y"),
                net("leaky_relu_slope", "input x[4]\n y = leaky_relu(x, 0.2)\n output y"),
                net("softmax_rows", "input x[3, 4]\n y = softmax(dense(x, 5))\n output y"),
                net("dense_no_bias", "input x[3]\n y = dense(x, 4, bias: false)\n output y"),
                net("dense_bias_forms", """
                        input x[3]
                        a = dense(x, 4, bias: init [1, 2, 3, 4])
                        b = dense(x, 4, bias: mask [1, 0, 1, 0])
                        c = dense(x, 4, bias: fixed [0.5, -1, 2, 0])
                        output a, b, c"""),
                net("dense_rank2_input", "input seq[3, 4]\n y = dense(seq, 5, relu)\n output y"),
                net("pattern_band", "input x[9]\n y = dense(x, 6, connect: band(1))\n output y"),
                net("pattern_blocks", "input x[8]\n y = dense(x, 6, connect: blocks(2))\n output y"),
                net("pattern_local", "input x[9]\n y = dense(x, 4, connect: local(3, 2))\n output y"),
                net("pattern_random", "input x[30]\n y = dense(x, 20, connect: random(0.2, seed: 3))\n output y"),
                net("pattern_edges", "input x[4]\n y = dense(x, 3, connect: edges [0 -> 1, 2 -> 0, 3 -> 0..2])\n output y"),
                net("pattern_mask", "input x[2]\n y = dense(x, 2, connect: mask [[1, 1], [1, 0]])\n output y"),
                net("pattern_mask_csv", "input x[12]\n y = dense(x, 6, connect: mask \"examples/conn.csv\")\n output y"),
                net("pattern_union_intersection", "input x[8]\n a = dense(x, 8, connect: band(0) | blocks(2))\n b = dense(x, 8, connect: band(2) & blocks(4))\n output a, b"),
                net("pattern_rank2_sparse", "input seq[3, 6]\n y = dense(seq, 4, relu, connect: random(0.5))\n output y"),
                net("fixed_unrolled_masked", "input x[3]\n y = dense(x, 2, connect: mask [[1, 0], [0, 1], [1, 1]], weights: fixed [[2, 0], [0, -1], [0.5, 3]], bias: fixed [1, 1])\n output y"),
                net("fixed_large_rows", "input x[40]\n y = dense(x, 40, weights: fixed " + matrix(40, 40, 0) + ")\n output y"),
                net("fixed_large_sparse", "input x[40]\n y = dense(x, 40, connect: band(20), weights: fixed " + matrix(40, 40, 20) + ")\n output y"),
                net("weights_init", "input x[2]\n y = dense(x, 2, weights: init [[1, 2], [3, 4]])\n output y"),
                net("binary_ops", "input a[4]\n input b[4]\n s = a + b\n d = a - b\n p = a * b\n q = a / (b * b + 1)\n output s, d, p, q"),
                net("scalar_broadcast", "input a[4]\n input k[1]\n y = a * k + 1 - k\n z = 2 * a - -a\n output y, z"),
                net("gate_learned", "input x[6]\n h = dense(x, 6, relu)\n g = dense(x, 6, sigmoid)\n on, skip = gate(h, g)\n y = dense(on, 6) + skip\n output y"),
                net("gate_constant", "input x[4]\n on, skip = gate(x, 0.25)\n y = on * 2 + skip\n output y"),
                net("gate_input", "input x[4]\n input g[1]\n on, skip = gate(x, g)\n output on, skip"),
                net("concat_last_axis", "input a[2]\n input b[3]\n y = concat(a, b, dense(a, 4))\n output y"),
                net("concat_axis0", "input a[2, 3]\n input b[4, 3]\n y = concat(a, b, axis: 0)\n output y"),
                net("reshape_flatten", "input x[2, 3, 4]\n f = flatten(x)\n r = reshape(f, [4, -1])\n y = dense(r, 2)\n output y"),
                net("two_layers_one_statement", "input a[3]\n input b[3]\n y = dense(a, 2) + dense(b, 2)\n output y"),
                net("alias_and_outputs", "input x[3]\n h = dense(x, 3)\n h2 = h\n output h2, h"),
                net("block_nested", """
                        block inner(x, n) {
                          return dense(x, n, tanh)
                        }
                        block outer(x, n) {
                          h = inner(x, n)
                          return inner(h, n) + x
                        }
                        network Nest {
                          input x[5]
                          y = outer(x, 5)
                          output y
                        }"""));
    }

    private static Arguments net(String name, String body) {
        String src = body.contains("network ") ? body : "network T {\n " + body + "\n}\n";
        return Arguments.of(name, src);
    }

    /** A literal n x m matrix, zero outside |i - j| <= band when band > 0. */
    static String matrix(int n, int m, int band) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "[" : ", [");
            for (int j = 0; j < m; j++) {
                boolean present = band == 0 || Math.abs(i * m / n - j) <= band;
                sb.append(j == 0 ? "" : ", ").append(present ? ((i * 7 + j * 3) % 11 - 5) / 4.0 : 0);
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void generatedCodeMatchesInterpreter(String name, String source) {
        TestNetworks.assertMatchesInterpreter(TestNetworks.graph(source), name.hashCode());
    }

    static Stream<Arguments> convNetworks() {
        return Stream.concat(ConvNetworks.networks(), LstmNetworks.networks());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convNetworks")
    void convolutionsAndUnrolledLstmsMatchInterpreter(String name, String source) {
        TestNetworks.assertMatchesInterpreter(TestNetworks.graph(source), name.hashCode());
    }

    /**
     * {@code forwardBatch} over 37 samples (for sparse networks, a tile of 32 and one of 5) gives
     * every named node of every sample bit for bit what {@code forward} gives sample by sample:
     * the tiled contraction adds each sample's connections in the same order.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allNetworks")
    void forwardBatchEqualsForwardSampleBySample(String name, String source) {
        Graph g = TestNetworks.graph(source);
        Network net = TestNetworks.compile(g);
        net.loadWeights(TestNetworks.randomWeights(g, name.hashCode()));
        SplittableRandom rnd = new SplittableRandom(name.hashCode());
        float[][][] batch = new float[37][g.inputs().size()][];
        for (float[][] sample : batch)
            for (int k = 0; k < sample.length; k++) {
                sample[k] = new float[g.inputs().get(k).shape().size()];
                for (int i = 0; i < sample[k].length; i++) sample[k][i] = (float) rnd.nextDouble(-2, 2);
            }
        List<String> nodes = List.copyOf(g.named().keySet());
        float[][][] got = net.forwardBatch(batch, nodes);
        for (int s = 0; s < batch.length; s++) {
            net.forward(batch[s]);
            for (int k = 0; k < nodes.size(); k++)
                assertArrayEquals(net.activation(nodes.get(k)), got[s][k], "sample " + s + ", node " + nodes.get(k));
        }
        float[][][] outputs = net.forwardBatch(java.util.Arrays.copyOf(batch, 5), List.of());
        assertEquals(g.outputs().size(), outputs[4].length, "the outputs when no nodes are named");
    }

    static Stream<Arguments> allNetworks() {
        return Stream.concat(networks(), convNetworks());
    }
}
