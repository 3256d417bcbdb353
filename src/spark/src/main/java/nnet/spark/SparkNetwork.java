package nnet.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import nnet.runtime.Attributions;
import nnet.runtime.DataFormatException;
import nnet.runtime.math.Embedding;
import nnet.runtime.Network;
import nnet.runtime.jar.PackedNetworks;
import nnet.runtime.UserError;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import scala.Tuple2;

/**
 * A compiled network on a Spark cluster: the jar {@code nnetc compile} made, broadcast once; each
 * partition runs it through a network of its own ({@link Replicas}), with weights broadcast as one
 * array ({@link Network#weightArray}). Executors need only nnet-runtime.
 */
public final class SparkNetwork implements Serializable {
    private static final long serialVersionUID = 1;
    private final Broadcast<byte[]> jar;
    /** The jar's SHA-256: the key of its instances on executors, which outlive Spark contexts (and their broadcast ids). */
    private final String jarKey;
    private final String name;
    private final List<String> inputs;
    private final List<int[]> inputShapes;
    /** Per input, the vocabulary of the embedding reading its token ids, or null when it holds no token ids. */
    private final List<Integer> vocabularies;

    private SparkNetwork(Broadcast<byte[]> jar, String name, Network example) {
        this.jar = jar;
        this.jarKey = sha256(jar.value());
        this.name = example.name();
        this.inputs = List.copyOf(example.inputNames());
        this.inputShapes = inputs.stream().map(example::shape).toList();
        this.vocabularies = java.util.Arrays.asList(inputs.stream().map(example.tokenInputs()::get).toArray(Integer[]::new));
    }

    /** The network {@code name} (null: the only one) of a jar made by {@code nnetc compile}, given as its bytes. */
    public static SparkNetwork of(JavaSparkContext sc, byte[] jarBytes, String name) {
        Network example = PackedNetworks.fromJar(jarBytes, name); // fails here, on the driver, for a bad jar or name
        return new SparkNetwork(sc.broadcast(jarBytes), name, example);
    }

    String jarKey() {
        return jarKey;
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] jarBytes() {
        return jar.value();
    }

    String name() {
        return name;
    }

    List<String> inputs() {
        return inputs;
    }

    /** A network on the driver: the one that takes optimizer steps, or reads the jar's packed weights. */
    Network onDriver() {
        return PackedNetworks.fromJar(jar.value(), name);
    }

    int inputSize(int k) {
        int n = 1;
        for (int d : inputShapes.get(k)) n *= d;
        return n;
    }

    /**
     * The data with a column per node of {@code nodes} (the outputs when empty) added: each row's
     * values of that node, as {@code predict} gives them raw, one network per partition ({@link
     * Scoring}). The inputs are the columns named like the network's inputs ({@link #inputs}).
     * {@code weights} is a {@link Network#weightArray} (null: the jar's packed weights), broadcast once.
     */
    public Dataset<Row> predict(Dataset<Row> data, List<String> nodes, float[] weights) {
        Network driver = onDriver();
        List<String> shown = nodes.isEmpty() ? driver.outputNames() : List.copyOf(nodes);
        for (String node : shown) // an unknown node fails here, on the driver
            if (!driver.nodeNames().contains(node)) throw new UserError("network " + name + " has no node '" + node + "'; it has " + String.join(", ", driver.nodeNames()));
        return Scoring.withColumns(this, data, weights, shown.stream().map(RowArrays::floatArray).toList(), (net, batch) -> {
            List<Object[]> rows = new ArrayList<>(batch.length);
            for (float[][] values : net.forwardBatch(batch, shown)) rows.add(java.util.Arrays.stream(values).map(Scoring::boxed).toArray());
            return rows;
        });
    }

