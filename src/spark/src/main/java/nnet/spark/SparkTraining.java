package nnet.spark;

import java.util.Map;
import nnet.runtime.Network;

/** Training on Spark, either way: {@link SynchronousTraining} (one machine's result) or {@link LocalStepsTraining} (parameter averaging). */
public interface SparkTraining {
    /** The rows the data holds. */
    long rows();

    /** The optimizer, by {@link nnet.runtime.Optimizer#of}'s kind and arguments (else the source's {@code train { }} one). */
    SparkTraining optimizer(String kind, Map<String, Double> args);

    /** The weights to start from, as {@link Network#weightArray} (else the jar's packed ones). */
    SparkTraining startFrom(float[] weights);

    /** One pass over the rows in batches of {@code batch}; returns the mean loss of the steps taken. */
    double epoch(int batch);

    /** The driver's network, with the trained weights: to save them ({@code saveWeights}) or run it. */
    Network network();

    /** Frees the rows the executors keep in memory. */
    void close();
}
