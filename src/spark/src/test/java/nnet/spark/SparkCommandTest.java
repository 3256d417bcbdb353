package nnet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.runtime.io.Csv;
import nnet.runtime.Network;
import nnet.runtime.jar.PackedNetworks;
import nnet.runtime.io.Safetensors;
import nnet.spark.cli.SparkMain;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnetc spark train|predict} in this process on local[2]: the files they write, and their errors. */
class SparkCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String err) {}

    static Run run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = SparkMain.execute(args);
            return new Run(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void trainThenPredictFromFilesGiveWhatOneMachineGives() throws Exception {
        Path source = Files.writeString(dir.resolve("net.nnet"), """
                network Quad {
                  input x[2]
                  h = dense(x, 6, tanh, connect: band(1))
                  y = dense(h, 1, sigmoid)
                  output y
                  loss binary_cross_entropy
                }
                """);
        SplittableRandom r = new SplittableRandom(3);
        float[][] x = new float[90][2], t = new float[90][1];
        for (int i = 0; i < x.length; i++) {
            x[i][0] = (float) r.nextGaussian();
            x[i][1] = (float) r.nextGaussian();
            t[i][0] = x[i][0] * x[i][1] > 0 ? 1 : 0;
        }
        Csv.write(dir.resolve("x.csv"), x);
        Csv.write(dir.resolve("t.csv"), t);
        Path w = dir.resolve("w.safetensors");
        Run train = run("train", source.toString(), "--input", dir.resolve("x.csv").toString(), "--target", dir.resolve("t.csv").toString(),
                "--master", "local[2]", "--partitions", "3", "--epochs", "2", "--batch", "16", "--optimizer", "sgd", "--lr", "0.5", "-o", w.toString());
        assertEquals(0, train.exit(), train.err());
        assertTrue(train.err().contains("training Quad on 90 rows in 3 partitions (local[2]), batch 16"), train.err());
        assertTrue(train.err().contains("epoch 2/2: loss "), train.err());

        // one machine, the same rows in order, from the same initial weights (a source's, seed 1)
        byte[] jar = nnet.pack.JarPackager.toBytes(List.of(packed(source)));
        Network one = PackedNetworks.fromJar(jar, null);
        one.setOptimizer(nnet.runtime.Optimizer.of("sgd", java.util.Map.of("lr", 0.5)));
        float[][][] in = Arrays.stream(x).map(row -> new float[][] {row}).toArray(float[][][]::new);
        for (int epoch = 0; epoch < 2; epoch++)
            for (int from = 0; from < x.length; from += 16)
                one.trainStep(Arrays.copyOfRange(in, from, Math.min(x.length, from + 16)), Arrays.copyOfRange(t, from, Math.min(x.length, from + 16)));
        var trained = Safetensors.read(w);
        for (var e : one.saveWeights().entrySet())
            assertArrayEquals(e.getValue().data(), trained.get(e.getKey()).data(), 1e-5f, e.getKey());

        Path out = dir.resolve("p.csv");
        Run predict = run("predict", source.toString(), "--weights", w.toString(), "--input", dir.resolve("x.csv").toString(), "--master", "local[2]", "-o", out.toString());
        assertEquals(0, predict.exit(), predict.err());
        float[][] p = Csv.read(out, 1, "predictions");
        float[][][] expected = one.forwardBatch(in, List.of("y"));
        for (int i = 0; i < p.length; i++) assertEquals(expected[i][0][0], p[i][0], 1e-6f, "row " + i);
    }

    /**
     * Parquet written by Spark itself: a wide table (a number column per feature, a name column, an integer
     * class column, a weight column) trains as one machine does on its rows (one file, so Spark reads the
     * rows in their order); a table with one array column predicts what the wide one does; a bad class
     * index in a table is the user's error, found by a task, naming the row.
     */
    @Test
    void parquetWrittenBySparkTrainsAndPredicts() throws Exception {
        Path source = Files.writeString(dir.resolve("dense.nnet"), LocalSparkTest.NETWORKS.get("dense"));
        SplittableRandom r = new SplittableRandom(12);
        int n = 40;
        float[][] x = new float[n][6], t = new float[n][3];
        float[] w = new float[n];
        List<Row> wide = new ArrayList<>(), narrow = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object[] cells = new Object[9];
            cells[0] = "sample " + i;
            for (int k = 0; k < 6; k++) {
                x[i][k] = (float) r.nextGaussian();
                cells[1 + k] = (double) x[i][k];
            }
            int label = r.nextInt(3);
            t[i][label] = 1;
            w[i] = 0.5f + (i % 3);
            cells[7] = label;
            cells[8] = (double) w[i];
            wide.add(RowFactory.create(cells));
            narrow.add(RowFactory.create((Object) Arrays.stream(cells, 1, 7).toArray(Double[]::new)));
        }
        StructType wideSchema = new StructType().add("name", DataTypes.StringType);
        for (int k = 0; k < 6; k++) wideSchema = wideSchema.add("f" + k, DataTypes.DoubleType);
        wideSchema = wideSchema.add("label", DataTypes.IntegerType).add("weight", DataTypes.DoubleType);
        Path table = dir.resolve("rows.parquet"), arrays = dir.resolve("arrays.parquet"), bad = dir.resolve("bad.parquet");
        SparkSession spark = LocalSparkTest.session();
        Dataset<Row> rows = spark.createDataFrame(wide, wideSchema).coalesce(1);
        rows.write().parquet(table.toString());
        rows.withColumn("label", functions.when(functions.col("name").equalTo("sample 30"), 3).otherwise(functions.col("label"))).write().parquet(bad.toString());
        spark.createDataFrame(narrow, new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType))).coalesce(1).write().parquet(arrays.toString());
        spark.stop();

        Path trained = dir.resolve("w.safetensors");
        Run train = run("train", source.toString(), "--input", table.toString(), "--target", "label", "--sample-weights", "weight",
                "--master", "local[2]", "--epochs", "1", "--batch", "8", "--optimizer", "adam", "--lr", "0.01", "-o", trained.toString());
        assertEquals(0, train.exit(), train.err());
        Network one = PackedNetworks.fromJar(nnet.pack.JarPackager.toBytes(List.of(packed(source))), null);
        one.setOptimizer(nnet.runtime.Optimizer.of("adam", java.util.Map.of("lr", 0.01)));
        float[][][] in = Arrays.stream(x).map(row -> new float[][] {row}).toArray(float[][][]::new);
        for (int from = 0; from < n; from += 8)
            one.trainStep(Arrays.copyOfRange(in, from, from + 8), Arrays.copyOfRange(t, from, from + 8), Arrays.copyOfRange(w, from, from + 8));
        var got = Safetensors.read(trained);
        for (var e : one.saveWeights().entrySet()) assertArrayEquals(e.getValue().data(), got.get(e.getKey()).data(), 1e-5f, e.getKey());

        Path fromWide = dir.resolve("wide.npy"), fromArrays = dir.resolve("arrays.npy");
        for (Path[] io : new Path[][] {{table, fromWide}, {arrays, fromArrays}}) {
            Run predict = run("predict", source.toString(), "--weights", trained.toString(), "--input", io[0].toString(), "--features", "f*", "--master", "local[2]", "-o", io[1].toString());
            assertEquals(io[0] == table ? 0 : 1, predict.exit(), predict.err());
        }
        assertTrue(Files.notExists(fromArrays));
        Run predict = run("predict", source.toString(), "--weights", trained.toString(), "--input", arrays.toString(), "--master", "local[2]", "-o", fromArrays.toString());
        assertEquals(0, predict.exit(), predict.err());
        float[][][] expected = one.forwardBatch(in, List.of("y"));
        float[] wideValues = nnet.runtime.io.Npy.read(fromWide).data(), arrayValues = nnet.runtime.io.Npy.read(fromArrays).data();
        for (int i = 0; i < n; i++) {
            assertArrayEquals(expected[i][0], Arrays.copyOfRange(wideValues, 3 * i, 3 * i + 3), 1e-6f, "row " + i);
            assertArrayEquals(expected[i][0], Arrays.copyOfRange(arrayValues, 3 * i, 3 * i + 3), 1e-6f, "row " + i);
        }

        Run refused = run("train", source.toString(), "--input", bad.toString(), "--target", "label", "--features", "f*", "--master", "local[2]", "-o", dir.resolve("bad.safetensors").toString());
        assertEquals(1, refused.exit(), refused.err());
        assertTrue(refused.err().contains("error: row 31: 3 is not a class index: the loss's output has 3 classes"), refused.err());
        assertFalse(refused.err().contains("\tat "), "no stack trace: " + refused.err());
    }

    private nnet.pack.JarPackager.Packed packed(Path source) throws java.io.IOException {
        var g = nnet.Compiler.check(source).graphs().get(0);
        return new nnet.pack.JarPackager.Packed(nnet.Compiler.compile(g), nnet.ir.InitialWeights.stored(g, 1, nnet.runtime.io.SparseWeights.AUTO), g);
    }

    @Test
    void badInputIsAUserErrorWithItsPlace() throws Exception {
        Path source = Files.writeString(dir.resolve("bad.nnet"), "network Bad {\n  input x[2]\n  y = x + dense(x, 3)\n  output y\n}\n");
        Run r = run("train", source.toString(), "--input", "x.csv", "--target", "t.csv", "-o", dir.resolve("w.safetensors").toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("bad.nnet:3:9: error: '+' needs equal shapes"), r.err());
        r = run("predict", dir.resolve("missing.nnet").toString(), "--input", "x.csv", "-o", dir.resolve("p.csv").toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("missing.nnet: no such file"), r.err());
    }

    @Test
    void filesSparkCannotReadAreRefusedWithTheirName() throws Exception {
        Path source = Files.writeString(dir.resolve("net.nnet"), "network N {\n  input x[2]\n  y = dense(x, 1, sigmoid)\n  output y\n  loss binary_cross_entropy\n}\n");
        // an HDF5 file's signature, as h5py writes it: Spark has no reader for it
        Path h5 = Files.write(dir.resolve("genotype.h5"), new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0});
        Run r = run("train", source.toString(), "--input", h5.toString(), "--target", "label", "--master", "local[2]", "-o", dir.resolve("w.safetensors").toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("genotype.h5: nnetc spark does not read HDF5"), r.err());
        Path notParquet = Files.writeString(dir.resolve("rows.dat"), "1,2\n3,4\n");
        r = run("predict", source.toString(), "--input", notParquet.toString(), "--master", "local[2]", "-o", dir.resolve("p.csv").toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("rows.dat: not a Parquet file"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }
}
