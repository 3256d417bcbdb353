package nnet.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import nnet.runtime.Network;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * A partition's rows made into a network's arrays once, kept in memory for the whole training:
 * rows {@code first} to {@code first + size - 1} of the data, in order, with each row's weight in the
 * loss ({@code weights} null: all 1). A step reads the part of it that falls in the step's batch.
 */
record Block(long first, float[][][] inputs, float[][] targets, float[] weights) implements Serializable {
    int size() {
        return inputs.length;
    }

    /** The rows of this block within rows {@code [from, to)} of the data, as {@code [start, end)} of this block (empty when none). */
    int[] within(long from, long to) {
        long start = Math.max(from, first), end = Math.min(to, first + size());
        return start >= end ? new int[] {0, 0} : new int[] {(int) (start - first), (int) (end - first)};
    }

    /** {@link Network#computeGradients} over rows {@code [from, to)} of this block; returns the sum of their losses. */
    double computeGradients(Network net, int from, int to) {
        return (double) net.computeGradients(Arrays.copyOfRange(inputs, from, to), Arrays.copyOfRange(targets, from, to), weights(from, to)) * (to - from);
    }

    /** {@link Network#trainStep} on rows {@code [from, to)} of this block; returns the sum of their losses. */
    double trainStep(Network net, int from, int to) {
        return (double) net.trainStep(Arrays.copyOfRange(inputs, from, to), Arrays.copyOfRange(targets, from, to), weights(from, to)) * (to - from);
    }

    private float[] weights(int from, int to) {
        return weights == null ? null : Arrays.copyOfRange(weights, from, to);
    }

    /**
     * Each partition's rows as a block: the columns named like the network's inputs, {@code targetColumn}
     * (as {@link TrainingCells} read them) and {@code weightColumn} (a number of at least 0 per row; null: none).
     */
    static JavaRDD<Block> blocks(SparkNetwork network, Dataset<Row> data, String targetColumn, String weightColumn, Network net) {
        int[] inputColumns = RowArrays.positions(data.schema(), network.inputs(), "the network's inputs");
        int targetCol = RowArrays.positions(data.schema(), List.of(targetColumn), "the target")[0];
        int weightCol = weightColumn == null ? -1 : RowArrays.positions(data.schema(), List.of(weightColumn), "the sample weights")[0];
        TrainingCells cells = TrainingCells.of(net);
        return data.javaRDD().zipWithIndex().mapPartitions(it -> of(it, network, inputColumns, targetCol, weightCol, cells));
    }

    /** A partition's rows with their global indices as a block. */
    private static Iterator<Block> of(Iterator<Tuple2<Row, Long>> rows, SparkNetwork network, int[] inputColumns, int targetColumn, int weightColumn, TrainingCells cells) {
        List<float[][]> x = new ArrayList<>();
        List<float[]> t = new ArrayList<>();
        List<Float> w = new ArrayList<>();
        long first = -1;
        while (rows.hasNext()) {
            Tuple2<Row, Long> r = rows.next();
            if (first < 0) first = r._2();
            String place = "row " + (r._2() + 1);
            x.add(network.inputsOf(r._1(), inputColumns, place));
            t.add(cells.target(RowArrays.values(r._1(), targetColumn, place + "'s target"), place));
            if (weightColumn >= 0) w.add(TrainingCells.sampleWeight(RowArrays.values(r._1(), weightColumn, 1, place + "'s sample weight")[0], place));
        }
        if (first < 0) return List.<Block>of().iterator();
        float[] weights = weightColumn < 0 ? null : new float[w.size()];
        for (int k = 0; weights != null && k < weights.length; k++) weights[k] = w.get(k);
        return List.of(new Block(first, x.toArray(float[][][]::new), t.toArray(float[][]::new), weights)).iterator();
    }
}
