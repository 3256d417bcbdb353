package nnet.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
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
    private final Map<String, float[]> nodes = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();
    private final List<String> inputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    /** Integer inputs by name, with the rows of the smallest vocabulary that reads them. */
    private final Map<String, Integer> tokenInputs = new LinkedHashMap<>();
    private final Map<String, ParamStorage> params = new LinkedHashMap<>();
    /** Masks, fixed values and the connections of sparse kernels (compact indices), loaded from the class's structure resource; saved with the weights. */
    private final Map<String, StoredTensor> structure;
    private float[][] inputBuffers = new float[0][];
    private float[][] outputBuffers = new float[0][];
    private final Training training = new Training(this);
    /** Set while a replica is constructed: the network whose weight arrays it shares. */
    private static final ThreadLocal<CompiledNetwork> SHARE_WEIGHTS_OF = new ThreadLocal<>();
    /** The network this one shares its weights with (a training replica), or null. */
    private final CompiledNetwork weightsOf = SHARE_WEIGHTS_OF.get();

    protected CompiledNetwork(String name) {
        this.name = name;
        this.structure = readStructure(getClass());
    }

    /** The resource {@code <Class>.structure.safetensors} beside the class, or nothing if the network has none. */
    private static Map<String, StoredTensor> readStructure(Class<?> c) {
        String resource = c.getSimpleName() + ".structure.safetensors";
        try (InputStream in = c.getResourceAsStream(resource)) {
            return in == null ? Map.of() : Safetensors.readStored(in, resource);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
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

    /** The tile rows of the buffers, when the network runs batches in tiles; else null. */
    private Tiles tiles;

    // ---- registration, called by the generated constructor

    protected final void node(String nodeName, float[] buffer, int[] shape) {
        nodes.put(nodeName, buffer);
        shapes.put(nodeName, shape);
    }

    protected final void input(String nodeName) {
        inputs.add(nodeName);
        inputBuffers = append(inputBuffers, nodes.get(nodeName));
    }

    /** An integer input that an embedding of {@code vocabulary} rows reads: its values are checked to be token ids. */
    protected final void tokens(String inputName, int vocabulary) {
        tokenInputs.merge(inputName, vocabulary, Math::min);
    }

    protected final void output(String nodeName) {
        outputs.add(nodeName);
        outputBuffers = append(outputBuffers, nodes.get(nodeName));
    }

    private static float[][] append(float[][] a, float[] b) {
        float[][] c = Arrays.copyOf(a, a.length + 1);
        c[a.length] = b;
        return c;
    }

    /** Rows of dense kernels are this many floats long or a multiple: whole vectors of any width, so tile kernels need no tail. */
    public static final int ROW_ALIGN = 16;

    /**
     * A fully connected kernel {@code [n, m]} kept as rows, so loops over units run over one array;
     * each row padded with zeros to a multiple of {@link #ROW_ALIGN} (they never train: their
     * gradient is 0). {@code frozenName} names the structure tensor of its frozen entries, or is null.
     */
    protected final float[][] denseParam(String paramName, int n, int m, String frozenName) {
        float[][] rows = weightsOf != null ? weightsOf.params.get(paramName).values : new float[n][paddedRow(m)];
        params.put(paramName, new ParamStorage(paramName, new int[] {n, m}, rows, (i, j) -> j < m ? i * m + j : -1, frozen(frozenName)));
        return rows;
    }

    public static int paddedRow(int m) {
        return (m + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN;
    }

    /**
     * A kernel with absent connections: only present values are stored, unit by unit (column order,
     * the order a forward pass over a tile reads them). A stored value at an absent position of a
     * weights file is ignored on load: kernels trained elsewhere by multiplying a mask in still hold
     * their old values there.
     */
    protected final SparseParam sparseParam(String paramName, String maskName, String frozenName, int columns) {
        boolean compact = structure.containsKey(paramName + CompactKernel.INDICES);
        SparseIndex rows = compact ? CompactKernel.readIndex(structure, paramName) : repeated(SparseIndex.fromMask(structure(maskName)), columns);
        SparseParam p = SparseParam.of(weightsOf != null ? weightsOf.params.get(paramName).values[0] : new float[rows.count()], rows);
        int n = rows.rows(), m = rows.cols();
        int[] colOf = p.columnOfEach();
        ParamStorage.Layout rowMajor = (long) n * m <= SparseWeights.MAX_DENSE ? (seg, k) -> p.rowIndex()[k] * m + colOf[k] : (seg, k) -> {
            throw new UserError(paramName + " is " + n + " x " + m + ", too large for a dense tensor; use its compact form (--sparse-weights auto)");
        };
        ParamStorage storage = new ParamStorage(paramName, new int[] {n, m}, new float[][] {p.values()}, rowMajor, null);
        if (frozenName != null) { // by the mask's entries (compact for a kernel of any size), never a dense [n, m] tensor
            SparseIndex frozen = CompactKernel.readMask(structure, frozenName);
            if (frozen == null) throw new IllegalStateException(getClass().getName() + ": structure resource lacks " + frozenName);
            int[] rowOf = p.rowIndex();
            storage.leaveOut((seg, k) -> Arrays.binarySearch(frozen.colIndex(), frozen.rowStart()[rowOf[k]], frozen.rowStart()[rowOf[k] + 1], colOf[k]) >= 0);
            storage.frozen = frozen;
            storage.frozenName = frozenName;
        }
        if (compact) {
            storage.connections = rows;
            storage.storedAt = p.position();
            storage.maskName = maskName;
        }
        params.put(paramName, storage);
        return p;
    }

    /** An lstm kernel's mask has a column per unit and repeats for each gate: its index over all {@code columns}. */
    private static SparseIndex repeated(SparseIndex unitPattern, int columns) {
        if (unitPattern.cols() == columns) return unitPattern;
        Tensor mask = unitPattern.toMask();
        int units = unitPattern.cols();
        return SparseIndex.of(unitPattern.rows(), columns, (i, j) -> mask.data()[i * units + j % units] == 1);
    }

    private Tensor frozen(String frozenName) {
        return frozenName == null ? null : structure(frozenName);
    }

    /**
     * The arrays generated code reads for a sparse kernel: values stored unit by unit with their index
     * ({@code colStart}, {@code rowIndex}: column order), and the index by input ({@code rowStart},
     * {@code colIndex}: row order) with {@code position}, where each of its entries sits among the values.
     */
    public record SparseParam(float[] values, int[] rowStart, int[] colIndex, int[] colStart, int[] rowIndex, int[] position) {
        static SparseParam of(float[] values, SparseIndex rows) {
            SparseIndex.Columns c = rows.columns();
            int[] position = new int[rows.count()];
            for (int k = 0; k < position.length; k++) position[c.position()[k]] = k;
            return new SparseParam(values, rows.rowStart(), rows.colIndex(), c.index().rowStart(), c.index().colIndex(), position);
        }

        /** The column of each stored value. */
        int[] columnOfEach() {
            int[] col = new int[values.length];
            for (int j = 0; j + 1 < colStart.length; j++) Arrays.fill(col, colStart[j], colStart[j + 1], j);
            return col;
        }
    }

    /** Fixed values of a kernel with absent connections, stored unit by unit like {@link #sparseParam}'s; not a weight. */
    protected final SparseParam fixedSparse(String valuesName, String maskName) {
        SparseIndex rows = SparseIndex.fromMask(structure(maskName));
        float[] all = structure(valuesName).data();
        SparseParam p = SparseParam.of(new float[rows.count()], rows);
        int m = rows.cols();
        int[] colOf = p.columnOfEach();
        for (int k = 0; k < p.values().length; k++) p.values()[k] = all[p.rowIndex()[k] * m + colOf[k]];
        return p;
    }

    /**
     * A weight tensor kept flat, row-major (biases, lstm kernels). With {@code maskName} (a bias
     * mask, repeated over rows), entries the mask marks absent are held at 0 whatever the file
     * says, and never train.
     */
    protected final float[] flatParam(String paramName, int[] shape, String maskName) {
        int size = (int) Tensor.size(shape);
        if (maskName == null) return flat(paramName, shape, null, null);
        float[] present = structure(maskName).data(), absent = new float[size];
        for (int k = 0; k < size; k++) absent[k] = present[k % present.length] == 0 ? 1 : 0;
        return flat(paramName, shape, absent, null);
    }

    /**
     * A conv2d kernel {@code [filters, C, kh, kw]}, flat. With {@code tableName} (the {@code C x filters}
     * channel table), the entries of absent channel pairs are held at 0 and never train; with
     * {@code frozenName} (a table of the same shape), the taps of frozen pairs keep their value.
     */
    protected final float[] convParam(String paramName, int[] shape, String tableName, String frozenName) {
        return flat(paramName, shape, tableName == null ? null : everyTap(shape, tableName, 0), frozenName == null ? null : everyTap(shape, frozenName, 1));
    }

    /** Per entry of a conv kernel, 1 where its (channel, filter) pair's entry in the table is {@code value}. */
    private float[] everyTap(int[] shape, String tableName, float value) {
        float[] table = structure(tableName).data(), out = new float[(int) Tensor.size(shape)];
        int filters = shape[0], channels = shape[1], taps = shape[2] * shape[3];
        for (int k = 0; k < out.length; k++) out[k] = table[(k / taps % channels) * filters + k / (taps * channels)] == value ? 1 : 0;
        return out;
    }

    /** The present (input channel, filter) pairs of a conv2d, as {@code [i0, o0, i1, o1, ...]}: its loops visit these only. */
    protected final int[] channelPairs(String tableName, int channels, int filters) {
        float[] table = tableName == null ? null : structure(tableName).data();
        return ConvPlan.pairs(channels, filters, (i, o) -> table == null || table[i * filters + o] != 0);
    }

    /**
     * A flat param; entries where {@code absent} is non-zero are 0 after every load and never train,
     * entries where {@code frozen} is non-zero keep what was loaded.
     */
    private float[] flat(String paramName, int[] shape, float[] absent, float[] frozen) {
        float[] v = weightsOf != null ? weightsOf.params.get(paramName).values[0] : new float[(int) Tensor.size(shape)];
        int[] zeroed = absent == null ? new int[0] : java.util.stream.IntStream.range(0, absent.length).filter(k -> absent[k] != 0).toArray();
        ParamStorage p = new ParamStorage(paramName, shape, new float[][] {v}, (seg, k) -> k, null) {
            @Override
            void load(float[] src) {
                super.load(src);
                for (int k : zeroed) v[k] = 0;
            }
        };
        if (absent != null) p.leaveOut(absent);
        if (frozen != null) p.leaveOut(frozen);
        params.put(paramName, p);
        return v;
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
        for (int k = 0; k < inputBuffers.length; k++) Tiles.load(batch, k, first, count, tiles.rows(inputBuffers[k]));
    }

    // ---- registration of the backward pass

    /** Gradient storage for a param kept as rows. */
    protected final float[][] rowsGradient(String paramName) {
        return training.gradientOf(params.get(paramName));
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
        if (!(structure.get(tensorName) instanceof Tensor t)) throw new IllegalStateException(getClass().getName() + ": structure resource lacks " + tensorName);
        return t;
    }

    /** Fixed values as rows, for a fixed kernel too large to fold into code; padded like {@link #denseParam}'s. */
    protected final float[][] fixedRows(String tensorName) {
        Tensor t = structure(tensorName);
        int n = t.shape()[0], m = t.shape()[1];
        float[][] rows = new float[n][paddedRow(m)];
        for (int i = 0; i < n; i++) System.arraycopy(t.data(), i * m, rows[i], 0, m);
        return rows;
    }

    // ---- Network

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> inputNames() {
        return List.copyOf(inputs);
    }

    @Override
    public List<String> outputNames() {
        return List.copyOf(outputs);
    }

    @Override
    public List<String> nodeNames() {
        return List.copyOf(nodes.keySet());
    }

    @Override
    public int[] shape(String node) {
        int[] s = shapes.get(node);
        if (s == null) throw new IllegalArgumentException(unknownNode(node));
        return s.clone();
    }

    /** The names of nodes' units, from the class's resource ({@link UnitNames}), read on first use. */
    private volatile Map<String, String[]> unitNames;

    @Override
    public String[] unitNames(String node) {
        if (!shapes.containsKey(node)) throw new IllegalArgumentException(unknownNode(node));
        if (unitNames == null) unitNames = UnitNames.of(getClass());
        String[] names = unitNames.get(node);
        return names == null ? null : names.clone();
    }

    @Override
    public final float[][] forward(float[]... in) {
        checkInputs(in);
        forwardUnchecked(in);
        return outputBuffers;
    }

    /** Fewer samples than this run one by one: copying a tile in and out would cost more than it saves. */
    static final int MIN_TILED = 4;

    @Override
    public final float[][][] forwardBatch(float[][][] batch, List<String> nodeNames) {
        List<String> shown = nodeNames.isEmpty() ? outputs : nodeNames;
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
        float[] b = nodes.get(node);
        if (b == null) throw new IllegalArgumentException(unknownNode(node));
        return b;
    }

    private String unknownNode(String node) {
        return "network " + name + " has no node '" + node + "'; it has " + String.join(", ", nodes.keySet());
    }

    /** Runs the forward pass on one sample's inputs (already checked), for training. */
    final void forwardUnchecked(float[][] in) {
        loadInputs(in);
        run();
    }

    /** One sample's inputs (already checked) into the input buffers. */
    final void loadInputs(float[][] in) {
        for (int k = 0; k < in.length; k++) System.arraycopy(in[k], 0, inputBuffers[k], 0, in[k].length);
    }



    final void checkInputs(float[][] in) {
        checkInputs(in, -1);
    }

    /** The same for sample {@code sample} of a batch (named in a message), or one sample alone (-1). */
    final void checkInputs(float[][] in, int sample) {
        if (in.length != inputBuffers.length)
            throw new IllegalArgumentException(name + " takes " + inputBuffers.length + " input(s) " + inputs + ", got " + in.length);
        for (int k = 0; k < in.length; k++) {
            String input = inputs.get(k);
            if (in[k].length != inputBuffers[k].length)
                throw new IllegalArgumentException("input " + input + Arrays.toString(shapes.get(input)) + " takes "
                        + inputBuffers[k].length + " values, got " + in[k].length);
            Integer vocabulary = tokenInputs.get(input);
            if (vocabulary != null) Embedding.checkTokens(input + (sample >= 0 ? " of sample " + sample + " of the batch" : ""), in[k], vocabulary);
        }
    }

    @Override
    public Map<String, Integer> tokenInputs() {
        return Map.copyOf(tokenInputs);
    }

    /**
     * Another instance of this network's class with its own buffers and gradient storage but this
     * one's weight arrays: a training worker for part of a batch.
     */
    final CompiledNetwork replica() {
        SHARE_WEIGHTS_OF.set(this);
        try {
            return getClass().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a replica of " + getClass().getName(), e);
        } finally {
            SHARE_WEIGHTS_OF.remove();
        }
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
        Class<?> c;
        try {
            c = Class.forName(cls, true, getClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new UserError(name + " has no attribution pass (" + cls + "): compile it again with an nnetc that has 'explain'");
        }
        SHARE_WEIGHTS_OF.set(this);
        try {
            pass = (CompiledNetwork) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make " + cls, e);
        } finally {
            SHARE_WEIGHTS_OF.remove();
        }
        attributionPasses.put(rule, pass);
        return pass;
    }

    /** The weights this network stores: one sample's work, to share a batch among the cores. */
    final long storedWeights() {
        long n = 0;
        for (ParamStorage p : params.values()) for (float[] seg : p.values) n += seg.length;
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
        return ParamArrays.values(params.values());
    }

    @Override
    public void loadWeightArray(float[] values) {
        ParamArrays.load(params.values(), values, name);
    }

    @Override
    public void loadWeights(Map<String, ? extends StoredTensor> weights) {
        StoredWeights.load(name, params, weights);
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
        return StoredWeights.save(params, structure, layout);
    }
}
