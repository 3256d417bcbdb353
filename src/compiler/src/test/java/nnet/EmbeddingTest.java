package nnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import nnet.ir.Graph;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.Tensor;
import org.junit.jupiter.api.Test;

/**
 * What an embedding does beyond its values (checked three ways in the corpus, embedding.nnet): its
 * gradient reaches only the rows a batch's tokens name, the optimizer steps only those rows (a row's
 * Adam moments do not move it while it is unused), and a value that is not a token id is an error
 * naming the input, the sample and the position.
 */
class EmbeddingTest {
    private static final String SOURCE = """
            network E {
              input ids[3] int
              e = embedding(ids, 50, 4)
              y = dense(flatten(e), 2)
              output y
              loss mse
            }""";

    @Test
    void onlyTheRowsUsedGetAGradientAndAStep() {
        Graph g = TestNetworks.graph(SOURCE);
        for (int batch : new int[] {2, 40}) { // sample by sample, and in tiles of 32 and 8
            Network net = TestNetworks.compile(g);
            net.loadWeights(TestNetworks.randomWeights(g, 3));
            net.setOptimizer(Optimizer.of("adam", Map.of("lr", 0.01)));
            float[] before = net.saveWeights().get("e.embeddings").data();
            net.trainStep(tokens(batch, 1, 7, 7), new float[batch][2]);
            float[] grad = net.gradients().get("e.embeddings").data(), after = net.saveWeights().get("e.embeddings").data();
            for (int row = 0; row < 50; row++)
                for (int j = 0; j < 4; j++) {
                    int k = row * 4 + j;
                    boolean used = row == 1 || row == 7;
                    assertEquals(used, grad[k] != 0, "row " + row + " gradient, batch " + batch);
                    assertEquals(used, after[k] != before[k], "row " + row + " stepped, batch " + batch);
                }
            // the next step uses row 3 alone: rows 1 and 7 have Adam moments, yet do not move
            net.trainStep(tokens(batch, 3, 3, 3), new float[batch][2]);
            float[] later = net.saveWeights().get("e.embeddings").data();
            for (int k = 0; k < 200; k++) {
                if (k / 4 == 3) assertTrue(later[k] != after[k], "row 3 steps");
                else assertEquals(after[k], later[k], "row " + k / 4 + " unused: no step, batch " + batch);
            }
        }
    }

    private static float[][][] tokens(int batch, float a, float b, float c) {
        float[][][] x = new float[batch][1][];
        for (int s = 0; s < batch; s++) x[s][0] = new float[] {a, b, s % 2 == 0 ? c : a};
        return x;
    }

    @Test
    void aValueThatIsNotATokenIdNamesTheInputSampleAndPosition() {
        Graph g = TestNetworks.graph(SOURCE);
        Network net = TestNetworks.compile(g);
        net.loadWeights(TestNetworks.randomWeights(g, 3));
        assertEquals(Map.of("ids", 50), net.tokenInputs());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> net.forward(new float[] {1, 50, 2}));
        assertEquals("input ids, position 1: 50 is not a token id: the embedding's vocabulary has 50 rows, so a token is a whole number from 0 to 49", one.getMessage());
        float[][][] batch = tokens(6, 1, 2, 3);
        batch[4][0][2] = 2.5f;
        IllegalArgumentException inBatch = assertThrows(IllegalArgumentException.class, () -> net.forwardBatch(batch, java.util.List.of()));
        assertTrue(inBatch.getMessage().startsWith("input ids of sample 4 of the batch, position 2: 2.5 is not a token id"), inBatch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.trainStep(tokens(3, -1, 0, 0), new float[3][2]));
    }

    @Test
    void tokenIdsHaveNoGradientAndTheTableIsKerasLayout() {
        Graph g = TestNetworks.graph(SOURCE);
        Network net = TestNetworks.compile(g);
        Map<String, Tensor> w = TestNetworks.randomWeights(g, 5);
        net.loadWeights(w);
        assertArrayEquals(new int[] {50, 4}, net.saveWeights().get("e.embeddings").shape(), "[vocab, dim]");
        net.forward(new float[] {4, 0, 49});
        float[] e = net.activation("e"), table = w.get("e.embeddings").data();
        for (int j = 0; j < 4; j++) {
            assertEquals(table[4 * 4 + j], e[j]);
            assertEquals(table[49 * 4 + j], e[8 + j]);
        }
        float[][] dx = net.inputGradients(new float[][] {{4, 0, 49}}, new float[2]);
        assertFalse(dx[0].length > 0 && dx[0][0] != 0, "token ids get no gradient");
    }
}
