package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nnet.generated.Tiny;
import nnet.runtime.jar.PackedNetworks;
import org.junit.jupiter.api.Test;

class XorTableTest {
    @Test
    void theCompiledNetworkComputesXor() {
        assertEquals(0f, XorTable.xor(0, 0));
        assertEquals(1f, XorTable.xor(0, 1));
        assertEquals(1f, XorTable.xor(1, 0));
        assertEquals(0f, XorTable.xor(1, 1));
    }

    @Test
    void aTestNetworkComesWithItsPackedWeightsAndTrains() {
        Tiny net = PackedNetworks.load(Tiny.class);
        float[][][] x = {{{0, 1, 1}}, {{1, 0, 0}}};
        float[][] t = {{1}, {0}};
        float first = net.trainStep(x, t);
        for (int i = 0; i < 200; i++) net.trainStep(x, t);
        assertTrue(net.computeGradients(x, t) < first, "the loss falls");
        assertTrue(net.saveWeights().get("h.kernel").data()[0] != 0, "initial weights were packed");
    }
}
