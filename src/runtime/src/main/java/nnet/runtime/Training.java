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
    /** Params with a weight penalty ({@code regularize:}), which the optimizer's step or {@link #computeGradients} adds. */
    private final List<ParamStorage> penalized = new ArrayList<>();
    /** The one-value buffers of a sample's activity penalties and of what they are multiplied by (1; 0 for a tile's lanes past a batch's end), or null without any. */
    private float[] penaltyValue, penaltyWeight;
    /**
     * Of the last batch, summed over its samples ({@link #accumulate}): each loss's value (weighted
     * by the samples' weights), the activity penalties, and the loss (the losses' weighted sum, as the
     * generated code adds them); in each replica, added up by {@link BatchSplit}.
     */
    double[] sums = new double[2];
    /** The penalty of the last batch: the weight penalties at the weights its gradient was taken at, plus the mean activity penalty. */
    private float lastPenalty;
    /** The mean of each loss over the last batch. */
    private float[] lastLosses = new float[0];
    /** Where each sample's losses' outputs go (their values in a row), when asked for: {@link #keepOutputs}. */
    private float[][] keptOutputs;
    /** The values of a sample's target: the sum of the losses' outputs' sizes. */
    private int targetSize;
    private float[] lossValue;
    /** Each loss's target buffer as the tile rows it is, {@code targetRows[loss][value][lane]}; made on first use. */
    private float[][][] targetRows;
    private TrainDefaults defaults = new TrainDefaults("adam", Map.of(), 32, 10);
    private Optimizer optimizer;

    Training(CompiledNetwork net) {
        this.net = net;
    }

    // ---- registration

    float[][] gradientOf(ParamStorage p) {
        trainable.add(p);
        return p.allocateGrads();
    }

    /**
     * A loss statement: its target buffer, where its part of a sample's target goes; the buffer of the
     * sample's weight in it (its {@code --sample-weights} value times its class's weight, 1 otherwise);
     * the buffer of its value on the sample; its class weights, or null.
     */
    private record LossTarget(String kind, String output, float weight, float[] buffer, int offset, float[] sampleWeight, float[] value, float[] classWeights) {
        /** The weight of a sample in this loss: {@code weight} times its class's (Keras' class_weight: the class of a value by rounding, of a class row by argmax). */
        float weightOf(float[] target, float weight) {
            if (classWeights == null) return weight;
            int at = offset, best = at;
            if (buffer.length == 1) return weight * classWeights[(int) Math.rint(target[at])];
            for (int k = at + 1; k < at + buffer.length; k++) if (target[k] > target[best]) best = k;
            return weight * classWeights[best - at];
        }
    }

    /** @param classWeights {@code "1,3"}, or empty */
    void loss(String kind, String output, float weight, String classWeights, float[] targetBuffer, float[] sampleWeight, float[] value) {
        float[] cw = null;
        if (!classWeights.isEmpty()) {
            String[] parts = classWeights.split(",");
            cw = new float[parts.length];
            for (int k = 0; k < cw.length; k++) cw[k] = Float.parseFloat(parts[k]);
        }
        losses.add(new LossTarget(kind, output, weight, targetBuffer, targetSize, sampleWeight, value, cw));
        targetSize += targetBuffer.length;
        sums = new double[losses.size() + 2];
        lastLosses = new float[losses.size()];
    }

    /** A weight penalty on a param ({@code regularize:}). */
    void penalty(ParamStorage p, Penalty penalty) {
        p.penalty(penalty);
        penalized.add(p);
    }

    /** The one-value buffers of a sample's activity penalties ({@code activity:}) and of their weight. */
    void activityPenalty(float[] value, float[] weight) {
        penaltyValue = value;
        penaltyWeight = weight;
        penaltyWeight[0] = 1;
    }

    /** The one-value buffer that holds the loss trained: the losses' weighted sum. */
    void totalLoss(float[] lossBuffer) {
        lossValue = lossBuffer;
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
        return losses.stream().map(l -> new Network.Loss(l.output, LossFunction.named(l.kind), l.weight, net.shape(l.output), l.classWeights)).toList();
    }

    void setOptimizer(Optimizer o) {
        optimizer = o;
    }

    /** The gradient of a batch's mean loss plus the penalties, with the weight penalties' derivative added here (no optimizer step takes it). */
    float computeGradients(float[][][] inputs, float[][] targets, float[] weights) {
        float loss = gradients(inputs, targets, weights);
        double value = 0;
        for (int k = 0; k < penalized.size(); k++) value += penalized.get(k).addPenaltyGradient(); // indexed: a warm step allocates nothing
        lastPenalty += (float) value;
        return loss;
    }

    /** Forward and backward over a batch: the mean of the losses' gradient (not the weight penalties'); returns the mean loss. */
    private float gradients(float[][][] inputs, float[][] targets, float[] weights) {
        requireLoss();
        if (inputs.length != targets.length)
            throw new IllegalArgumentException("a batch of " + inputs.length + " input samples has " + targets.length + " targets");
        if (weights != null && weights.length != inputs.length)
            throw new IllegalArgumentException("a batch of " + inputs.length + " samples has " + weights.length + " sample weights");
        if (inputs.length == 0) throw new IllegalArgumentException("an empty batch has no gradient");
        if (keptOutputs != null) keptOutputs = new float[inputs.length][];
        int workers = workers(inputs.length);
        if (workers == 1) accumulate(inputs, targets, weights, keptOutputs, 0, inputs.length);
        else split(workers).gradients(inputs, targets, weights, keptOutputs, workers);
        for (int k = 0; k < trainable.size(); k++) trainable.get(k).finishGrads(inputs.length);
        for (int k = 0; k < losses.size(); k++) lastLosses[k] = (float) (sums[k] / inputs.length);
        lastPenalty = (float) (sums[losses.size()] / inputs.length);
        return (float) (sums[losses.size() + 1] / inputs.length);
    }

    /**
     * Forward and backward for samples [from, to): gradients summed into this network's storage, and
     * the losses' and penalties' sums into {@link #sums}; each sample's losses' outputs into {@code kept}
     * when it is not null.
     */
    void accumulate(float[][][] inputs, float[][] targets, float[] weights, float[][] kept, int from, int to) {
        for (int k = 0; k < trainable.size(); k++) trainable.get(k).zeroGrads();
        java.util.Arrays.fill(sums, 0);
        if (net.tileSize() > 0 && to - from >= CompiledNetwork.MIN_TILED) {
            accumulateTiled(inputs, targets, weights, kept, from, to);
            return;
        }
        for (int s = from; s < to; s++) {
            sample(inputs[s], targets[s], weights == null ? 1 : weights[s]);
            net.runBackward();
            for (int k = 0; k < losses.size(); k++) sums[k] += losses.get(k).value[0];
            if (penaltyValue != null) sums[losses.size()] += penaltyValue[0];
            sums[losses.size() + 1] += lossValue[0];
            if (kept != null) kept[s] = keep(k -> net.activation(losses.get(k).output));
        }
    }

    /** The losses' outputs of a sample in a row, each read by {@code outputOf}. */
    private float[] keep(java.util.function.IntFunction<float[]> outputOf) {
        float[] row = new float[targetSize];
        for (int k = 0; k < losses.size(); k++) System.arraycopy(outputOf.apply(k), 0, row, losses.get(k).offset, losses.get(k).buffer.length);
        return row;
    }

    /**
     * The same through the generated tiled step: each tile's samples loaded into the tile rows of the
     * inputs, the targets and the samples' weights (lanes past the batch's end repeat its last sample:
     * the generated loss gives them gradient 0), and the losses of its real lanes summed.
     */
    private void accumulateTiled(float[][][] inputs, float[][] targets, float[] weights, float[][] kept, int from, int to) {
        int lanes = net.tileSize();
        if (targetRows == null) { // once: a warm step allocates nothing
            targetRows = new float[losses.size()][][];
            weightRows = new float[losses.size()][];
            valueRows = new float[losses.size() + 2][];
            for (int k = 0; k < targetRows.length; k++) {
                targetRows[k] = net.tile(losses.get(k).buffer);
                weightRows[k] = net.tile(losses.get(k).sampleWeight)[0];
                valueRows[k] = net.tile(losses.get(k).value)[0];
            }
            valueRows[losses.size() + 1] = net.tile(lossValue)[0];
            if (penaltyValue != null) {
                valueRows[losses.size()] = net.tile(penaltyValue)[0];
                penaltyRow = net.tile(penaltyWeight)[0];
            }
        }
        for (int first = from; first < to; first += lanes) {
            int count = Math.min(lanes, to - first);
            net.loadTile(inputs, first, count);
            for (int s = 0; s < count; s++) checkTarget(targets[first + s]);
            for (int s = 0; s < lanes; s++) {
                int sample = first + Math.min(s, count - 1);
                for (int k = 0; k < targetRows.length; k++) {
                    Tiles.put(targets[sample], losses.get(k).offset, targetRows[k], s);
                    weightRows[k][s] = losses.get(k).weightOf(targets[sample], weights == null ? 1 : weights[sample]);
                }
            }
            if (penaltyRow != null) for (int s = 0; s < lanes; s++) penaltyRow[s] = s < count ? 1 : 0;
            net.runTrainTile(count);
            for (int k = 0; k < valueRows.length; k++)
                if (valueRows[k] != null) for (int s = 0; s < count; s++) sums[k] += valueRows[k][s];
            for (int s = 0; kept != null && s < count; s++) {
                int lane = s;
                kept[first + s] = keep(k -> {
                    float[] out = new float[losses.get(k).buffer.length];
                    Tiles.get(net.tile(net.activation(losses.get(k).output)), lane, out);
                    return out;
                });
            }
        }
    }

    /** Each loss's weight buffer's and value buffer's tile row (then the activity penalty's and the loss's); made on first use. */
    private float[][] weightRows, valueRows;
    /** The tile row of the activity penalties' weight, or null. */
    private float[] penaltyRow;

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
    private int workers(int batch) {
        long byWork = Math.max(1, batch * Math.max(weights(), 1) / MIN_WORK_PER_WORKER);
        return (int) Math.max(1, Math.min(Math.min(cores, batch), byWork));
    }

    private long weights() {
        if (perSample == 0) {
            perSample = repeatedVisits;
            for (ParamStorage p : trainable) for (float[] seg : p.values) perSample += seg.length;
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

    /** {@link #gradients}, then the optimizer's step, which takes the weight penalties' derivative (and value) in its pass over the weights. */
    float trainStep(float[][][] inputs, float[][] targets, float[] weights) {
        float loss = gradients(inputs, targets, weights);
        if (optimizer == null) optimizer = defaults.newOptimizer();
        if (split != null && weights() >= MIN_WORK_PER_WORKER) { // a share of the weights per core
            optimizer.beginStep(trainable);
            split.step(optimizer);
        } else optimizer.step(trainable);
        double value = 0;
        for (int k = 0; k < penalized.size(); k++) value += penalized.get(k).penaltyTaken();
        lastPenalty += (float) value;
        return loss;
    }

    /** The penalty of the last batch: the weight penalties (at the weights its gradient was taken at) plus its mean activity penalty. */
    float penalty() {
        return lastPenalty;
    }

    /** Each loss's mean over the last batch. */
    float[] headLosses() {
        return lastLosses.clone();
    }

    /** Whether the next batches keep their samples' losses' outputs ({@link #lastOutputs}). */
    void keepOutputs(boolean keep) {
        keptOutputs = keep ? new float[0][] : null;
    }

    /** The losses' outputs of each sample of the last batch, their values in a row as a target row holds them; null unless kept. */
    float[][] lastOutputs() {
        return keptOutputs;
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
        for (ParamStorage p : trainable) p.zeroGrads();
        sample(inputs, t, 1);
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

    private void sample(float[][] inputs, float[] t, float weight) {
        net.checkInputs(inputs);
        checkTarget(t);
        net.forwardUnchecked(inputs);
        for (int k = 0; k < losses.size(); k++) { // indexed: an iterator here was 32 bytes a sample
            LossTarget l = losses.get(k);
            System.arraycopy(t, l.offset, l.buffer, 0, l.buffer.length);
            l.sampleWeight[0] = l.weightOf(t, weight);
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
