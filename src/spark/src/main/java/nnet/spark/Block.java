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
 * rows {@code first} to {@code first + size - 1} of the data, in order. A step reads the part of
 * it that falls in the step's batch.
 */
record Block(long first, float[][][] inputs, float[][] targets) implements Serializable {
    int size() {
        return inputs.length;
    }

    /** The rows of this block within rows {@code [from, to)} of the data, as {@code [start, end)} of this block (empty when none). */
    int[] within(long from, long to) {
        long start = Math.max(from, first), end = Math.min(to, first + size());
        return start >= end ? new int[] {0, 0} : new int[] {(int) (start - first), (int) (end - first)};
    }

    /** Each partition's rows as a block: the columns named like the network's inputs, and {@code targetColumn}. */
    static JavaRDD<Block> blocks(SparkNetwork network, Dataset<Row> data, String targetColumn, Network net) {
        int[] inputColumns = RowArrays.positions(data.schema(), network.inputs(), "the network's inputs");
        int targetCol = RowArrays.positions(data.schema(), List.of(targetColumn), "the target")[0];
        int targetSize = Arrays.stream(net.targetShape()).reduce(1, (a, b) -> a * b);
        return data.javaRDD().zipWithIndex().mapPartitions(it -> of(it, network, inputColumns, targetCol, targetSize));
    }

    /** A partition's rows with their global indices as a block. */
    private static Iterator<Block> of(Iterator<Tuple2<Row, Long>> rows, SparkNetwork network, int[] inputColumns, int targetColumn, int targetSize) {
        List<float[][]> x = new ArrayList<>();
        List<float[]> t = new ArrayList<>();
        long first = -1;
        while (rows.hasNext()) {
            Tuple2<Row, Long> r = rows.next();
            if (first < 0) first = r._2();
            x.add(network.inputsOf(r._1(), inputColumns));
            t.add(RowArrays.values(r._1(), targetColumn, targetSize, "the target"));
        }
        if (first < 0) return List.<Block>of().iterator();
        return List.of(new Block(first, x.toArray(float[][][]::new), t.toArray(float[][]::new))).iterator();
    }
}
