package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import nnet.ir.Graph;
import nnet.runtime.Network;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated code against the reference interpreter, on random weights and inputs, for every
 * network of the {@link Corpus} (every op, connectivity pattern, weight form, gate and merge).
 * Every class is verified by ASM's CheckClassAdapter on the way.
 */
public class DifferentialTest {
    /** One sample at a time, with each kind of kernels (one sample's convolutions have Vector API forms too). */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nnet.Corpus#networksAndKernels")
    void generatedCodeMatchesInterpreter(Corpus.Entry network, TestNetworks.Kernels kernels) {
        TestNetworks.assertMatchesInterpreter(network.graph(), network.seed(), kernels);
    }

    /**
     * {@code forwardBatch} over 37 samples (a tile of 32 and one of 5, whose other lanes repeat its
     * last sample) gives every named node of every sample what {@code forward} gives sample by sample,
     * to float rounding (the Vector API kernels fuse multiply and add).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nnet.Corpus#networksAndKernels")
    void forwardBatchEqualsForwardSampleBySample(Corpus.Entry network, TestNetworks.Kernels kernels) {
        Graph g = network.graph();
        Network net = TestNetworks.compile(g, kernels);
        net.loadWeights(TestNetworks.randomWeights(g, network.seed()));
        SplittableRandom rnd = new SplittableRandom(network.seed());
        float[][][] batch = new float[37][g.inputs().size()][];
        for (float[][] sample : batch)
            for (int k = 0; k < sample.length; k++) sample[k] = TestNetworks.randomInput(g, g.inputs().get(k), rnd);
        List<String> nodes = List.copyOf(g.named().keySet());
        float[][][] got = net.forwardBatch(batch, nodes);
        for (int s = 0; s < batch.length; s++) {
            net.forward(batch[s]);
            for (int k = 0; k < nodes.size(); k++)
                TestNetworks.assertClose(EmittedGradientTest.toDouble(net.activation(nodes.get(k))), got[s][k], "sample " + s + ", node " + nodes.get(k));
        }
        float[][][] outputs = net.forwardBatch(java.util.Arrays.copyOf(batch, 5), List.of());
        assertEquals(g.outputs().size(), outputs[4].length, "the outputs when no nodes are named");
    }
}
