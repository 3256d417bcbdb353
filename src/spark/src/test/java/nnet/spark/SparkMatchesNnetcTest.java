package nnet.spark;

import static nnet.spark.SparkCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.runtime.io.Csv;
import nnet.runtime.io.Safetensors;
import nnet.runtime.Tensor;
import nnet.spark.SparkCommandTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnetc spark} against {@code nnetc} itself, run in this process on the same files: training
 * (synchronous, local[2], 3 partitions) equals {@code train --no-shuffle}, scoring equals {@code predict}
 * and {@code explain --per-sample}. (Not in the Spark 3.5 run: nnet-cli's jar brings the compiler with
 * ANTLR 4.13, which Spark 3.5's SQL parser cannot share a class path with.)
 */
class SparkMatchesNnetcTest {
    @TempDir
    Path dir;

    /** The measure: the weights nnetc spark train writes are nnetc train --no-shuffle's, to 1e-5, for each kind of network. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"dense", "sparse", "gated", "penalized"})
    void sparkTrainEqualsNnetcTrainNoShuffle(String kind) throws Exception {
        Path source = Files.writeString(dir.resolve(kind + ".nnet"), LocalSparkTest.NETWORKS.get(kind));
        SplittableRandom r = new SplittableRandom(9);
        float[][] x = new float[77][6], t = new float[77][3];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < 6; k++) x[i][k] = (float) r.nextGaussian();
            t[i][r.nextInt(3)] = 1;
        }
        assertSparkTrainIsNnetcTrain(source, x, t, "10");
    }

    /**
     * An embedding's rows are stepped when a partition's rows name them, though the other partitions'
     * gradient sums hold 0 there: 60 rows in 3 partitions of 20, batches of 16, so the batch of rows
     * 16-31 spans two partitions; token 10 is in row 18 only (partition 0), token 11 in row 25 only
     * (partition 1), token 9 in none.
     */
    @Test
    void anEmbeddingsRowsTouchedByOnePartitionAreStepped() throws Exception {
        Path source = Files.writeString(dir.resolve("tokens.nnet"), """
                network Tokens {
                  input ids[3] int
                  e = embedding(ids, 12, 4)
                  h = dense(flatten(e), 5, tanh)
                  y = dense(h, 2)
                  output y
                  loss cross_entropy
                }
                """);
        SplittableRandom r = new SplittableRandom(5);
        float[][] x = new float[60][3], t = new float[60][2];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < 3; k++) x[i][k] = i < 20 ? r.nextInt(4) : i < 40 ? 4 + r.nextInt(4) : r.nextInt(8);
            t[i][(int) x[i][0] % 2] = 1;
        }
        x[18][1] = 10;
        x[25][2] = 11;
        Map<String, Tensor> before = Safetensors.read(init(source));
        Map<String, Tensor> trained = assertSparkTrainIsNnetcTrain(source, x, t, "16");
        float[] table0 = before.get("e.embeddings").data(), table = trained.get("e.embeddings").data();
        for (int token : new int[] {10, 11})
            assertNotEquals(Arrays.toString(Arrays.copyOfRange(table0, token * 4, token * 4 + 4)), Arrays.toString(Arrays.copyOfRange(table, token * 4, token * 4 + 4)),
                    "token " + token + "'s row moved");
        assertArrayEquals(Arrays.copyOfRange(table0, 36, 40), Arrays.copyOfRange(table, 36, 40), "token 9's row, in no row, stays");
    }

    /** A target file of class indices and a file of sample weights, as nnetc train reads them; a bad class index is named at its line. */
    @Test
    void classIndicesAndSampleWeightsFromFiles() throws Exception {
        Path source = Files.writeString(dir.resolve("dense.nnet"), LocalSparkTest.NETWORKS.get("dense"));
        SplittableRandom r = new SplittableRandom(4);
        float[][] x = new float[40][6], labels = new float[40][1], w = new float[40][1];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < 6; k++) x[i][k] = (float) r.nextGaussian();
            labels[i][0] = r.nextInt(3);
            w[i][0] = (i % 4) * 0.5f;
        }
        Csv.write(dir.resolve("w.csv"), w);
        assertSparkTrainIsNnetcTrain(source, x, labels, "8", "--sample-weights", dir.resolve("w.csv").toString());

        labels[2][0] = 3;
        Csv.write(dir.resolve("t.csv"), labels);
        Run bad = run("train", source.toString(), "--input", dir.resolve("x.csv").toString(), "--target", dir.resolve("t.csv").toString(),
                "--master", "local[2]", "-o", dir.resolve("bad.safetensors").toString());
        assertEquals(1, bad.exit(), bad.err());
        assertTrue(bad.err().contains("t.csv:3: 3 is not a class index: the loss's output has 3 classes, so a class index is an integer from 0 to 2"), bad.err());
    }

    /** nnetc init's weights of a source, seed 1: what both trainings start from. */
    private Path init(Path source) {
        Path w = dir.resolve("init.safetensors");
        assertEquals(0, nnet.cli.Main.run("init", source.toString(), "--seed", "1", "-o", w.toString()));
        return w;
    }

    /** Trains {@code source} on the rows by nnetc train --no-shuffle and by nnetc spark train in 3 partitions (Adam, 2 epochs); asserts the weights agree; returns Spark's. */
    private Map<String, Tensor> assertSparkTrainIsNnetcTrain(Path source, float[][] x, float[][] t, String batch, String... more) throws Exception {
        Csv.write(dir.resolve("x.csv"), x);
        Csv.write(dir.resolve("t.csv"), t);
        List<String> common = new java.util.ArrayList<>(List.of(source.toString(), "--input", dir.resolve("x.csv").toString(), "--target", dir.resolve("t.csv").toString(),
                "--epochs", "2", "--batch", batch, "--optimizer", "adam", "--lr", "0.01", "--seed", "1"));
        common.addAll(List.of(more));
        Path one = dir.resolve("one.safetensors"), spread = dir.resolve("spark.safetensors");
        List<String> train = new java.util.ArrayList<>(List.of("train"));
        train.addAll(common);
        train.addAll(List.of("--no-shuffle", "-o", one.toString()));
        assertEquals(0, nnet.cli.Main.run(train.toArray(String[]::new)));
        List<String> sparkTrain = new java.util.ArrayList<>(List.of("train"));
        sparkTrain.addAll(common);
        sparkTrain.addAll(List.of("--master", "local[2]", "--partitions", "3", "-o", spread.toString()));
        Run run = run(sparkTrain.toArray(String[]::new));
        assertEquals(0, run.exit(), run.err());
        var expected = Safetensors.read(one);
        var got = Safetensors.read(spread);
        assertEquals(expected.keySet(), got.keySet());
        for (var e : expected.entrySet()) assertArrayEquals(e.getValue().data(), got.get(e.getKey()).data(), 1e-5f, source.getFileName() + ": " + e.getKey());
        return got;
    }

    /** Spark's scoring equals nnetc predict (probes, with its CSV header) and nnetc explain --per-sample, row by row, from the same files and weights. */
    @Test
    void predictAndExplainEqualNnetcPredictAndExplain() throws Exception {
        Path source = Files.writeString(dir.resolve("gated.nnet"), LocalSparkTest.NETWORKS.get("gated"));
        SplittableRandom r = new SplittableRandom(6);
        float[][] x = new float[50][6];
        for (float[] row : x) for (int k = 0; k < 6; k++) row[k] = (float) r.nextGaussian();
        Path in = dir.resolve("x.csv"), w = init(source);
        Csv.write(in, x);
        List<String> common = List.of(source.toString(), "--weights", w.toString(), "--input", in.toString());
        List<String> spark = List.of("--master", "local[2]", "--partitions", "3");

        Path one = dir.resolve("one.csv"), spread = dir.resolve("spark.csv");
        assertEquals(0, nnet.cli.Main.run(args("predict", common, List.of("--probe", "h", "--probe", "y", "-o", one.toString()))));
        Run predict = run(args("predict", common, spark, List.of("--probe", "h", "--probe", "y", "-o", spread.toString())));
        assertEquals(0, predict.exit(), predict.err());
        assertEquals(Files.readAllLines(one).get(0), Files.readAllLines(spread).get(0), "the header");
        float[][] expected = Csv.read(one, 9, "nnetc predict"), got = Csv.read(spread, 9, "nnetc spark predict");
        assertEquals(x.length, got.length);
        for (int i = 0; i < x.length; i++) assertArrayEquals(expected[i], got[i], 1e-6f, "row " + i);

        Path explained = dir.resolve("explained"), scores = dir.resolve("scores.npz");
        List<String> how = List.of("--method", "ig", "--steps", "10", "--baseline", "mean", "--target", "y:1", "--nodes", "x,h");
        assertEquals(0, nnet.cli.Main.run(args("explain", common, how, List.of("--per-sample", "-o", explained.toString()))));
        Run explain = run(args("explain", common, spark, how, List.of("-o", scores.toString())));
        assertEquals(0, explain.exit(), explain.err());
        Map<String, Tensor> arrays = nnet.runtime.io.Npy.readArchive(scores);
        for (String node : List.of("x", "h")) {
            float[][] samples = Csv.read(explained.resolve(node + ".samples.csv"), 7, "nnetc explain"); // the row number, then the node's 6 units
            Tensor t = arrays.get(node + "_ig");
            assertArrayEquals(new int[] {50, 6}, t.shape(), node);
            for (int i = 0; i < samples.length; i++)
                assertArrayEquals(Arrays.copyOfRange(samples[i], 1, 7), Arrays.copyOfRange(t.data(), i * 6, i * 6 + 6), 1e-5f, node + ", row " + i);
        }
    }

    private static String[] args(String command, List<?>... parts) {
        List<String> all = new java.util.ArrayList<>(List.of(command));
        for (List<?> p : parts) for (Object o : p) all.add(o.toString());
        return all.toArray(String[]::new);
    }
}
