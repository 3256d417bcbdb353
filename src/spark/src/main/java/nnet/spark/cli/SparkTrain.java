package nnet.spark.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import nnet.runtime.io.DataFiles;
import nnet.runtime.DataFormatException;
import nnet.runtime.Network;
import nnet.runtime.jar.PackedNetworks;
import nnet.runtime.io.Safetensors;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.TrainDefaults;
import nnet.runtime.UserError;
import nnet.runtime.io.WeightsFile;
import nnet.spark.LocalStepsTraining;
import nnet.spark.SparkNetwork;
import nnet.spark.SparkTraining;
import nnet.spark.SynchronousTraining;
import nnet.spark.TrainingCells;
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
    /** The columns made of files read on the driver, beside the inputs' (named so that no input's name is taken). */
    private static final String TARGET = "_target", SAMPLE_WEIGHT = "_sample_weight";

    @Mixin SparkSetup setup;
    @Option(names = "--target", description = "T.csv or T.npy: one target row per input row, as the loss's output holds it, or one class index per row under cross_entropy;"
            + " with a table, the name of its target column (an array or a number; default: target)") String target;
    @Option(names = "--sample-weights", paramLabel = "W.csv|COLUMN", description = "a weight per row, multiplying its loss (Keras' sample_weight): a file of one number per input row, or with a table its column") String sampleWeights;
    @Option(names = "--weights", description = "weights to start from (safetensors; default: initial weights)") Path weights;
    @Option(names = "--epochs", description = "passes over the rows (default: the network's train block)") Integer epochs;
    @Option(names = "--batch", description = "rows per step, over all partitions (default: the network's train block)") Integer batch;
    @Option(names = "--optimizer", description = "sgd, adam or adamw (default: the network's train block)") String optimizer;
    @Option(names = "--lr", description = "the learning rate (default: the optimizer's)") Double lr;
    @Option(names = "--local-steps", paramLabel = "K", description = "train by parameter averaging: each partition takes K steps of its own rows between two averages"
            + " (a Spark round per K steps; not one machine's result); without it, synchronous steps") Integer localSteps;
    @Option(names = "-o", required = true, description = "where to write the trained weights (safetensors, atomically, after every epoch)") Path output;

    @Override
    public Integer call() throws Exception {
        byte[] jar = setup.jar(false);
        SparkSession spark = setup.session("nnetc spark train");
        try {
            SparkNetwork network = SparkNetwork.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), jar, setup.name);
            Network driver = PackedNetworks.fromJar(jar, setup.name);
            Dataset<Row> data = data(spark, driver);
            String targetColumn = setup.inputIsTable() ? targetColumn() : TARGET;
            String weightColumn = sampleWeights == null ? null : setup.inputIsTable() ? sampleWeights : SAMPLE_WEIGHT;
            SparkTraining training = localSteps == null ? new SynchronousTraining(network, data, targetColumn, weightColumn)
                    : new LocalStepsTraining(network, data, targetColumn, weightColumn, localSteps);
            if (weights != null) {
                WeightsFile.load(driver, weights, System.err, false);
                training.startFrom(driver.weightArray());
            }
            TrainDefaults d = training.network().trainDefaults();
            Map<String, Double> args = new LinkedHashMap<>(optimizer == null ? d.optimizerArgs() : Map.of());
            if (lr != null) args.put("lr", lr);
            training.optimizer(optimizer == null ? d.optimizer() : optimizer, args);
            int e = epochs != null ? epochs : d.epochs(), b = batch != null ? batch : d.batch();
            System.err.printf(Locale.ROOT, "training %s on %d rows in %d partitions (%s), batch %d%n", training.network().name(), training.rows(),
                    data.javaRDD().getNumPartitions(), spark.sparkContext().master(), b);
            for (int epoch = 1; epoch <= e; epoch++) {
                long start = System.nanoTime();
                double loss = training.epoch(b);
                double seconds = (System.nanoTime() - start) / 1e9;
                Safetensors.write(output, training.network().saveWeights(SparseWeights.AUTO));
                System.err.printf(Locale.ROOT, "epoch %d/%d: loss %.6g (%.2f s, %,.0f rows/s)%n", epoch, e, loss, seconds, training.rows() / seconds);
            }
            training.close();
            System.err.println("wrote " + output + ": the trained weights");
            return 0;
        } finally {
            spark.stop();
        }
    }

    /** A table's target column: {@code --target}'s, else {@code target}. */
    private String targetColumn() {
        return target == null ? "target" : target;
    }

    /** The rows: a table as it is, or the input files with the target's (and the sample weights') beside them. */
    private Dataset<Row> data(SparkSession spark, Network net) {
        if (setup.inputIsTable()) {
            for (String given : new String[] {target, sampleWeights})
                if (given != null && SparkData.isLocalFile(given))
                    throw new UserError("a table's targets and sample weights are its columns: --target COLUMN, --sample-weights COLUMN, not " + given);
            return setup.rows(spark, net, sampleWeights == null ? Set.of(targetColumn()) : Set.of(targetColumn(), sampleWeights));
        }
        if (target == null || !SparkData.isLocalFile(target)) throw new UserError("--target T.csv (or T.npy) gives the targets of rows read from files");
        List<SparkData.FileColumn> extra = new ArrayList<>(List.of(new SparkData.FileColumn(TARGET, target, targets(net))));
        if (sampleWeights != null) extra.add(new SparkData.FileColumn(SAMPLE_WEIGHT, sampleWeights, sampleWeights()));
        return SparkData.fromFiles(spark, net, setup.inputs, extra, setup.partitions(spark));
    }

    /** The target file's rows, class indices made one-hot, each checked at its place. */
    private float[][] targets(Network net) {
        TrainingCells cells = TrainingCells.of(net);
        DataFiles.Table t = SparkData.read(target, "target", "the target");
        float[][] rows = new float[t.rows().length][];
        for (int r = 0; r < rows.length; r++) rows[r] = cells.target(t.rows()[r], t.place(r));
        return rows;
    }

    /** The sample weights' file: one number of at least 0 per row. */
    private float[][] sampleWeights() {
        DataFiles.Table t = SparkData.read(sampleWeights, "sample_weights", "the sample weights");
        if (t.width() != 1) throw new DataFormatException(t.place(0) + ": row has " + t.width() + " columns, but sample weights are one number per row");
        float[][] rows = t.rows();
        for (int r = 0; r < rows.length; r++) TrainingCells.sampleWeight(rows[r][0], t.place(r, 0));
        return rows;
    }
}
