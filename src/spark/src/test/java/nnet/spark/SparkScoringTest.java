package nnet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import nnet.runtime.Attributions;
import nnet.runtime.DataFormatException;
import nnet.runtime.Network;
import nnet.runtime.jar.PackedNetworks;
import nnet.runtime.UserError;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Scoring on Spark in local[2] against the network's own passes: predictions, probes and attributions, one network per partition. */
class SparkScoringTest extends LocalSparkTest {
    @Test
    void scoringEqualsTheNetworksOwnForwardPass() throws IOException {
        byte[] jar = jar(NETWORKS.get("gated"));
        Dataset<Row> data = data(70, 2, 5);
        SparkNetwork network = SparkNetwork.of(sc, jar, null);
        Network one = PackedNetworks.fromJar(jar, null);
        float[] weights = one.weightArray();
        for (int k = 0; k < weights.length; k++) weights[k] *= 0.5f;
        one.loadWeightArray(weights);
        List<Row> scored = network.predict(data, List.of("y", "g"), weights).collectAsList();
        assertEquals(List.of("x", "label", "y", "g"), List.of(network.predict(data, List.of("y", "g"), weights).schema().fieldNames()));
        float[][][] expected = one.forwardBatch(inputs(scored), List.of("y", "g"));
        for (int s = 0; s < scored.size(); s++) {
            assertArrayEquals(expected[s][0], floats(scored.get(s).getList(2)), 1e-6f, "row " + s);
            assertArrayEquals(expected[s][1], floats(scored.get(s).getList(3)), 1e-6f, "row " + s);
        }
    }

    /**
     * Each method's attributions on Spark are the network's own ({@link Network#attributions}) row by row, with a baseline of the
     * rows' mean computed by Spark; on the gated network, but weights' (GenNet's path products follow chains of dense layers).
     */
    @ParameterizedTest
    @EnumSource(Attributions.Method.class)
    void attributionsEqualTheNetworksOwn(Attributions.Method method) throws IOException {
        boolean chain = method == Attributions.Method.WEIGHTS;
        byte[] jar = jar(NETWORKS.get(chain ? "dense" : "gated"));
        List<String> nodes = chain ? List.of("x", "h") : List.of("x", "h", "g");
        Dataset<Row> data = data(45, 3, 8);
        SparkNetwork network = SparkNetwork.of(sc, jar, null);
        Network one = PackedNetworks.fromJar(jar, null);
        List<Row> rows = data.collectAsList();
        float[][][] x = inputs(rows);
        float[][][] mean = network.meanInputs(data);
        for (int i = 0; i < 6; i++) {
            double sum = 0;
            for (float[][] row : x) sum += row[0][i];
            assertEquals(sum / x.length, mean[0][0][i], 1e-6, "the mean of x[" + i + "]");
        }
        Attributions.Request request = new Attributions.Request(method, "y", method == Attributions.Method.SALIENCY || chain ? 2 : Attributions.PREDICTED, mean, 8, nodes);
        List<Row> explained = network.attributions(data, request, null).collectAsList();
        List<Attributions.Row> expected = one.attributions(x, request);
        List<String> columns = new java.util.ArrayList<>(List.of("x", "label"));
        for (String n : nodes) columns.add(n + "_" + method.label());
        columns.addAll(List.of("unit", "f_x", "f_baseline", "attribution_sum"));
        assertEquals(columns, List.of(network.attributions(data, request, null).schema().fieldNames()));
        int at = 2 + nodes.size();
        for (int s = 0; s < x.length; s++) {
            Row r = explained.get(s);
            Attributions.Row e = expected.get(s);
            for (int k = 0; k < nodes.size(); k++) assertArrayEquals(e.scores()[k], floats(r.getList(2 + k)), 1e-5f, "row " + s + ", node " + nodes.get(k));
            assertEquals(e.unit(), r.getInt(at), "row " + s);
            assertEquals(e.value(), r.getFloat(at + 1), 1e-6f);
            assertEquals(e.baselineValue(), r.getFloat(at + 2), 1e-6f);
            assertEquals(e.inputSum(), r.getDouble(at + 3), 1e-5);
        }
        assertTrue(explained.stream().anyMatch(r -> floats(r.getList(2)).length == 6 && floats(r.getList(2))[0] != 0), "some attribution is not 0");
    }

    @Test
    void aRequestThatDoesNotFitIsRefusedOnTheDriver() throws IOException {
        SparkNetwork network = SparkNetwork.of(sc, jar(NETWORKS.get("gated")), null);
        Dataset<Row> data = data(5, 1, 1);
        UserError e = assertThrows(UserError.class, () -> network.attributions(data, new Attributions.Request(Attributions.Method.IG, "y", 3, null, 4, List.of("x")), null));
        assertEquals("output y has 3 unit(s): unit 3 is not one of them", e.getMessage());
        e = assertThrows(UserError.class, () -> network.predict(data, List.of("nothing"), null));
        assertTrue(e.getMessage().startsWith("network Gated has no node 'nothing'"), e.getMessage());
        DataFormatException taken = assertThrows(DataFormatException.class, () -> network.predict(data.withColumnRenamed("label", "y"), List.of("y"), null));
        assertTrue(taken.getMessage().startsWith("the data has a column 'y' already"), taken.getMessage());
    }
}
