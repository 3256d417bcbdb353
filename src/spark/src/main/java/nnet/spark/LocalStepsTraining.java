package nnet.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import nnet.runtime.Network;
import nnet.runtime.Optimizer;
import nnet.runtime.Tensor;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Parameter averaging (DL4J's): in each round every partition starts from the driver's weights and
 * optimizer state, takes {@code localSteps} steps of its own on its next rows, in order, and the
 * driver averages the weights' changes and the optimizer state of the partitions that trained (an
 * entry no partition moved, a frozen one, stays exactly as it was). A Spark round
 * per {@code localSteps} steps instead of per step: for networks whose step costs less than a round.
 * Not the same as one machine's training (each partition's steps see only its rows), except with
 * one partition.
 */
public final class LocalStepsTraining extends BlockTraining {
    private final int largestBlock;
    private final int localSteps;
    private String optimizer;
    private Map<String, Double> optimizerArgs;
    private Optimizer driverOptimizer;

    /** @param localSteps the steps each partition takes between two averages */
    public LocalStepsTraining(SparkNetwork network, Dataset<Row> data, String targetColumn, int localSteps) {
        this(network, data, targetColumn, null, localSteps);
    }

    /** @param weightColumn a number column of each row's weight in the loss ({@code --sample-weights}), or null: all 1 */
    public LocalStepsTraining(SparkNetwork network, Dataset<Row> data, String targetColumn, String weightColumn, int localSteps) {
        super(network, network.onDriver(), data, targetColumn, weightColumn);
        if (localSteps < 1) throw new IllegalArgumentException("local steps " + localSteps);
        this.localSteps = localSteps;
        this.largestBlock = blocks.map(Block::size).fold(0, Math::max);
        optimizer(driver.trainDefaults().optimizer(), driver.trainDefaults().optimizerArgs());
    }

    @Override
    public LocalStepsTraining optimizer(String kind, Map<String, Double> args) {
        this.optimizer = kind;
        this.optimizerArgs = Map.copyOf(args);
        this.driverOptimizer = Optimizer.of(kind, args);
        driver.setOptimizer(driverOptimizer);
        return this;
    }

    /** A network's optimizer state ({@link Network#optimizerState}) as plain arrays, to send. */
    record State(Map<String, float[]> values, Map<String, int[]> shapes) implements Serializable {
        static final State NONE = new State(Map.of(), Map.of());

        static State of(Network net) {
            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, int[]> shapes = new LinkedHashMap<>();
            net.optimizerState().forEach((name, t) -> {
                values.put(name, t.data());
                shapes.put(name, t.shape());
            });
            return new State(values, shapes);
        }

        /** Adds {@code other}'s values into this state's. */
        State add(State other) {
            values.forEach((name, v) -> SynchronousTraining.add(v, other.values.get(name)));
            return this;
        }

        /** The state's tensors, each value times {@code scale} (new arrays: a broadcast's are shared by the tasks of an executor). */
        Map<String, Tensor> tensors(float scale) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            values.forEach((name, v) -> {
                float[] scaled = new float[v.length];
                for (int k = 0; k < v.length; k++) scaled[k] = v[k] * scale;
                out.put(name, new Tensor(shapes.get(name), scaled));
            });
            return out;
        }
    }

    /** What a round starts from, sent to every partition. */
    record Start(float[] weights, State state, long steps) implements Serializable {}

    /** The partitions' sums: changes of the weights, optimizer state, how many trained, their loss sums and rows, the most steps taken. */
    record Sum(float[] changes, State state, int replicas, double loss, long rows, long steps) implements Serializable {
        static final Sum NONE = new Sum(new float[0], State.NONE, 0, 0, 0, 0);

        static Sum add(Sum a, Sum b) {
            if (a.replicas == 0) return b;
            if (b.replicas == 0) return a;
            SynchronousTraining.add(a.changes, b.changes);
            return new Sum(a.changes, a.state.add(b.state), a.replicas + b.replicas, a.loss + b.loss, a.rows + b.rows, Math.max(a.steps, b.steps));
        }
    }

    /**
     * One pass over every partition's rows: rounds of the local steps of {@code batch} rows per
     * partition, each round averaged on the driver. Returns the mean loss of the steps taken.
     */
    @Override
    public double epoch(int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch " + batch);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(blocks.context());
        int perRound = batch * localSteps;
        double loss = 0;
        long seen = 0;
        for (int round = 0; (long) round * perRound < largestBlock; round++) {
            Broadcast<Start> start = sc.broadcast(start());
            SparkNetwork n = network;
            String kind = optimizer;
            Map<String, Double> args = optimizerArgs;
            int first = round * perRound, k = localSteps; // locals: the task must not take this object along
            Sum sum = blocks.map(b -> localSteps(n, b, start, kind, args, first, batch, k)).treeAggregate(Sum.NONE, Sum::add, Sum::add);
            start.destroy();
            average(sum);
            loss += sum.loss;
            seen += sum.rows;
        }
        return loss / seen;
    }

    private Start start() {
        return new Start(driver.weightArray(), State.of(driver), driverOptimizer.steps());
    }

    private void average(Sum sum) {
        if (sum.replicas == 0) return;
        float scale = 1f / sum.replicas;
        float[] w = driver.weightArray();
        for (int k = 0; k < w.length; k++) w[k] += sum.changes[k] * scale;
        driver.loadWeightArray(w);
        driver.loadOptimizerState(sum.state.tensors(scale), sum.steps);
    }

    /** A partition's round: its rows {@code [first, first + localSteps * batch)}, in steps; nothing when it has none left. */
    private static Sum localSteps(SparkNetwork network, Block b, Broadcast<Start> start, String kind, Map<String, Double> args, int first, int batch, int localSteps) {
        if (first >= b.size()) return Sum.NONE;
        return Replicas.with(network, net -> {
            Start s = start.value();
            net.loadWeightArray(s.weights());
            Optimizer opt = Optimizer.of(kind, args);
            net.setOptimizer(opt);
            net.loadOptimizerState(s.state().tensors(1), s.steps());
            double loss = 0;
            int end = Math.min(b.size(), first + localSteps * batch);
            for (int from = first; from < end; from += batch) loss += b.trainStep(net, from, Math.min(end, from + batch));
            float[] changes = net.weightArray();
            for (int k = 0; k < changes.length; k++) changes[k] -= s.weights()[k];
            return new Sum(changes, State.of(net), 1, loss, end - first, opt.steps());
        });
    }
}