    /**
     * The data with the attributions of {@code request} added (the jar must hold the attribution passes:
     * {@code nnetc compile} packs them), as {@link Network#attributions} computes them, one network per
     * partition: a column {@code <node>_<method>} per node of the request (its units' scores),
     * {@code unit} (the output unit explained), {@code f_x} (its raw value), {@code f_baseline} (at the
     * baseline, for deeplift and ig; else NaN) and {@code attribution_sum} (the sum over the inputs' units).
     * The request's baseline is null (zeros) or one row for every row ({@link #meanInputs}).
     */
    public Dataset<Row> attributions(Dataset<Row> data, Attributions.Request request, float[] weights) {
        if (request.baseline() != null && request.baseline().length != 1)
            throw new IllegalArgumentException("a baseline for every row of a table: give one row (or null, zeros)");
        onDriver().attributions(new float[0][][], request); // a request that does not fit the network fails here, on the driver
        List<StructField> added = new ArrayList<>();
        for (String node : request.nodes()) added.add(RowArrays.floatArray(attributionColumn(node, request.method())));
        added.add(DataTypes.createStructField("unit", DataTypes.IntegerType, false));
        added.add(DataTypes.createStructField("f_x", DataTypes.FloatType, false));
        added.add(DataTypes.createStructField("f_baseline", DataTypes.FloatType, false));
        added.add(DataTypes.createStructField("attribution_sum", DataTypes.DoubleType, false));
        return Scoring.withColumns(this, data, weights, added, (net, batch) -> {
            List<Object[]> rows = new ArrayList<>(batch.length);
            for (Attributions.Row r : net.attributions(batch, request)) {
                List<Object> cells = new ArrayList<>(java.util.Arrays.stream(r.scores()).map(Scoring::boxed).toList());
                cells.addAll(List.of(r.unit(), r.value(), r.baselineValue(), r.inputSum()));
                rows.add(cells.toArray());
            }
            return rows;
        });
    }

    /** The column of a node's attributions by a method: {@code x_gradxinput}. */
    public static String attributionColumn(String node, Attributions.Method method) {
        return node + "_" + method.label();
    }

    /** The mean of each input over the rows (a baseline for deeplift and ig: {@code explain --baseline mean}), as {@code [1][input][values]}. */
    public float[][][] meanInputs(Dataset<Row> data) {
        int[] columns = RowArrays.positions(data.schema(), inputs, "the network's inputs");
        SparkNetwork self = this;
        double[][] zero = new double[inputs.size()][];
        for (int k = 0; k < zero.length; k++) zero[k] = new double[inputSize(k)];
        Tuple2<double[][], Long> sum = data.javaRDD().treeAggregate(new Tuple2<>(zero, 0L), (acc, row) -> {
            float[][] x = self.inputsOf(row, columns, "a row");
            for (int k = 0; k < x.length; k++) for (int i = 0; i < x[k].length; i++) acc._1()[k][i] += x[k][i];
            return new Tuple2<>(acc._1(), acc._2() + 1);
        }, (a, b) -> {
            for (int k = 0; k < a._1().length; k++) for (int i = 0; i < a._1()[k].length; i++) a._1()[k][i] += b._1()[k][i];
            return new Tuple2<>(a._1(), a._2() + b._2());
        });
        if (sum._2() == 0) throw new DataFormatException("no rows: their mean is not a number");
        float[][][] mean = new float[1][inputs.size()][];
        for (int k = 0; k < mean[0].length; k++) {
            mean[0][k] = new float[sum._1()[k].length];
            for (int i = 0; i < mean[0][k].length; i++) mean[0][k][i] = (float) (sum._1()[k][i] / sum._2());
        }
        return mean;
    }

    /** A row's inputs, from its {@code columns} ({@link RowArrays#positions} of {@link #inputs}); {@code place} names the row in an error. */
    float[][] inputsOf(Row row, int[] columns, String place) {
        float[][] x = new float[columns.length][];
        for (int k = 0; k < columns.length; k++) {
            String what = place + "'s input " + inputs.get(k);
            x[k] = RowArrays.values(row, columns[k], inputSize(k), what);
            for (int i = 0; vocabularies.get(k) != null && i < x[k].length; i++) {
                String problem = Embedding.notAToken(x[k][i], vocabularies.get(k));
                if (problem != null) throw new DataFormatException(what + ", value " + (i + 1) + ": " + problem);
            }
        }
        return x;
    }
}
