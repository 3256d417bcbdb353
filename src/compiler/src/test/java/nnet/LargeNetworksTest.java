package nnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nnet.ir.Graph;
import nnet.runtime.Network;
import org.junit.jupiter.api.Test;

/** The JVM's 64 KB method limit: wide and deep networks must still compile, verify and run. */
class LargeNetworksTest {
    @Test
    void mnistSizedMlp() {
        Graph g = TestNetworks.graph("""
                network Mlp {
                  input x[784]
                  h1 = dense(x, 1024, relu)
                  h2 = dense(h1, 1024, relu)
                  y = dense(h2, 10)
                  output y
                }""");
        TestNetworks.assertMatchesInterpreter(g, 11);
    }

    @Test
    void chainOf200Layers() {
        StringBuilder src = new StringBuilder("network Chain {\n  input x[16]\n  l0 = dense(x, 16, tanh)\n");
        for (int i = 1; i < 200; i++) src.append("  l").append(i).append(" = dense(l").append(i - 1).append(", 16, tanh)\n");
        src.append("  output l199\n}\n");
        Graph g = TestNetworks.graph(src.toString());
        assertEquals(400, g.params().size());
        TestNetworks.assertMatchesInterpreter(g, 5);
        Network net = TestNetworks.compile(g);
        assertEquals(201, net.nodeNames().size());
        assertTrue(net.nodeNames().contains("l150"));
    }
}
