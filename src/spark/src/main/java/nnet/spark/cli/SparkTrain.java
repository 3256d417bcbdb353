package nnet.spark.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import nnet.runtime.Network;
import nnet.runtime.Safetensors;
import nnet.runtime.SparseWeights;
import nnet.runtime.TrainDefaults;
import nnet.runtime.WeightsFile;
import nnet.spark.SparkNetwork;
import nnet.spark.LocalStepsTraining;
import nnet.spark.SparkTraining;
import nnet.spark.SynchronousTraining;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains synchronously on Spark: each step every partition's gradient of its rows of the batch, summed, one optimizer step; the result is nnetc train --no-shuffle's on the same rows.")
final class SparkTrain implements Callable<Integer> {
    @Mixin SparkSetup setup;

    @Option(names = "--input", required = true, description = "X.csv or X.npy (the network's one input), name=X.csv per input, or a table Spark reads (data.parquet, .orc, .json) with a column per input named like it")
    List<String> inputs;

    @Option(names = "--target", description = "T.csv or T.npy: one target row per input row, as the loss's output holds it (one-hot rows under cross_entropy); or, with a table, the name of its target column (default: target)")
    String target;

    @Option(names = "--weights", description = "weights to start from (safetensors; default: initial weights)")
    Path weights;

    @Option(names = "--epochs", description = "passes over the rows (default: the network's train block)")
    Integer epochs;

    @Option(names = "--batch", description = "rows per step, over all partitions (default: the network's train block)")
    Integer batch;

    @Option(names = "--optimizer", description = "sgd, adam or adamw (default: the network's train block)")
    String optimizer;

    @Option(names = "--lr", description = "the learning rate (default: the optimizer's)")
    Double lr;

    @Option(names = "--local-steps", paramLabel = "K", description = "train by parameter averaging: each partition takes K steps of its own rows between two averages"
            + " (a Spark round per K steps; not one machine's result); without it, synchronous steps")
    Integer localSteps;

    @Option(names = "-o", required = true, description = "where to write the trained weights (safetensors, atomically, after every epoch)")
    Path output;

    @Override
    public Integer call() throws Exception {
        byte[] jar = setup.jar();
        SparkSession spark = setup.session("nnetc spark train");
        try {
            SparkNetwork network = SparkNetwork.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), jar, setup.name);
            Network driver = nnet.runtime.PackedNetworks.fromJar(jar, setup.name);
            Dataset<Row> data = data(spark, driver);
            SparkTraining training = localSteps == null ? new SynchronousTraining(network, data, targetColumn())
                    : new LocalStepsTraining(network, data, targetColumn(), localSteps);
            if (weights != null) {
                WeightsFile.load(driver, weights, System.err, false);
                training.startFrom(driver.weightArray());
            }
            TrainDefaults d = training.network().trainDefaults();
            var args = new java.util.LinkedHashMap<>(optimizer == null ? d.optimizerArgs() : java.util.Map.<String, Double>of());
            if (lr != null) args.put("lr", lr);
            training.optimizer(optimizer == null ? d.optimizer() : optimizer, args);
            int e = epochs != null ? epochs : d.epochs(), b = batch != null ? batch : d.batch();
            System.err.printf(Locale.ROOT, "training %s on %d rows in %d partitions (%s), batch %d%n", training.network().name(), training.rows(),
                    data.javaRDD().getNumPartitions(), spark.sparkContext().master(), b);
            for (int epoch = 1; epoch <= e; epoch++) {
                long start = System.nanoTime();
                double loss = training.epoch(b);
                Safetensors.write(output, training.network().saveWeights(SparseWeights.AUTO));
                System.err.printf(Locale.ROOT, "epoch %d/%d: loss %.6g (%.1f s)%n", epoch, e, loss, (System.nanoTime() - start) / 1e9);
            }
            training.close();
            System.err.println("wrote " + output + ": the trained weights");
            return 0;
        } finally {
            spark.stop();
        }
    }

    private String targetColumn() {
        return target == null || SparkData.isLocalFile(target) ? "target" : target;
    }

    /** The inputs and the target as columns named like the network's inputs, and "target". */
    private Dataset<Row> data(SparkSession spark, Network net) {
        if (inputs.size() == 1 && !SparkData.isLocalFile(inputs.get(0))) {
            if (target != null && SparkData.isLocalFile(target))
                throw new nnet.runtime.UserError("a table's targets are one of its columns: --target COLUMN, not a file");
            return SparkData.table(spark, inputs.get(0));
        }
        if (target == null || !SparkData.isLocalFile(target)) throw new nnet.runtime.UserError("--target T.csv (or T.npy) gives the targets of rows read from files");
        List<String> columns = new ArrayList<>();
        List<float[][]> values = new ArrayList<>();
        for (String spec : inputs) {
            int eq = spec.indexOf('=');
            String name = eq > 0 ? spec.substring(0, eq) : net.inputNames().size() == 1 ? net.inputNames().get(0) : null;
            if (name == null) throw new nnet.runtime.UserError(net.name() + " has inputs " + String.join(", ", net.inputNames()) + ": give each as name=FILE");
            if (!net.inputNames().contains(name)) throw new nnet.runtime.UserError(net.name() + " has no input '" + name + "' (its inputs: " + String.join(", ", net.inputNames()) + ")");
            columns.add(name);
            values.add(SparkData.read(spec.substring(eq + 1), "input " + name, size(net.shape(name))));
        }
        columns.add("target");
        values.add(SparkData.read(target, "the target", size(net.targetShape())));
        return SparkData.fromFiles(spark, columns, values, setup.partitions(spark));
    }

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}
