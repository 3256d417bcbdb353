package nnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import nnet.TestNetworks;
import nnet.ir.Graph;
import nnet.runtime.Network;
import org.junit.jupiter.api.Test;

/** The memory a command is refused for (MemoryNeeds): a batchnorm's staged train step holds its whole batch. */
class MemoryNeedsTest {
    private static final String NETWORK = """
            network Images {
              input img[1, 12, 12]
              c = conv2d(img, 8, 3)
              b = %s
              y = dense(flatten(relu(b)), 2)
              output y
              loss cross_entropy
            }""";

    /**
     * The staged part of the estimate against what the first staged step allocates (its units: replicas of
     * the network with their buffers and gradients), on the thread that makes them: lower, by a small factor.
     */
    @Test
    void aBatchnormsStagedStepCountsItsUnitsAndErrsLow() {
        Graph norm = TestNetworks.graph(NETWORK.formatted("batchnorm(c)")), plain = TestNetworks.graph(NETWORK.formatted("c * 2"));
        int batch = 256;
        assertEquals(0, MemoryNeeds.estimate(norm, MemoryNeeds.Use.TRAINING, 2, 1).staged(), "one sample: nothing staged");
        assertEquals(0, MemoryNeeds.estimate(plain, MemoryNeeds.Use.TRAINING, 2, batch).staged(), "samples that do not depend on each other run a tile per core");
        MemoryNeeds.Estimate e = MemoryNeeds.estimate(norm, MemoryNeeds.Use.TRAINING, 2, batch);
        assertTrue(e.parts().stream().anyMatch(p -> p.startsWith("a batchnorm's train step holding 256 samples in 8 units ")), e.parts().toString());

        // the plain kernels: until the JIT has compiled them, Vector API kernels allocate boxes that are garbage, not needs
        Network net = TestNetworks.compile(norm, TestNetworks.Kernels.PLAIN);
        net.loadWeights(TestNetworks.randomWeights(norm, 1));
        SplittableRandom rnd = new SplittableRandom(2);
        float[][][] x = new float[batch][1][144];
        float[][] t = new float[batch][];
        for (int s = 0; s < batch; s++) {
            for (int i = 0; i < 144; i++) x[s][0][i] = (float) rnd.nextDouble(-1, 1);
            t[s] = new float[] {s % 2, 1 - s % 2};
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        net.computeGradients(x, t); // the first staged step makes its units
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // the estimate counts each sample's values once; the units hold their backward buffers too (about twice that, measured)
        assertTrue(e.staged() <= allocated && e.staged() >= allocated / 4, "the estimate " + e.staged() + " bytes, the step's units " + allocated);
    }
}
