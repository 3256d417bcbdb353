package nnet.spark.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import nnet.runtime.io.DataFiles;
import nnet.runtime.Network;
import nnet.runtime.jar.Predict;
import nnet.runtime.jar.PredictOutput;
import nnet.runtime.jar.SourceFacts;
import nnet.runtime.Tensor;
import nnet.runtime.UserError;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Rows for the Spark commands: a CSV or NumPy file is read on the driver (as {@code nnetc} reads
 * it) and spread over the partitions in order; any other path is a table Spark reads itself,
 * by its extension or folder ({@code .parquet}, {@code .orc}, {@code .json}: on shared storage,
 * each executor reads its part).
 */
final class SparkData {
    private SparkData() {}

    static boolean isLocalFile(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.endsWith(".csv") || p.endsWith(".npy") || p.endsWith(".npz");
    }

    /** Spark's name of a table's format, by its path's extension: a folder of Parquet files by default. */
    static String format(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.endsWith(".orc") ? "orc" : p.endsWith(".json") ? "json" : "parquet";
    }

    /**
     * A table Spark reads. What it would fail on deep in a task is refused here with a place: an HDF5
     * file (Spark has no HDF5 reader) and a local file that is not Parquet though its name says nothing else.
     */
    static Dataset<Row> table(SparkSession spark, String path) {
        String p = path.toLowerCase(Locale.ROOT);
        if (p.endsWith(".h5") || p.endsWith(".hdf5") || p.endsWith(".he5"))
            throw new UserError(path + ": nnetc spark does not read HDF5 (Spark has no reader for it): convert it to Parquet once"
                    + " (README, On Apache Spark), or train on one machine: nnetc train --input " + path + " --stream");
        String format = format(path);
        if (format.equals("parquet")) refuseNonParquetFile(path);
        return spark.read().format(format).load(path);
    }

    /** A local file (not a folder of parts) must end in Parquet's magic bytes {@code PAR1}. */
    private static void refuseNonParquetFile(String path) {
        if (path.contains("://") && !path.startsWith("file:")) return; // shared storage: Spark's executors read it
        Path file = Path.of(path.startsWith("file:") ? java.net.URI.create(path).getPath() : path);
        if (!java.nio.file.Files.isRegularFile(file)) return;
        byte[] tail = new byte[4];
        try (java.nio.channels.SeekableByteChannel in = java.nio.file.Files.newByteChannel(file)) {
            if (in.size() >= 4) in.position(in.size() - 4).read(java.nio.ByteBuffer.wrap(tail));
        } catch (java.io.IOException e) {
            throw new UserError(path + ": cannot be read (" + e.getMessage() + ")");
        }
        if (!new String(tail, java.nio.charset.StandardCharsets.US_ASCII).equals("PAR1"))
            throw new UserError(path + ": not a Parquet file (nnetc spark reads .csv, .npy and .npz on the driver, and Parquet, .orc or .json tables)");
    }

    /**
     * A table's rows with a column per input named like it: the table's own, or, for a network of one input
     * that the table has no column of, an array made of number columns, cast to float, in order: those that
     * {@code features} names (globs: {@code snp_*}), else every number column but the {@code reserved}
     * ones (the target's, the sample weights'). Their number must be the input's size.
     */
    static Dataset<Row> withInputColumns(Dataset<Row> table, Network net, List<String> features, Set<String> reserved) {
        List<String> columns = List.of(table.schema().fieldNames());
        if (columns.containsAll(net.inputNames()) && features == null) return table;
        String input = net.inputNames().get(0);
        if (net.inputNames().size() > 1 || columns.contains(input))
            throw new UserError(net.name() + "'s inputs are the table's columns named like them (" + String.join(", ", net.inputNames()) + "); its columns: " + String.join(", ", columns)
                    + (features != null ? " (--features makes the one input of a network that has one)" : ""));
        List<String> chosen = new ArrayList<>();
        for (StructField f : table.schema().fields())
            if (features != null ? features.stream().anyMatch(g -> f.name().matches(glob(g))) : f.dataType() instanceof NumericType && !reserved.contains(f.name())) {
                if (!(f.dataType() instanceof NumericType)) throw new UserError("--features takes column " + f.name() + ", which is " + f.dataType().simpleString() + ", not a number");
                chosen.add(f.name());
            }
        int size = (int) Tensor.size(net.shape(input));
        if (chosen.size() != size)
            throw new UserError("input " + input + " takes " + size + " values, but the table has " + chosen.size() + " "
                    + (features != null ? "columns that --features " + String.join(",", features) + " names" : "number columns besides the target and the sample weights: choose them with --features")
                    + (chosen.isEmpty() ? "" : " (" + String.join(", ", chosen.subList(0, Math.min(5, chosen.size()))) + (chosen.size() > 5 ? ", ..." : "") + ")"));
        return table.withColumn(input, functions.array(chosen.stream().map(c -> functions.col(c).cast(DataTypes.FloatType)).toArray(Column[]::new)));
    }

