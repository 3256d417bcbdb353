package nnet.spark.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import nnet.runtime.Network;
import nnet.runtime.jar.PackedNetworks;
import nnet.runtime.io.WeightsFile;
import nnet.spark.SparkNetwork;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Runs the network on every row on Spark, one network per partition: the raw values of its outputs (or of --probe nodes), as nnetc predict --output raw gives them.")
final class SparkPredict implements Callable<Integer> {
    @Mixin SparkSetup setup;
    @Option(names = "--weights", description = "the weights (safetensors; default: the jar's packed ones)") Path weights;
    @Option(names = "--probe", description = "a node to output instead of the outputs (repeatable)") List<String> probes = new ArrayList<>();
    @Option(names = "-o", required = true, description = "out.csv, out.npy or out.npz (collected on the driver), or a table Spark writes (out.parquet, .orc, .json): the input columns and one per shown node") Path output;

    @Override
    public Integer call() throws Exception {
        byte[] jar = setup.jar(false);
        Network driver = PackedNetworks.fromJar(jar, setup.name);
        if (weights != null) WeightsFile.load(driver, weights, System.err, false);
        List<String> shown = probes.isEmpty() ? driver.outputNames() : probes;
        SparkSession spark = setup.session("nnetc spark predict");
        try {
            SparkNetwork network = SparkNetwork.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), jar, setup.name);
            SparkData.write(network.predict(setup.rows(spark, driver, Set.of()), shown, driver.weightArray()), shown, output, shown.stream().map(driver::shape).toList(), SparkData.header(driver, shown));
            System.err.println("wrote " + output + ": " + String.join(", ", shown) + " of each row");
            return 0;
        } finally {
            spark.stop();
        }
    }
}
