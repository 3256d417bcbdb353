package nnet.spark.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nnet.runtime.DataFiles;
import nnet.runtime.Network;
import nnet.runtime.Predict;
import nnet.runtime.PredictOutput;
import nnet.runtime.SourceFacts;
import nnet.runtime.UserError;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
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

    static Dataset<Row> table(SparkSession spark, String path) {
        return spark.read().format(format(path)).load(path);
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
