package nnet.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bookkeeping around a generated backward pass: a mini-batch is one forward and one backward
 * pass per sample, each adding its weight gradients into the gradient storage; then the mean is
 * taken, entries that do not train are zeroed, and the optimizer steps. Nothing here runs per
 * weight but the optimizer's update.
 */
final class Training {
    private final CompiledNetwork net;
    private final List<ParamStorage> trainable = new ArrayList<>();
    private final Map<String, float[]> inputGrads = new LinkedHashMap<>();
    /** The loss statements' target buffers, in the source's order; a sample's target is their concatenation. */
    private final List<LossTarget> losses = new ArrayList<>();
    /** The values of a sample's target: the sum of the losses' outputs' sizes. */
    private int targetSize;
    private float[] lossValue;
    /** Each loss's target buffer as the tile rows it is, {@code targetRows[loss][value][lane]}; made on first use. */
    private float[][][] targetRows;
    private TrainDefaults defaults = new TrainDefaults("adam", Map.of(), 32, 10);
    private Optimizer optimizer;
    /** What a train step draws (dropout's masks) comes from the seed and the step's number ({@link Dropout#key}). */
    private long seed, step;
    /** The partial sums each stage of a staged train step ends with, in stage order (a batchnorm's); empty when samples are independent. */
    private final List<StagedTraining.Sums> stageSums = new ArrayList<>();
    /** The runner of staged train steps, made on first use. */
    private StagedTraining staged;

    Training(CompiledNetwork net) {
        this.net = net;
    }

    // ---- registration

    float[][] gradientOf(ParamStorage p) {
        trainable.add(p);
        return p.allocateGrads();
    }

    /** A loss statement's target buffer, where its part of a sample's target goes. */
    private record LossTarget(String kind, String output, float weight, float[] buffer, int offset) {}

    void loss(String kind, String output, float weight, float[] targetBuffer) {
        losses.add(new LossTarget(kind, output, weight, targetBuffer, targetSize));
        targetSize += targetBuffer.length;
    }

    /** The one-value buffer that holds the loss trained: the losses' weighted sum. */
    void totalLoss(float[] lossBuffer) {
        lossValue = lossBuffer;
    }

    void batchStatistics(StagedTraining.Sums sums) {
        stageSums.add(sums);
    }

    List<StagedTraining.Sums> stageSums() {
        return stageSums;
    }

    void seed(long s) {
        seed = s;
        step = 0;
    }

    void inputGradient(String input, float[] buffer) {
        inputGrads.put(input, buffer);
    }

    void defaults(String opt, String args, int batch, int epochs) {
        Map<String, Double> parsed = new LinkedHashMap<>();
        if (!args.isEmpty())
            for (String kv : args.split(",")) {
                String[] p = kv.split("=", 2);
                parsed.put(p[0], Double.parseDouble(p[1]));
            }
        defaults = new TrainDefaults(opt, Map.copyOf(parsed), batch, epochs);
    }

    // ---- use

    boolean hasLoss() {
        return !losses.isEmpty();
    }

    String noLoss() {
        return "network " + net.name() + " has no loss statement, so it cannot be trained (add e.g. 'loss mse')";
    }

    TrainDefaults defaults() {
        return defaults;
    }

    /** One loss: the shape of the output it is on; several: their values in a row. */
    int[] targetShape() {
        requireLoss();
        return losses.size() == 1 ? net.shape(losses.get(0).output) : new int[] {targetSize};
    }

    List<Network.Loss> losses() {
        return losses.stream().map(l -> new Network.Loss(l.output, LossFunction.named(l.kind), l.weight, net.shape(l.output))).toList();
    }

    void setOptimizer(Optimizer o) {
        optimizer = o;
    }

    Optimizer optimizer() {
        if (optimizer == null) optimizer = defaults.newOptimizer();
        return optimizer;
    }

    Map<String, Tensor> optimizerState() {
        return optimizer().saveState(trainable);
    }

    void loadOptimizerState(Map<String, ? extends StoredTensor> state, long steps) {
        optimizer().loadState(trainable, state, steps);
    }

    float computeGradients(float[][][] inputs, float[][] targets) {
        requireLoss();
        if (inputs.length != targets.length)
            throw new IllegalArgumentException("a batch of " + inputs.length + " input samples has " + targets.length + " targets");
        if (inputs.length == 0) throw new IllegalArgumentException("an empty batch has no gradient");
        long key = Dropout.key(seed, step);
        if (!stageSums.isEmpty()) {
            if (staged == null) staged = new StagedTraining(this);
            return staged.computeGradients(inputs, targets, key);
        }
        int workers = workers(inputs.length);
        double sum;
        if (workers == 1) sum = accumulate(inputs, targets, 0, inputs.length, key);
        else sum = split(workers).gradients(inputs, targets, workers, key);
        for (int k = 0; k < trainable.size(); k++) trainable.get(k).finishGrads(inputs.length);
        return (float) (sum / inputs.length);
    }

