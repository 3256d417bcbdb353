package nnet.spark.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import nnet.runtime.DataFiles;
import nnet.runtime.Network;
import nnet.runtime.PackedNetworks;
import nnet.runtime.WeightsFile;
import nnet.spark.SparkNetwork;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Runs the network on every row on Spark, one network per partition: the raw values of its outputs (or of --probe nodes), as nnetc predict --output raw gives them.")
final class SparkPredict implements Callable<Integer> {
    @Mixin SparkSetup setup;
    @Option(names = "--weights", description = "the weights (safetensors; default: the jar's packed ones)") Path weights;
    @Option(names = "--probe", description = "a node to output instead of the outputs (repeatable)") List<String> probes = new ArrayList<>();
    @Option(names = "-o", required = true, description = "out.csv or out.npy (collected on the driver), or a table Spark writes (out.parquet, .orc, .json): the input columns and one per shown node") Path output;

    @Override
    public Integer call() throws Exception {
        byte[] jar = setup.jar(false);
        Network driver = PackedNetworks.fromJar(jar, setup.name);
        if (weights != null) WeightsFile.load(driver, weights, System.err, false);
        SparkSession spark = setup.session("nnetc spark predict");
        try {
            SparkNetwork network = SparkNetwork.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), jar, setup.name);
            Dataset<Row> data = setup.inputIsTable() ? SparkData.table(spark, setup.inputs.get(0)) : SparkData.fromFiles(spark, driver, setup.inputs, List.of(), setup.partitions(spark));
            List<String> shown = probes.isEmpty() ? driver.outputNames() : probes;
            Dataset<Row> scored = network.predict(data, shown, driver.weightArray());
            if (SparkData.isLocalFile(output.toString())) write(scored, shown, driver);
            else scored.write().format(SparkData.format(output.toString())).save(output.toString());
            System.err.println("wrote " + output + ": " + String.join(", ", shown) + " of each row");
            return 0;
        } finally {
            spark.stop();
        }
    }

    /** The shown nodes' values of every row, in order, as one file (CSV or NumPy) on the driver. */
    private void write(Dataset<Row> scored, List<String> shown, Network net) {
        List<Row> rows = scored.select(shown.stream().map(functions::col).toArray(Column[]::new)).collectAsList();
        float[][] out = new float[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            List<Float> all = new ArrayList<>();
            for (int k = 0; k < shown.size(); k++) all.addAll(rows.get(r).getList(k));
            out[r] = new float[all.size()];
            for (int i = 0; i < all.size(); i++) out[r][i] = all.get(i);
        }
        DataFiles.writeRows(output, out, shown, shown.stream().map(net::shape).toList());
    }
}
