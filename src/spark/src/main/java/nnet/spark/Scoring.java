package nnet.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import nnet.runtime.DataFormatException;
import nnet.runtime.Network;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Columns computed by a network, added to every row of a table: each partition runs its rows through
 * an instance of the network ({@link Replicas}) a chunk at a time, lazily (a partition's memory is a
 * chunk's, whatever its rows), with the weights broadcast once.
 */
final class Scoring {
    /** Rows a partition runs through the network at a time (its tiles and cores work on a chunk). */
    static final int CHUNK = 256;

    private Scoring() {}

    /** What a chunk of rows gets: per row, the cells added, from the network (its weights loaded) and the rows' inputs. */
    interface Cells extends Serializable {
        List<Object[]> of(Network net, float[][][] inputs);
    }

    /**
     * {@code data} with the {@code added} columns, which {@code cells} computes. {@code weights} is a {@link
     * Network#weightArray} (null: the jar's packed weights): instances on executors keep whatever
     * weights they last ran with, so every use loads its own.
     */
    static Dataset<Row> withColumns(SparkNetwork network, Dataset<Row> data, float[] weights, List<StructField> added, Cells cells) {
        List<String> names = List.of(data.schema().fieldNames());
        for (StructField f : added)
            if (names.contains(f.name()))
                throw new DataFormatException("the data has a column '" + f.name() + "' already, where the network's values would go (its columns: " + String.join(", ", names) + ")");
        int[] columns = RowArrays.positions(data.schema(), network.inputs(), "the network's inputs");
        Broadcast<float[]> w = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext()).broadcast(weights != null ? weights : network.onDriver().weightArray());
        JavaRDD<Row> out = data.javaRDD().mapPartitions(rows -> new Chunks(rows, network, columns, w, cells));
        List<StructField> fields = new ArrayList<>(List.of(data.schema().fields()));
        fields.addAll(added);
        return data.sparkSession().createDataFrame(out, new StructType(fields.toArray(StructField[]::new)));
    }

    /** A partition's rows with their cells added, computed a chunk at a time as they are asked for. */
    private static final class Chunks implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final SparkNetwork network;
        private final int[] columns;
        private final Broadcast<float[]> weights;
        private final Cells cells;
        private Iterator<Row> done = List.<Row>of().iterator();

        Chunks(Iterator<Row> rows, SparkNetwork network, int[] columns, Broadcast<float[]> weights, Cells cells) {
            this.rows = rows;
            this.network = network;
            this.columns = columns;
            this.weights = weights;
            this.cells = cells;
        }

        @Override
        public boolean hasNext() {
            if (!done.hasNext() && rows.hasNext()) done = next(CHUNK).iterator();
            return done.hasNext();
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            return done.next();
        }

        private List<Row> next(int chunk) {
            List<Row> in = new ArrayList<>(chunk);
            while (in.size() < chunk && rows.hasNext()) in.add(rows.next());
            float[][][] batch = new float[in.size()][][];
            for (int s = 0; s < batch.length; s++) batch[s] = network.inputsOf(in.get(s), columns, "a row");
            List<Object[]> added = Replicas.with(network, net -> {
                net.loadWeightArray(weights.value());
                return cells.of(net, batch);
            });
            List<Row> out = new ArrayList<>(in.size());
            for (int s = 0; s < batch.length; s++) out.add(withCells(in.get(s), added.get(s)));
            return out;
        }
    }

    private static Row withCells(Row row, Object[] added) {
        Object[] cells = new Object[row.length() + added.length];
        for (int i = 0; i < row.length(); i++) cells[i] = row.get(i);
        System.arraycopy(added, 0, cells, row.length(), added.length);
        return RowFactory.create(cells);
    }

    static Float[] boxed(float[] values) {
        Float[] out = new Float[values.length];
        for (int i = 0; i < out.length; i++) out[i] = values[i];
        return out;
    }
}