    /** A regular expression of a column glob: {@code *} any characters, the rest as it is. */
    private static String glob(String glob) {
        StringBuilder rx = new StringBuilder();
        for (String part : glob.split("\\*", -1)) rx.append(rx.isEmpty() ? "" : ".*").append(java.util.regex.Pattern.quote(part));
        return rx.toString();
    }

    /** A column read from a file on the driver, beside the inputs': a row per input row. */
    record FileColumn(String name, String file, float[][] rows) {}

    /**
     * The network's inputs read from files on the driver ({@code --input} specs, as {@code nnetc predict}
     * reads them), a column per input named like it, and the {@code extra} columns beside them, in
     * {@code partitions} partitions in order.
     */
    static Dataset<Row> fromFiles(SparkSession spark, Network net, List<String> inputs, List<FileColumn> extra, int partitions) {
        Map<String, float[][]> columns = new LinkedHashMap<>(Predict.readInputs(net, inputs, SourceFacts.of(net)));
        int n = columns.values().iterator().next().length;
        for (FileColumn c : extra) {
            if (c.rows().length != n) throw new UserError(c.file() + " has " + c.rows().length + " rows, but the input has " + n + ": one row per input row");
            columns.put(c.name(), c.rows());
        }
        List<Row> rows = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            List<Float[]> cells = new ArrayList<>();
            for (float[][] c : columns.values()) cells.add(boxed(c[r]));
            rows.add(RowFactory.create(cells.toArray()));
        }
        StructType schema = new StructType();
        for (String c : columns.keySet()) schema = schema.add(c, DataTypes.createArrayType(DataTypes.FloatType, false), false);
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions), schema);
    }

    /**
     * Writes {@code data}: to a table Spark writes (by the extension of {@code output}, {@link #format}), whole;
     * to a CSV or NumPy file on the driver, the array {@code columns} of every row in order, side by side
     * ({@link DataFiles#writeRows}: an {@code .npz} holds an array per column, shaped {@code shapes}).
     */
    static void write(Dataset<Row> data, List<String> columns, Path output, List<int[]> shapes, String[] header) {
        if (!isLocalFile(output.toString())) {
            data.write().format(format(output.toString())).save(output.toString());
            return;
        }
        List<Row> rows = data.select(columns.stream().map(functions::col).toArray(Column[]::new)).collectAsList();
        float[][] out = new float[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            List<Float> all = new ArrayList<>();
            for (int k = 0; k < columns.size(); k++) all.addAll(rows.get(r).getList(k));
            out[r] = new float[all.size()];
            for (int i = 0; i < all.size(); i++) out[r][i] = all.get(i);
        }
        DataFiles.writeRows(output, out, columns, shapes, header);
    }

    /** A CSV file's column names for the units of {@code nodes}, as {@code nnetc predict --output raw} names them. */
    static String[] header(Network net, List<String> nodes) {
        return PredictOutput.header(net, nodes, PredictOutput.Mode.RAW, PredictOutput.LossOutputs.NONE);
    }

    /** A file's rows, any width. */
    static DataFiles.Table read(String file, String arrayName, String what) {
        DataFiles.checkReadable(Path.of(file));
        return DataFiles.readTable(Path.of(file), arrayName, what);
    }

    private static Float[] boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
