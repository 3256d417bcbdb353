package nnet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import nnet.runtime.DataFormatException;
import nnet.runtime.Network;
import nnet.runtime.jar.PackedNetworks;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spark in local[2] against one machine: synchronous training equals training on the same rows in
 * the same order (what {@code nnetc train --no-shuffle} does) within 1e-5, absent and frozen entries
 * stay as they were.
 */
class SparkTrainingTest extends LocalSparkTest {
    @ParameterizedTest
    @ValueSource(strings = {"dense", "sparse", "gated", "penalized"})
    void synchronousTrainingEqualsOneMachineOnTheSameRowsInOrder(String name) throws IOException {
        byte[] jar = jar(NETWORKS.get(name));
        Dataset<Row> data = data(103, 3, 11);
        SparkNetwork network = SparkNetwork.of(sc, jar, null);
        SynchronousTraining spark = new SynchronousTraining(network, data, "label");
        assertEquals(103, spark.rows());

        Network one = PackedNetworks.fromJar(jar, null);
        Map<String, Tensor> before = one.saveWeights();
        List<Row> rows = data.collectAsList();
        float[][][] x = inputs(rows);
        float[][] t = rows.stream().map(r -> floats(r.getList(1))).toArray(float[][]::new);
        int batch = 16;
        for (int epoch = 0; epoch < 2; epoch++) {
            double sparkLoss = spark.epoch(batch);
            double loss = 0;
            for (int from = 0; from < x.length; from += batch) {
                int to = Math.min(x.length, from + batch);
                loss += one.trainStep(Arrays.copyOfRange(x, from, to), Arrays.copyOfRange(t, from, to)) * (to - from);
            }
            assertEquals(loss / x.length, sparkLoss, 1e-5, "epoch " + epoch + "'s mean loss");
        }
        float[] expected = one.weightArray(), got = spark.weights();
        assertEquals(expected.length, got.length);
        for (int k = 0; k < got.length; k++) assertEquals(expected[k], got[k], 1e-5, "weight value " + k);
        assertNotEquals(Arrays.toString(before.get("y.kernel").data()), Arrays.toString(one.saveWeights().get("y.kernel").data()), "it trained");

        Map<String, Tensor> trained = spark.network().saveWeights();
        for (String kernel : List.of("h.kernel", "y.kernel")) {
            Tensor mask = trained.get(kernel.replace(".kernel", ".mask"));
            if (mask == null) continue;
            for (int k = 0; k < mask.data().length; k++)
                if (mask.data()[k] == 0) assertEquals(0f, trained.get(kernel).data()[k], kernel + " entry " + k + " is absent: it stays 0");
        }
        Tensor frozen = trained.get("h.freeze_mask");
        if (frozen != null)
            for (int k = 0; k < frozen.data().length; k++)
                if (frozen.data()[k] != 0) assertEquals(before.get("h.kernel").data()[k], trained.get("h.kernel").data()[k], "frozen entry " + k + " does not move");
        spark.close();
    }

    /** A table's class indices (an integer column) are the one-hot rows they stand for, and its sample weights multiply each row's loss. */
    @Test
    void classIndicesAndSampleWeightsFromColumns() throws IOException {
        byte[] jar = jar(NETWORKS.get("dense"));
        List<Row> rows = data(50, 3, 21).collectAsList();
        List<Row> indexed = new ArrayList<>();
        float[][] t = new float[rows.size()][];
        float[] w = new float[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            t[i] = floats(rows.get(i).getList(1));
            w[i] = (i % 5) * 0.5f;
            int label = t[i][0] == 1 ? 0 : t[i][1] == 1 ? 1 : 2;
            indexed.add(RowFactory.create(rows.get(i).get(0), label, (double) w[i]));
        }
        StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add("label", DataTypes.IntegerType, false).add("weight", DataTypes.DoubleType, false);
        SynchronousTraining spark = new SynchronousTraining(SparkNetwork.of(sc, jar, null), LocalSparkTest.spark.createDataFrame(sc.parallelize(indexed, 3), schema), "label", "weight");
        Network one = PackedNetworks.fromJar(jar, null);
        float[][][] x = inputs(rows);
        for (int from = 0; from < x.length; from += 8) {
            int to = Math.min(x.length, from + 8);
            one.trainStep(Arrays.copyOfRange(x, from, to), Arrays.copyOfRange(t, from, to), Arrays.copyOfRange(w, from, to));
        }
        spark.epoch(8);
        assertArrayEquals(one.weightArray(), spark.weights(), 1e-5f);
        spark.close();
    }

