package nnet.spark.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import nnet.runtime.DataFiles;
import nnet.runtime.UserError;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
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

    /** A table Spark reads: its format from the extension (a folder of Parquet files by default). */
    static Dataset<Row> table(SparkSession spark, String path) {
        String p = path.toLowerCase(Locale.ROOT);
        String format = p.endsWith(".orc") ? "orc" : p.endsWith(".json") ? "json" : "parquet";
        return spark.read().format(format).load(path);
    }

    /** Columns of float arrays read from files on the driver, one per {@code columns} name, in {@code partitions} partitions in order. */
    static Dataset<Row> fromFiles(SparkSession spark, List<String> columns, List<float[][]> values, int partitions) {
        int n = values.get(0).length;
        for (int k = 1; k < values.size(); k++)
            if (values.get(k).length != n)
                throw new UserError("the files hold different numbers of rows: " + n + " for " + columns.get(0) + ", " + values.get(k).length + " for " + columns.get(k));
        List<Row> rows = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            Object[] cells = new Object[values.size()];
            for (int k = 0; k < cells.length; k++) cells[k] = boxed(values.get(k)[r]);
            rows.add(RowFactory.create(cells));
        }
        StructType schema = new StructType();
        for (String c : columns) schema = schema.add(c, DataTypes.createArrayType(DataTypes.FloatType, false), false);
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions), schema);
    }

    static float[][] read(String file, String what, int width) {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) throw new UserError(file + ": " + (Files.isDirectory(p) ? "it is a directory" : "no such file"));
        return DataFiles.readRows(p, null, width, what);
    }

    private static Float[] boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
