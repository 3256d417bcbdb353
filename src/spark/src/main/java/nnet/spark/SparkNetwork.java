package nnet.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import nnet.runtime.DataFormatException;
import nnet.runtime.Embedding;
import nnet.runtime.Network;
import nnet.runtime.PackedNetworks;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A compiled network on a Spark cluster: the jar {@code nnetc compile} made, broadcast once; each
 * partition runs it through a network of its own ({@link Replicas}), with weights broadcast as one
 * array ({@link Network#weightArray}). Executors need only nnet-runtime.
 */
public final class SparkNetwork implements Serializable {
    private static final long serialVersionUID = 1;
    /** Rows a partition runs through the network at a time (its tiles and cores work on a chunk). */
    static final int CHUNK = 256;

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
     * values of that node, as {@code predict} gives them raw. The inputs are the columns named like
     * the network's inputs ({@link #inputs}). {@code weights} is a {@link Network#weightArray} (null:
     * the jar's packed weights), broadcast once: instances on executors keep whatever weights they
     * last ran with, so every use loads its own.
     */
    public Dataset<Row> predict(Dataset<Row> data, List<String> nodes, float[] weights) {
        SparkSession spark = data.sparkSession();
        List<String> shown = nodes.isEmpty() ? onDriver().outputNames() : List.copyOf(nodes);
        int[] columns = RowArrays.positions(data.schema(), inputs, "the network's inputs");
        Broadcast<float[]> w = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(weights != null ? weights : onDriver().weightArray());
        SparkNetwork self = this;
        JavaRDD<Row> out = data.javaRDD().mapPartitions(rows -> self.predictPartition(rows, columns, shown, w));
        List<StructField> fields = new ArrayList<>(List.of(data.schema().fields()));
        for (String node : shown) fields.add(RowArrays.floatArray(node));
        return spark.createDataFrame(out, new StructType(fields.toArray(StructField[]::new)));
    }

    private Iterator<Row> predictPartition(Iterator<Row> rows, int[] columns, List<String> nodes, Broadcast<float[]> weights) {
        List<Row> out = new ArrayList<>();
        List<Row> chunk = new ArrayList<>(CHUNK);
        while (rows.hasNext()) {
            chunk.add(rows.next());
            if (chunk.size() == CHUNK || !rows.hasNext()) {
                List<Row> in = List.copyOf(chunk);
                chunk.clear();
                out.addAll(Replicas.with(this, net -> {
                    net.loadWeightArray(weights.value());
                    float[][][] batch = new float[in.size()][][];
                    for (int s = 0; s < batch.length; s++) batch[s] = inputsOf(in.get(s), columns, "a row");
                    float[][][] values = net.forwardBatch(batch, nodes);
                    List<Row> done = new ArrayList<>(in.size());
                    for (int s = 0; s < batch.length; s++) done.add(withValues(in.get(s), values[s]));
                    return done;
                }));
            }
        }
        return out.iterator();
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

    private static Row withValues(Row row, float[][] values) {
        Object[] cells = new Object[row.length() + values.length];
        for (int i = 0; i < row.length(); i++) cells[i] = row.get(i);
        for (int k = 0; k < values.length; k++) {
            Float[] boxed = new Float[values[k].length];
            for (int i = 0; i < boxed.length; i++) boxed[i] = values[k][i];
            cells[row.length() + k] = boxed;
        }
        return RowFactory.create(cells);
    }
}
