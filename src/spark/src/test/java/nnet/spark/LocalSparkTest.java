package nnet.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.Compiler;
import nnet.ir.Graph;
import nnet.ir.InitialWeights;
import nnet.pack.JarPackager;
import nnet.runtime.io.SparseWeights;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Spark in local[2], bound to 127.0.0.1 with the UI off, for a test class; networks of each kind, their jars, and rows for them. */
abstract class LocalSparkTest {
    static final Map<String, String> NETWORKS = Map.of(
            "dense", """
                    network Dense {
                      input x[6]
                      h = dense(x, 8, tanh)
                      y = dense(h, 3)
                      output y
                      loss cross_entropy
                    }
                    """,
            "sparse", """
                    network Sparse {
                      input x[6]
                      h = dense(x, 8, relu, connect: band(1) | random(0.2, seed: 3), freeze: mask [[1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]])
                      y = dense(h, 3, connect: random(0.5, seed: 4))
                      output y
                      loss cross_entropy
                    }
                    """,
            "gated", """
                    network Gated {
                      input x[6]
                      h = dense(x, 6, tanh)
                      g = dense(x, 6, sigmoid)
                      next, skip = gate(h, g)
                      y = dense(next + skip * 0.5, 3)
                      output y
                      loss cross_entropy
                    }
                    """,
            "penalized", """
                    network Penalized {
                      input x[6]
                      h = dense(x, 8, tanh, connect: band(2), freeze: mask [[0, 0, 1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]],
                                regularize: l1(0.01), activity: l2(0.01))
                      y = dense(h, 3, regularize: l1_l2(0.01, 0.02), activity: l1(0.005))
                      output y
                      loss cross_entropy(class_weights: [1, 2, 0.5])
                    }
                    """);

    static SparkSession spark;
    static JavaSparkContext sc;

    @TempDir
    Path dir;

    /** Spark in local[2], bound to 127.0.0.1, with the UI off. */
    static SparkSession session() {
        return SparkSession.builder().master("local[2]").appName("nnet-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    @BeforeAll
    static void start() {
        spark = session();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // the spark-3.5 run (src/spark/pom.xml) swaps Spark 4 for 3.5 on the class path: these are the versions that run
        String sparkVersion = System.getProperty("nnet.spark.version", "4."), scalaVersion = System.getProperty("nnet.scala.version", "2.13.");
        assertTrue(spark.version().startsWith(sparkVersion), "Spark " + spark.version() + ", expected " + sparkVersion);
        assertTrue(scala.util.Properties.versionNumberString().startsWith(scalaVersion), "Scala " + scala.util.Properties.versionNumberString() + ", expected " + scalaVersion);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** The jar nnetc compile makes of {@code source} (with its attribution passes), with initial weights from seed 7. */
    byte[] jar(String source) throws IOException {
        Compiler.Checked c = Compiler.check("net.nnet", source, dir);
        assertTrue(c.ok(), c.diagnostics().toString());
        Graph g = c.graphs().get(0);
        Compiler.Stages s = Compiler.stages(g);
        Path jar = dir.resolve("net.jar");
        JarPackager.write(jar, List.of(new JarPackager.Packed(Compiler.compile(s), InitialWeights.stored(g, 7, SparseWeights.AUTO), JarPackager.facts(g), Compiler.explainers(s))));
        return Files.readAllBytes(jar);
    }

    /** {@code rows} rows of 6 inputs and a one-hot label of 3 classes, in {@code partitions} partitions, in order. */
    static Dataset<Row> data(int rows, int partitions, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            Float[] x = new Float[6];
            for (int k = 0; k < 6; k++) x[k] = (float) r.nextGaussian();
            Float[] label = {0f, 0f, 0f};
            label[r.nextInt(3)] = 1f;
            out.add(RowFactory.create(x, label));
        }
        StructType schema = new StructType()
                .add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add("label", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        return spark.createDataFrame(sc.parallelize(out, partitions), schema);
    }

    static float[][][] inputs(List<Row> rows) {
        return rows.stream().map(r -> new float[][] {floats(r.getList(0))}).toArray(float[][][]::new);
    }

    static float[] floats(List<Object> values) {
        float[] out = new float[values.size()];
        for (int k = 0; k < out.length; k++) out[k] = ((Number) values.get(k)).floatValue();
        return out;
    }
}
