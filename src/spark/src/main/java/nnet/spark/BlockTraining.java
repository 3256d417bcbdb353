package nnet.spark;

import nnet.runtime.Network;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * What both ways of training share: each partition's rows made into a {@link Block} once and kept in
 * the executors' memory, and the driver's network, which holds the weights between steps.
 */
abstract class BlockTraining implements SparkTraining {
    final SparkNetwork network;
    final Network driver;
    final JavaRDD<Block> blocks;
    private final long rows;

    /** @param weightColumn a number column of each row's weight in the loss ({@code --sample-weights}), or null: all 1 */
    BlockTraining(SparkNetwork network, Network driver, Dataset<Row> data, String targetColumn, String weightColumn) {
        this.network = network;
        this.driver = driver;
        // kept, and cut from the rows they were made of: a task carries its partition, and a partition of rows the
        // driver spread (parallelize, CSV or NumPy files) holds those rows, which every step would send again
        this.blocks = Block.blocks(network, data, targetColumn, weightColumn, driver).persist(StorageLevel.MEMORY_AND_DISK());
        blocks.rdd().localCheckpoint();
        this.rows = blocks.map(Block::size).fold(0, Integer::sum);
    }

    @Override
    public SparkTraining startFrom(float[] weights) {
        driver.loadWeightArray(weights);
        return this;
    }

    @Override
    public long rows() {
        return rows;
    }

    /** The trained weights, as {@link Network#weightArray}. */
    public float[] weights() {
        return driver.weightArray();
    }

    @Override
    public Network network() {
        return driver;
    }

    @Override
    public void close() {
        blocks.unpersist(false);
    }
}