    /**
     * Forward and backward for samples [from, to) of a batch, dropout's masks from {@code key}: gradients
     * summed into this network's storage; returns the summed loss.
     */
    double accumulate(float[][][] inputs, float[][] targets, int from, int to, long key) {
        for (int k = 0; k < trainable.size(); k++) trainable.get(k).zeroGrads();
        net.dropoutKey = key;
        if (net.tileSize() > 0 && to - from >= CompiledNetwork.MIN_TILED) return accumulateTiled(inputs, targets, from, to);
        double sum = 0;
        for (int s = from; s < to; s++) {
            net.firstSample = s;
            load(inputs[s], targets[s]);
            net.trainForward();
            net.runBackward();
            sum += lossValue[0];
        }
        return sum;
    }

    /**
     * The same through the generated tiled step: each tile's samples loaded into the tile rows of the
     * inputs and the target (lanes past the batch's end repeat its last sample: the generated loss
     * gives them gradient 0), and the losses of its real lanes summed.
     */
    private double accumulateTiled(float[][][] inputs, float[][] targets, int from, int to) {
        int lanes = net.tileSize();
        double sum = 0;
        for (int first = from; first < to; first += lanes) {
            int count = Math.min(lanes, to - first);
            loadTile(inputs, targets, first, count);
            net.runTrainTile(count);
            sum += tileLoss(count);
        }
        return sum;
    }

    /** Samples [first, first + count) of a batch into the tile rows of the inputs and the losses' targets. */
    void loadTile(float[][][] inputs, float[][] targets, int first, int count) {
        int lanes = net.tileSize();
        if (targetRows == null) { // once: a warm step allocates nothing
            targetRows = new float[losses.size()][][];
            for (int k = 0; k < targetRows.length; k++) targetRows[k] = net.tile(losses.get(k).buffer);
        }
        net.firstSample = first;
        net.loadTile(inputs, first, count);
        for (int s = 0; s < count; s++) checkTarget(targets[first + s]);
        for (int s = 0; s < lanes; s++)
            for (int k = 0; k < targetRows.length; k++) Tiles.put(targets[first + Math.min(s, count - 1)], losses.get(k).offset, targetRows[k], s);
    }

    /** The summed loss of a tile's real lanes, after its train step. */
    double tileLoss(int count) {
        float[] lanes = net.tile(lossValue)[0];
        double sum = 0;
        for (int s = 0; s < count; s++) sum += lanes[s];
        return sum;
    }

    /** The loss of the sample in the per-sample buffers, after its train step. */
    float sampleLoss() {
        return lossValue[0];
    }

    // ---- several cores

    /** A batch is split only when it holds this many weight-visits per worker (thread hand-offs cost some microseconds). */
    static final long MIN_WORK_PER_WORKER = 1L << 18;
    /** Weights that exist, a measure of one sample's work; counted on first use. */
    private long perSample;
    /** Weight-visits beyond one per weight: a conv kernel's weights at every output position, a loop's at every step. */
    private long repeatedVisits;
    /** The replicas and threads, made when a batch first needs them. */
    private BatchSplit split;

    /** The cores a batch may use: {@code -Dnnet.threads=N} when the network is made, else all. */
    private final int cores = Integer.getInteger("nnet.threads", Runtime.getRuntime().availableProcessors());

    /** Workers for a batch: the cores, as long as each gets enough work. */
    int workers(int batch) {
        long byWork = Math.max(1, batch * Math.max(weights(), 1) / MIN_WORK_PER_WORKER);
        return (int) Math.max(1, Math.min(Math.min(cores, batch), byWork));
    }

    private long weights() {
        if (perSample == 0) {
            perSample = repeatedVisits + net.storedWeights(); // every weight, trained or not: a network without a loss shares its batches too
        }
        return perSample;
    }

    /** Registered by the generated constructor: how many more weight-visits than weights one sample's forward pass makes. */
    void repeatedVisits(long visits) {
        repeatedVisits += visits;
    }

    private BatchSplit split(int workers) {
        if (split == null || split.cores() < workers) split = new BatchSplit(net, this, workers);
        return split;
    }

