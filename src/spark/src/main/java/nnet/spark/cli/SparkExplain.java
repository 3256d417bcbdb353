package nnet.spark.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import nnet.runtime.Attributions;
import nnet.runtime.Network;
import nnet.runtime.jar.PackedNetworks;
import nnet.runtime.jar.Predict;
import nnet.runtime.UserError;
import nnet.runtime.io.WeightsFile;
import nnet.spark.SparkNetwork;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Attributes an output unit's raw value to the units of named nodes for every row on Spark, one network per partition, by the network's"
                + " generated attribution passes: each row's scores, as nnetc explain --per-sample gives them.")
final class SparkExplain implements Callable<Integer> {
    @Mixin SparkSetup setup;
    @Option(names = "--weights", description = "the weights (safetensors; default: the jar's packed ones)") Path weights;
    @Option(names = "--target", paramLabel = "OUTPUT[:UNIT]", description = "the output unit explained: y (an output of one unit), y:3 (a unit by index or name), y:predicted (each row's largest); default: the first output") String target;
    @Option(names = "--method", defaultValue = "gradxinput", paramLabel = "gradxinput|saliency|deeplift|ig|weights", description = "default ${DEFAULT-VALUE}") String method;
    @Option(names = "--baseline", defaultValue = "zero", paramLabel = "zero|mean|B.csv", description = "x0 of deeplift and ig: zeros, the mean of the input rows (a pass over them), or a file of one row; default ${DEFAULT-VALUE}") String baseline;
    @Option(names = "--steps", defaultValue = "50", description = "steps of ig's path (default ${DEFAULT-VALUE})") int steps;
    @Option(names = "--nodes", split = ",", paramLabel = "a,b", description = "the nodes explained (default: the inputs)") List<String> nodes;
    @Option(names = "-o", required = true, description = "out.csv, out.npy or out.npz (collected on the driver: the nodes' scores of each row, an array per node in an .npz),"
            + " or a table Spark writes (out.parquet, .orc, .json): the input columns, a column <node>_<method> per node, unit, f_x, f_baseline and attribution_sum") Path output;

    @Override
    public Integer call() throws Exception {
        byte[] jar = setup.jar(true);
        Network driver = PackedNetworks.fromJar(jar, setup.name);
        if (weights != null) WeightsFile.load(driver, weights, System.err, false);
        Attributions.Method m = Attributions.Method.parse(method);
        List<String> explained = nodes != null ? List.copyOf(nodes) : driver.inputNames();
        for (String n : explained)
            if (!driver.nodeNames().contains(n)) throw new UserError("network " + driver.name() + " has no node '" + n + "'; it has " + String.join(", ", driver.nodeNames()));
        Attributions.Target t = Attributions.Target.parse(driver, target);
        SparkSession spark = setup.session("nnetc spark explain");
        try {
            SparkNetwork network = SparkNetwork.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), jar, setup.name);
            Dataset<Row> data = setup.rows(spark, driver, Set.of());
            Attributions.Request request = new Attributions.Request(m, t.output(), t.unit(), baseline(network, driver, data), steps, explained);
            Dataset<Row> explainedRows = network.attributions(data, request, driver.weightArray());
            List<String> columns = explained.stream().map(n -> SparkNetwork.attributionColumn(n, m)).toList();
            SparkData.write(explainedRows, columns, output, explained.stream().map(driver::shape).toList(), SparkData.header(driver, explained));
            System.err.println("wrote " + output + ": " + m.label() + " attributions of " + t.output() + " to " + String.join(", ", explained) + " for each row");
            return 0;
        } finally {
            spark.stop();
        }
    }

    /** x0 as {@code [1][input][values]}: null for zeros, the rows' mean, or a file's one row. */
    private float[][][] baseline(SparkNetwork network, Network net, Dataset<Row> data) {
        if (baseline.equals("zero")) return null;
        if (baseline.equals("mean")) return network.meanInputs(data);
        List<String> specs = net.inputNames().size() == 1 ? List.of(baseline) : List.of(baseline.split(","));
        var rows = Predict.readInputs(net, specs);
        if (rows.values().iterator().next().length != 1)
            throw new UserError("--baseline " + baseline + " has " + rows.values().iterator().next().length + " rows: on Spark, give one row (the baseline of every row)");
        float[][][] x0 = new float[1][net.inputNames().size()][];
        for (int k = 0; k < x0[0].length; k++) x0[0][k] = rows.get(net.inputNames().get(k))[0];
        return x0;
    }
}
