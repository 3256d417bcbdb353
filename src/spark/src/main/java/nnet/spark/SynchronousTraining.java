package nnet.spark;

import java.util.Arrays;
import java.util.Map;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.UserError;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Training that gives what one machine gives: the rows in their order, in batches; at each step
 * every partition computes the gradient sums of its rows of the batch with the generated backward
 * pass, {@code treeAggregate} adds them (one array per partition: the trainable entries that exist,
 * with the loss at its end), and the driver's network takes the optimizer step and broadcasts its
 * weights. The result equals {@code nnetc train --no-shuffle} on the same rows to float rounding
 * (the sums are added in another order). The weight penalties' derivative is in each partition's
 * sums, in proportion to its rows of the batch, so the driver's step does not add it again.
 */
public final class SynchronousTraining extends BlockTraining {
    /** @param targetColumn an array (or number) column holding each row's target, as {@code --target} holds it ({@link TrainingCells}) */
    public SynchronousTraining(SparkNetwork network, Dataset<Row> data, String targetColumn) {
        this(network, data, targetColumn, null);
    }

    /** @param weightColumn a number column of each row's weight in the loss ({@code --sample-weights}), or null: all 1 */
    public SynchronousTraining(SparkNetwork network, Dataset<Row> data, String targetColumn, String weightColumn) {
        super(network, stepsBySums(network.onDriver()), data, targetColumn, weightColumn);
    }

    /** The driver's network, which must train as it predicts: a step of it is then the sum of the partitions' shares. */
    private static Network stepsBySums(Network driver) {
        if (driver.trainsDifferently())
            throw new UserError(driver.name() + " has dropout or batchnorm, whose train step depends on the whole batch and the step's number:"
                    + " train it with local steps (LocalStepsTraining, nnetc spark train --local-steps K), or on one machine");
        return driver;
    }

    @Override
    public SynchronousTraining optimizer(String kind, Map<String, Double> args) {
        driver.setOptimizer(Optimizer.of(kind, args));
        return this;
    }

    /** One pass over the rows in batches of {@code batch} (the last one shorter), one synchronous step each. Returns the mean loss over the rows. */
    @Override
    public double epoch(int batch) {
        if (batch < 1) throw new IllegalArgumentException("a batch of " + batch + " rows");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(blocks.context());
        double lossSum = 0;
        for (long from = 0; from < rows(); from += batch) {
            long to = Math.min(rows(), from + batch);
            Broadcast<float[]> weights = sc.broadcast(driver.weightArray());
            SparkNetwork n = network;
            long f = from;
            float[] sums = blocks.map(b -> gradientSums(n, b, weights, f, to))
                    .treeAggregate(new float[0], SynchronousTraining::add, SynchronousTraining::add);
            weights.destroy();
            lossSum += sums[sums.length - 1];
            driver.applyGradients(Arrays.copyOf(sums, sums.length - 1), (int) (to - from));
        }
        return lossSum / rows();
    }

    /** A block's share of a batch: its gradient sums and, last, its summed loss; empty when none of its rows are in the batch. */
    private static float[] gradientSums(SparkNetwork network, Block b, Broadcast<float[]> weights, long from, long to) {
        int[] range = b.within(from, to);
        if (range[0] == range[1]) return new float[0];
        return Replicas.with(network, net -> {
            net.loadWeightArray(weights.value());
            double loss = b.computeGradients(net, range[0], range[1]);
            float[] g = net.gradientSums();
            float[] out = Arrays.copyOf(g, g.length + 1);
            out[g.length] = (float) loss;
            return out;
        });
    }

    /** Elementwise sum; an empty array is zero. Adds into {@code a} (Spark hands the accumulator back). */
    static float[] add(float[] a, float[] b) {
        if (a.length == 0) return b;
        if (b.length == 0) return a;
        for (int k = 0; k < a.length; k++) a[k] += b[k];
        return a;
    }
}
