package nnet.runtime;

import nnet.runtime.io.SparseWeights;
import nnet.runtime.math.Penalty;
import nnet.runtime.math.SparseIndex;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every generated network class extends. The generated constructor allocates its buffers
 * and weights and registers them here by name; the generated {@link #run()} is the forward pass.
 * This class only does the bookkeeping around them: input checks, weights I/O by name, lookup
 * of activations. Nothing here runs per element.
 */
public abstract class CompiledNetwork extends NetworkTraining {
    private final String name;
    private final NetworkNodes nodes;
    private final Training training = new Training(this);
    /** Set while a replica is constructed: the network whose weight arrays it shares. */
    private static final ThreadLocal<CompiledNetwork> SHARE_WEIGHTS_OF = new ThreadLocal<>();
    /** The weights, by name: a training replica's share the arrays of the network it was made from. */
    private final NetworkParams params;

    protected CompiledNetwork(String name) {
        this.name = name;
        this.nodes = new NetworkNodes(name);
        CompiledNetwork weightsOf = SHARE_WEIGHTS_OF.get();
        this.params = new NetworkParams(getClass(), weightsOf == null ? null : weightsOf.params);
    }

    /** The generated forward pass: reads the input buffers, writes every node buffer. */
    protected abstract void run();

    /** The generated backward pass of one sample: the loss, and every weight gradient added into the gradient storage. */
    protected void backward() {
        throw new UnsupportedOperationException(training.noLoss());
    }

    /** The generated rest of the backward pass that only the inputs' gradients need; runs after {@link #backward()}. */
    protected void inputBackward() {
        throw new UnsupportedOperationException(training.noLoss());
    }

    /**
     * The generated train step over a tile: forward and backward for every lane of the tile rows
     * (inputs and target loaded by {@link Tiles#load}), the weight gradients of lanes
     * {@code [0, count)} added into the gradient storage, each lane's loss in the loss buffer's row.
     */
    protected void trainTile(int count) {
        throw new UnsupportedOperationException(name + " has no tiled train step");
    }

    /** The generated forward pass over the tile rows. */
    protected void forwardTile(int count) {
        throw new UnsupportedOperationException(name + " has no tiled forward pass");
    }

    /**
     * The forward pass of a train step on one sample: {@link #run()} but for the ops that train
     * differently (dropout, batchnorm), whose networks generate it.
     */
    protected void trainForward() {
        run();
    }

    /** The losses of one sample after {@link #run()}, as predicting computes them (generated for networks with dropout or batchnorm). */
    protected void predictLoss() {
        throw new UnsupportedOperationException(name + " computes its loss in its backward pass");
    }

    /** Stage {@code stage} of a staged train step on one sample ({@link StagedTraining}): generated for networks with batchnorm. */
    protected void trainStage(int stage) {
        throw new UnsupportedOperationException(name + " has no staged train step");
    }

    /** Stage {@code stage} of a staged train step over the tile rows, lanes {@code [0, count)} real. */
    protected void trainTileStage(int stage, int count) {
        throw new UnsupportedOperationException(name + " has no staged train step");
    }

    /** The key of the current train step's dropout masks ({@link Dropout#key}); generated dropout kernels read it. */
    protected long dropoutKey;
    /** The index in the batch of the sample in the per-sample buffers, or of a tile's lane 0. */
    protected int firstSample;
    /**
     * Whether the tile running is the first of a batch's (or replica's) part: the gradient kernels of params
     * {@link ParamStorage#setByTiles} then set their gradient (a pass of zeroing and of reading fewer per step).
     */
    protected boolean setsGradients;

    /** The tile rows of the buffers, when the network runs batches in tiles; else null. */
    private Tiles tiles;

    // ---- registration, called by the generated constructor

    /** A named node: its buffer and shape. */
    protected final void node(String nodeName, float[] buffer, int[] shape) {
        nodes.node(nodeName, buffer, shape);
    }

    protected final void input(String nodeName) {
        nodes.input(nodeName);
    }

    /** An integer input that an embedding of {@code vocabulary} rows reads: its values are checked to be token ids. */
    protected final void tokens(String inputName, int vocabulary) {
        nodes.tokens(inputName, vocabulary);
    }

    protected final void output(String nodeName) {
        nodes.output(nodeName);
    }

    /** Rows of dense kernels are this many floats long or a multiple: whole vectors of any width, so tile kernels need no tail. */
    public static final int ROW_ALIGN = 16;

    /**
     * A fully connected kernel {@code [n, m]} kept as rows, so loops over units run over one array;
     * each row padded with zeros to a multiple of {@link #ROW_ALIGN}. {@code frozenName} names the
     * structure tensor of its frozen entries, or is null.
     */
    protected final float[][] denseParam(String paramName, int n, int m, String frozenName) {
        return params.dense(paramName, n, m, frozenName);
    }

    public static int paddedRow(int m) {
        return (m + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN;
    }

    /** A kernel with absent connections: only present values are stored, unit by unit ({@link NetworkParams#sparse}). */
    protected final SparseParam sparseParam(String paramName, String maskName, String frozenName, int columns) {
        return params.sparse(paramName, maskName, frozenName, columns);
    }

    /** Fixed values of a kernel with absent connections, stored unit by unit like {@link #sparseParam}'s; not a weight. */
    protected final SparseParam fixedSparse(String valuesName, String maskName) {
        return params.fixedSparse(valuesName, maskName);
    }

    /** A weight tensor kept flat, row-major (biases); with {@code maskName}, entries the mask marks absent are held at 0 and never train. */
    protected final float[] flatParam(String paramName, int[] shape, String maskName) {
        return params.flat(paramName, shape, maskName);
    }

    /** A conv2d kernel {@code [filters, C, kh, kw]}, flat, with its channel table and its frozen pairs' table, or nulls. */
    protected final float[] convParam(String paramName, int[] shape, String tableName, String frozenName) {
        return params.conv(paramName, shape, tableName, frozenName);
    }

    /** The present (input channel, filter) pairs of a conv2d, as {@code [i0, o0, i1, o1, ...]}: its loops visit these only. */
    protected final int[] channelPairs(String tableName, int channels, int filters) {
        return params.channelPairs(tableName, channels, filters);
    }

    /** Called by the generated constructor: a buffer's tile rows, {@code [buffer.length][lanes]}. */
    protected final float[][] tileRows(float[] buffer, int lanes) {
        if (tiles == null) tiles = new Tiles(lanes);
        return tiles.register(buffer);
    }

    /** Samples per tile, or 0 when the network runs sample by sample only. */
    final int tileSize() {
        return tiles == null ? 0 : tiles.lanes;
    }

    /** The tile rows of a buffer of this network. */
    final float[][] tile(float[] buffer) {
        return tiles.rows(buffer);
    }

    final void runTrainTile(int count) {
        trainTile(count);
    }

    /** Checks samples [first, first + count) of a batch and loads them into the input buffers' tile rows. */
    final void loadTile(float[][][] batch, int first, int count) {
        for (int s = 0; s < count; s++) checkInputs(batch[first + s], first + s);
        for (int k = 0; k < nodes.inputBuffers.length; k++) Tiles.load(batch, k, first, count, tiles.rows(nodes.inputBuffers[k]));
    }

    // ---- registration of the backward pass

    /**
     * Gradient storage for a param kept as rows; {@code setByTiles}: its one gradient kernel, in a tile, sets
     * the gradient rather than adds to it when {@link #setsGradients} says so, and the storage is not zeroed first.
     */
    protected final float[][] rowsGradient(String paramName, boolean setByTiles) {
        ParamStorage p = params.get(paramName);
        p.setByTiles = setByTiles;
        return training.gradientOf(p);
    }

    /** An embedding's flags of the gradient rows a batch touched: its gradient and optimizer step visit those rows only. */
    protected final boolean[] touchedRows(String paramName) {
        return params.get(paramName).touchedRows();
    }

    /** Gradient storage for a param kept in one array (sparse values, flat). */
    protected final float[] flatGradient(String paramName) {
        return training.gradientOf(params.get(paramName))[0];
    }

    /**
     * A {@code loss} statement, in the source's order: its kind, the output it is on, its weight, its
     * class weights ({@code "1,3"}, or empty), and its buffers: the target, the sample's weight in it, its value.
     */
    protected final void loss(String kind, String output, float weight, String classWeights, float[] target, float[] sampleWeight, float[] value) {
        training.loss(kind, output, weight, classWeights, target, sampleWeight, value);
    }

    /** A weight penalty ({@code regularize:}) on a param. */
    protected final void penalty(String paramName, float l1, float l2) {
        training.penalty(params.get(paramName), new Penalty(l1, l2));
    }

    /** The one-value buffers of a sample's activity penalties ({@code activity:}) and of what they are multiplied by (1 for a sample). */
    protected final void activityPenalty(float[] value, float[] weight) {
        training.activityPenalty(value, weight);
    }

    /** The one-value buffer of the loss trained (the losses' weighted sum). */
    protected final void totalLoss(float[] lossValue) {
        training.totalLoss(lossValue);
    }

    /** Weight-visits per sample beyond one per weight (a conv's at every position, a loop's at every step): a batch is shared among the cores by work. */
    protected final void repeatedVisits(long visits) {
        training.repeatedVisits(visits);
    }

    /**
     * Registers the partial sums a stage of the train step ends with ({@link StagedTraining}), in stage
     * order: {@code sums} written by the stage, {@code result} where the batch's statistics go; for a
     * batchnorm's moments the names of its moving statistics and its momentum, for its gradient's sums null.
     */
    protected final void batchStatistics(float[] sums, float[] result, int positions, float epsilon, String movingMean, String movingVariance, float momentum) {
        training.batchStatistics(new StagedTraining.Sums(sums, result, positions, epsilon, movingMean, movingVariance, momentum));
    }

    /** Whether the generated code computes differently while training (dropout, batchnorm): its predicting loss is then {@link #predictLoss()}. */
    @Override
    public boolean trainsDifferently() {
        return false;
    }

    /** The values of a weight (a flat one: a batchnorm's moving statistics). */
    final float[] flatValues(String paramName) {
        return params.get(paramName).values[0];
    }

    /** The buffer that holds the loss gradient of an input after {@link #inputBackward()}. */
    protected final void inputGradient(String inputName, float[] buffer) {
        training.inputGradient(inputName, buffer);
    }

    /** The {@code train { }} block's settings; {@code optimizerArgs} as {@code lr=0.01,momentum=0.9}. */
    protected final void trainDefaults(String optimizer, String optimizerArgs, int batch, int epochs) {
        training.defaults(optimizer, optimizerArgs, batch, epochs);
    }

    /** A tensor of the structure resource: a mask, or the values of a fixed param. */
    protected final Tensor structure(String tensorName) {
        return params.structure(tensorName);
    }

    /** Fixed values as rows, for a fixed kernel too large to fold into code; padded like {@link #denseParam}'s. */
    protected final float[][] fixedRows(String tensorName) {
        return params.fixedRows(tensorName);
    }

    // ---- Network

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> inputNames() {
        return List.copyOf(nodes.inputs);
    }

    @Override
    public List<String> outputNames() {
        return List.copyOf(nodes.outputs);
    }

    @Override
    public List<String> nodeNames() {
        return List.copyOf(nodes.buffers.keySet());
    }

    @Override
    public int[] shape(String node) {
        return nodes.shape(node).clone();
    }

    /** The names of nodes' units, from the class's resource ({@link UnitNames}), read on first use. */
    private volatile Map<String, String[]> unitNames;

    @Override
    public String[] unitNames(String node) {
        nodes.shape(node); // an unknown name fails
        if (unitNames == null) unitNames = UnitNames.of(getClass());
        String[] names = unitNames.get(node);
        return names == null ? null : names.clone();
    }

    @Override
    public final float[][] forward(float[]... in) {
        checkInputs(in);
        forwardUnchecked(in);
        return nodes.outputBuffers;
    }

    /** Fewer samples than this run one by one: copying a tile in and out would cost more than it saves. */
    static final int MIN_TILED = 4;

    @Override
    public final float[][][] forwardBatch(float[][][] batch, List<String> nodeNames) {
        List<String> shown = nodeNames.isEmpty() ? nodes.outputs : nodeNames;
        for (String n : shown) activation(n); // an unknown name fails here, before any work
        float[][][] out = new float[batch.length][shown.size()][];
        if (tiles == null || batch.length < MIN_TILED) {
            for (int s = 0; s < batch.length; s++) {
                forward(batch[s]);
                for (int k = 0; k < shown.size(); k++) out[s][k] = activation(shown.get(k)).clone();
            }
            return out;
        }
        training.forwardTiles(batch, shown, out);
        return out;
    }

    /** Tiles {@code [firstTile, endTile)} of a batch through the tiled forward pass; each sample's shown nodes into {@code out}. */
    final void forwardTiles(float[][][] batch, List<String> shown, float[][][] out, int firstTile, int endTile) {
        for (int tile = firstTile; tile < endTile; tile++) {
            int first = tile * tiles.lanes, count = Math.min(tiles.lanes, batch.length - first);
            loadTile(batch, first, count);
            forwardTile(count);
            for (int k = 0; k < shown.size(); k++) {
                float[] buffer = activation(shown.get(k));
                float[][] lanes = new float[count][];
                for (int s = 0; s < count; s++) lanes[s] = out[first + s][k] = new float[buffer.length];
                Tiles.get(tiles.rows(buffer), lanes);
            }
        }
    }

    @Override
    public float[] activation(String node) {
        return nodes.buffer(node);
    }

    /** Runs the forward pass on one sample's inputs (already checked), for training. */
    final void forwardUnchecked(float[][] in) {
        loadInputs(in);
        run();
    }

    /** One sample's inputs (already checked) into the input buffers. */
    final void loadInputs(float[][] in) {
        nodes.load(in);
    }

    /** Checks one sample's inputs: how many, their lengths, their token ids. */
    final void checkInputs(float[][] in) {
        nodes.check(in, -1);
    }

    /** The same for sample {@code sample} of a batch (named in a message). */
    final void checkInputs(float[][] in, int sample) {
        nodes.check(in, sample);
    }

    @Override
    public Map<String, Integer> tokenInputs() {
        return Map.copyOf(nodes.tokenInputs);
    }

    /**
     * Another instance of this network's class with its own buffers and gradient storage but this
     * one's weight arrays: a training worker for part of a batch.
     */
    final CompiledNetwork replica() {
        return sharingWeights(getClass());
    }

    /** The attribution passes made so far, by rule ({@code Gradient}, {@code Rescale}). */
    private final Map<String, CompiledNetwork> attributionPasses = new java.util.HashMap<>();

    /**
     * The generated attribution pass {@code <Network>$<rule>} beside this class (nnetc compiles it with
     * the network, and packs it in jars), sharing this network's weight arrays: loaded weights are its too.
     */
    final synchronized CompiledNetwork attributionPass(String rule) {
        CompiledNetwork pass = attributionPasses.get(rule);
        if (pass != null) return pass;
        String cls = getClass().getName() + "$" + rule;
        try {
            pass = sharingWeights(Class.forName(cls, true, getClass().getClassLoader()));
        } catch (ClassNotFoundException e) {
            throw new UserError(name + " has no attribution pass (" + cls + "): compile it again with an nnetc that has 'explain'");
        }
        attributionPasses.put(rule, pass);
        return pass;
    }

    /** A new instance of {@code c} (this network's class, or one of its passes) whose params share this network's arrays. */
    private CompiledNetwork sharingWeights(Class<?> c) {
        SHARE_WEIGHTS_OF.set(this);
        try {
            return (CompiledNetwork) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make " + c.getName() + " sharing the weights of " + getClass().getName(), e);
        } finally {
            SHARE_WEIGHTS_OF.remove();
        }
    }

    /** The weights this network stores: one sample's work, to share a batch among the cores. */
    final long storedWeights() {
        long n = 0;
        for (ParamStorage p : params.byName.values()) for (float[] seg : p.values) n += seg.length;
        return n;
    }

    @Override
    final Training trainingState() {
        return training;
    }

    final void runBackward() {
        backward();
    }

    final void runInputBackward() {
        inputBackward();
    }

    @Override
    public float[] weightArray() {
        return ParamArrays.values(params.byName.values());
    }

    @Override
    public void loadWeightArray(float[] values) {
        ParamArrays.load(params.byName.values(), values, name);
    }

    @Override
    public void loadWeights(Map<String, ? extends StoredTensor> weights) {
        StoredWeights.load(name, params.byName, weights);
    }

    /** Every tensor dense (a sparse kernel as its {@code [n, m]} values and 0/1 mask): the Keras layout. */
    @Override
    public Map<String, Tensor> saveWeights() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        saveWeights(SparseWeights.NEVER).forEach((name, t) -> out.put(name, (Tensor) t));
        return out;
    }

    @Override
    public Map<String, StoredTensor> saveWeights(SparseWeights layout) {
        return StoredWeights.save(params.byName, params.structure, layout);
    }
}