    @Test
    void localStepsOnOnePartitionAreOneMachinesStepsAndOnSeveralTheyLearn() throws IOException {
        byte[] jar = jar(NETWORKS.get("sparse"));
        Dataset<Row> one = data(96, 1, 13);
        LocalStepsTraining single = new LocalStepsTraining(SparkNetwork.of(sc, jar, null), one, "label", 3);
        Network machine = PackedNetworks.fromJar(jar, null);
        List<Row> rows = one.collectAsList();
        float[][][] x = inputs(rows);
        float[][] t = rows.stream().map(r -> floats(r.getList(1))).toArray(float[][]::new);
        for (int epoch = 0; epoch < 2; epoch++) {
            single.epoch(8);
            for (int from = 0; from < x.length; from += 8)
                machine.trainStep(Arrays.copyOfRange(x, from, Math.min(x.length, from + 8)), Arrays.copyOfRange(t, from, Math.min(x.length, from + 8)));
        }
        assertArrayEquals(machine.weightArray(), single.weights(), 1e-6f, "a partition's own steps, averaged with none: one machine's");
        single.close();

        Dataset<Row> three = data(300, 3, 17);
        LocalStepsTraining spread = new LocalStepsTraining(SparkNetwork.of(sc, jar, null), three, "label", 4);
        Map<String, Tensor> before = spread.network().saveWeights();
        double first = spread.epoch(10), last = first;
        for (int epoch = 0; epoch < 5; epoch++) last = spread.epoch(10);
        assertTrue(last < first, "the loss falls: " + first + " then " + last);
        Map<String, Tensor> after = spread.network().saveWeights();
        for (int k = 0; k < after.get("h.mask").data().length; k++) {
            if (after.get("h.mask").data()[k] == 0) assertEquals(0f, after.get("h.kernel").data()[k], "absent entry " + k);
            if (after.get("h.freeze_mask").data()[k] != 0) assertEquals(before.get("h.kernel").data()[k], after.get("h.kernel").data()[k], "frozen entry " + k);
        }
        spread.close();
    }

    @Test
    void aNetworkThatTrainsDifferentlyTrainsByLocalStepsNotSynchronously() throws IOException {
        byte[] jar = jar("""
                network Dropped {
                  input x[6]
                  h = dropout(dense(x, 8, tanh), 0.3)
                  y = dense(h, 3)
                  output y
                  loss cross_entropy
                }
                """);
        Dataset<Row> data = data(40, 2, 3);
        UserError e = assertThrows(UserError.class, () -> new SynchronousTraining(SparkNetwork.of(sc, jar, null), data, "label"));
        assertTrue(e.getMessage().startsWith("Dropped has dropout or batchnorm"), e.getMessage());
        LocalStepsTraining local = new LocalStepsTraining(SparkNetwork.of(sc, jar, null), data, "label", 2);
        double first = local.epoch(5), last = first;
        for (int i = 0; i < 4; i++) last = local.epoch(5);
        assertTrue(last < first, first + " then " + last);
        local.close();
    }

    @Test
    void aMissingOrWrongColumnIsNamedBeforeAnyTaskRuns() throws IOException {
        SparkNetwork network = SparkNetwork.of(sc, jar(NETWORKS.get("dense")), null);
        Dataset<Row> data = data(10, 1, 1);
        DataFormatException e = assertThrows(DataFormatException.class, () -> new SynchronousTraining(network, data, "target"));
        assertEquals("the data has no column 'target' for the target (its columns: x, label)", e.getMessage());
        e = assertThrows(DataFormatException.class, () -> network.predict(data.withColumnRenamed("x", "features"), List.of(), null));
        assertTrue(e.getMessage().startsWith("the data has no column 'x' for the network's inputs"), e.getMessage());
    }
}