    /** A batch's tiles through the forward pass, shared among the cores when there is enough work: each sample's shown nodes into {@code out}. */
    void forwardTiles(float[][][] batch, List<String> shown, float[][][] out) {
        int tiles = (batch.length + net.tileSize() - 1) / net.tileSize(), workers = Math.min(tiles, workers(batch.length));
        if (workers <= 1) net.forwardTiles(batch, shown, out, 0, tiles);
        else split(workers).forward(batch, shown, out, tiles, workers);
    }

    CompiledNetwork network() {
        return net;
    }

    List<ParamStorage> trainable() {
        return trainable;
    }

    /** The threads that share this network's train steps (none before a batch needed them). */
    Thread[] workerThreads() {
        return split == null ? new Thread[0] : split.threads();
    }

    float trainStep(float[][][] inputs, float[][] targets) {
        float loss = computeGradients(inputs, targets);
        Optimizer optimizer = optimizer();
        if (split != null && weights() >= MIN_WORK_PER_WORKER) { // a share of the weights per core
            optimizer.beginStep(trainable);
            split.step(optimizer);
        } else optimizer.step(trainable);
        if (staged != null) staged.updateMovingStatistics();
        step++;
        return loss;
    }

    /**
     * The mean loss as predicting computes it: a network that trains differently (dropout, batchnorm) runs
     * its predicting forward pass and its losses sample by sample; the others compute it as a train step does.
     */
    float predictingLoss(float[][][] inputs, float[][] targets) {
        if (!net.trainsDifferently()) return computeGradients(inputs, targets);
        requireLoss();
        if (inputs.length != targets.length)
            throw new IllegalArgumentException("a batch of " + inputs.length + " input samples has " + targets.length + " targets");
        double sum = 0;
        for (int s = 0; s < inputs.length; s++) {
            load(inputs[s], targets[s]);
            net.run();
            net.predictLoss();
            sum += lossValue[0];
        }
        return (float) (sum / inputs.length);
    }

    Map<String, Tensor> gradients() {
        requireLoss();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParamStorage p : trainable) out.put(p.name, new Tensor(p.shape, p.saveGrad()));
        return out;
    }

    Map<String, StoredTensor> gradients(SparseWeights layout) {
        requireLoss();
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (ParamStorage p : trainable) {
            if (p.connections != null && layout.compact(p.shape[0], p.shape[1], p.connections.count())) p.saveGradCompact().putInto(out, p.name);
            else {
                if (p.connections != null) SparseWeights.checkDense(p.name, p.shape[0], p.shape[1]);
                out.put(p.name, new Tensor(p.shape, p.saveGrad()));
            }
        }
        return out;
    }

    /** The loss gradient of each input for one sample; the weight gradients become this sample's too. */
    float[][] inputGradients(float[][] inputs, float[] t) {
        requireLoss();
        if (!stageSums.isEmpty())
            throw new UnsupportedOperationException("network " + net.name() + " has a batchnorm, whose gradient while training couples the samples of a batch: one sample's input gradient needs a batch");
        for (ParamStorage p : trainable) p.zeroGrads();
        net.dropoutKey = Dropout.key(seed, step);
        net.firstSample = 0;
        load(inputs, t);
        net.trainForward();
        net.runBackward();
        net.runInputBackward();
        for (ParamStorage p : trainable) p.finishGrads(1);
        float[][] out = new float[net.inputNames().size()][];
        for (int k = 0; k < out.length; k++) {
            float[] g = inputGrads.get(net.inputNames().get(k));
            out[k] = g == null ? new float[net.activation(net.inputNames().get(k)).length] : g.clone();
        }
        return out;
    }

    /** One sample's inputs and targets (checked) into the per-sample buffers. */
    void load(float[][] inputs, float[] t) {
        net.checkInputs(inputs);
        checkTarget(t);
        net.loadInputs(inputs);
        for (int k = 0; k < losses.size(); k++) { // indexed: an iterator here was 32 bytes a sample
            LossTarget l = losses.get(k);
            System.arraycopy(t, l.offset, l.buffer, 0, l.buffer.length);
        }
    }

    private void checkTarget(float[] t) {
        if (t.length != targetSize)
            throw new IllegalArgumentException("the target of " + net.name() + " takes " + targetSize + " values" + (losses.size() > 1 ? " (its losses' in a row)" : "") + ", got " + t.length);
    }

    private void requireLoss() {
        if (!hasLoss()) throw new UnsupportedOperationException(noLoss());
    }
}
