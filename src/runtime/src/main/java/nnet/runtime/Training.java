package nnet.runtime;

import nnet.runtime.io.SparseWeights;
import nnet.runtime.math.Dropout;
import nnet.runtime.math.Penalty;

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
    /** The loss statements, their buffers and the sums of a batch's values. */
    private final LossTerms terms;
    /** Params with a weight penalty ({@code regularize:}), which the optimizer's step or {@link #computeGradients} adds. */
    private final List<ParamStorage> penalized = new ArrayList<>();
    /** The penalty of the last batch: the weight penalties at the weights its gradient was taken at, plus the mean activity penalty. */
    private float lastPenalty;
    /** The mean of each loss over the last batch. */
    private float[] lastLosses = new float[0];
    /** Where each sample's losses' outputs go (their values in a row), when asked for: {@link #keepOutputs}. */
    private float[][] keptOutputs;
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
        this.terms = new LossTerms(net);
    }

    // ---- registration

    float[][] gradientOf(ParamStorage p) {
        trainable.add(p);
        return p.allocateGrads();
    }

    /** @param classWeights {@code "1,3"}, or empty */
    void loss(String kind, String output, float weight, String classWeights, float[] targetBuffer, float[] sampleWeight, float[] value) {
        terms.loss(kind, output, weight, classWeights, targetBuffer, sampleWeight, value);
        lastLosses = new float[terms.count()];
    }

    /** A weight penalty on a param ({@code regularize:}). */
    void penalty(ParamStorage p, Penalty penalty) {
        p.penalty(penalty);
        penalized.add(p);
    }

    /** The one-value buffers of a sample's activity penalties ({@code activity:}) and of their weight. */
    void activityPenalty(float[] value, float[] weight) {
        terms.activityPenalty(value, weight);
    }

    /** The one-value buffer that holds the loss trained: the losses' weighted sum. */
    void totalLoss(float[] lossBuffer) {
        terms.total(lossBuffer);
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
        return !terms.isEmpty();
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
        return terms.targetShape();
    }

    List<Network.Loss> losses() {
        return terms.describe();
    }

    /** The loss statements' buffers and sums, which a replica's or unit's owner adds up. */
    LossTerms terms() {
        return terms;
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

    /** The optimizer's state after {@code steps} steps; what the next steps draw (dropout's masks) goes on from there too. */
    void loadOptimizerState(Map<String, ? extends StoredTensor> state, long steps) {
        optimizer().loadState(trainable, state, steps);
        step = steps;
    }

    /** The gradient of a batch's mean loss plus the penalties, with the weight penalties' derivative added here (no optimizer step takes it). */
    float computeGradients(float[][][] inputs, float[][] targets, float[] weights) {
        float loss = gradients(inputs, targets, weights, false);
        double value = 0;
        for (int k = 0; k < penalized.size(); k++) value += penalized.get(k).addPenaltyGradient(); // indexed: a warm step allocates nothing
        lastPenalty += (float) value;
        return loss;
    }

    /**
     * Forward and backward over a batch: the mean of the losses' gradient (not the weight penalties'); returns the mean loss.
     * When {@code stepFollows}, a split batch's sums over its replicas are left to the optimizer's step ({@link BatchSplit#step}).
     */
    private float gradients(float[][][] inputs, float[][] targets, float[] weights, boolean stepFollows) {
        checkBatch(inputs, targets, weights);
        if (inputs.length == 0) throw new IllegalArgumentException("an empty batch has no gradient");
        if (keptOutputs != null) keptOutputs = new float[inputs.length][];
        long key = Dropout.key(seed, step);
        if (!stageSums.isEmpty()) {
            if (staged == null) staged = new StagedTraining(this);
            staged.computeGradients(inputs, targets, weights, keptOutputs, key);
        } else {
            int workers = workers(inputs.length);
            boolean sumLater = workers > 1 && stepFollows;
            sumInStep = false; // set once the gradients are all there: a step after a failed batch sums nothing stale
            if (workers > 1) split(workers).gradients(inputs, targets, weights, keptOutputs, workers, key, !sumLater);
            else if (sharesWeightPasses()) {
                pool().zeroGrads();
                sum(inputs, targets, weights, keptOutputs, 0, inputs.length, key);
            } else accumulate(inputs, targets, weights, keptOutputs, 0, inputs.length, key);
            for (int k = 0; k < trainable.size(); k++)
                if (sumLater) trainable.get(k).meanOver(inputs.length); // the step's pass clears the held entries once summed
                else trainable.get(k).finishGrads(inputs.length);
            sumInStep = sumLater;
        }
        lastPenalty = terms.meanPenalty(inputs.length);
        return terms.means(inputs.length, lastLosses);
    }

    private void checkBatch(float[][][] inputs, float[][] targets, float[] weights) {
        requireLoss();
        if (inputs.length != targets.length)
            throw new IllegalArgumentException("a batch of " + inputs.length + " input samples has " + targets.length + " targets");
        if (weights != null && weights.length != inputs.length)
            throw new IllegalArgumentException("a batch of " + inputs.length + " samples has " + weights.length + " sample weights");
    }

    /**
     * Forward and backward for samples [from, to) of a batch, dropout's masks from {@code key}: gradients
     * summed into this network's storage, and the losses' and penalties' sums into its {@link LossTerms#sums};
     * each sample's losses' outputs into {@code kept} when it is not null.
     */
    void accumulate(float[][][] inputs, float[][] targets, float[] weights, float[][] kept, int from, int to, long key) {
        boolean tiled = tiled(from, to);
        for (int k = 0; k < trainable.size(); k++) {
            ParamStorage p = trainable.get(k);
            if (tiled && p.setByTiles) p.gradsZeroed(); // the first tile sets it
            else p.zeroGrads();
        }
        sum(inputs, targets, weights, kept, from, to, key);
    }

    /** Whether samples [from, to) of a batch run through the tiled step. */
    private boolean tiled(int from, int to) {
        return net.tileSize() > 0 && to - from >= CompiledNetwork.MIN_TILED;
    }

    /** {@link #accumulate} into gradient storage zeroed already. */
    private void sum(float[][][] inputs, float[][] targets, float[] weights, float[][] kept, int from, int to, long key) {
        terms.clearSums();
        net.dropoutKey = key;
        if (tiled(from, to)) {
            accumulateTiled(inputs, targets, weights, kept, from, to);
            return;
        }
        for (int s = from; s < to; s++) {
            net.firstSample = s;
            load(inputs[s], targets[s], weights == null ? 1 : weights[s]);
            net.trainForward();
            net.runBackward();
            terms.addSample(kept, s);
        }
    }

    /** The same through the generated tiled step, a tile of samples at a time: the first sets the gradients {@link ParamStorage#setByTiles}. */
    private void accumulateTiled(float[][][] inputs, float[][] targets, float[] weights, float[][] kept, int from, int to) {
        int lanes = net.tileSize();
        for (int first = from; first < to; first += lanes) {
            int count = Math.min(lanes, to - first);
            loadTile(inputs, targets, weights, first, count);
            net.setsGradients = first == from;
            try {
                net.runTrainTile(count);
            } finally {
                net.setsGradients = false;
            }
            terms.addTile(kept, first, count);
        }
    }

    /** Samples [first, first + count) of a batch into the tile rows of the inputs, the losses' targets and the samples' weights. */
    void loadTile(float[][][] inputs, float[][] targets, float[] weights, int first, int count) {
        net.firstSample = first;
        net.loadTile(inputs, first, count);
        terms.loadTile(targets, weights, first, count);
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
    /** Whether a train step's rounds run on the calling thread, which the train steps measure against the pool's threads. */
    private final CoreChoice rounds = CoreChoice.fromProperty();
    /** Whether the gradients just computed wait for the optimizer's step to sum the replicas' ({@link BatchSplit#step}). */
    private boolean sumInStep;
    /** The choice for the current step (and for gradients computed without a step, the last one's). */
    private boolean roundsOnCaller;

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

    /**
     * Whether the passes over every weight (the gradient's zeroing, the optimizer's update) are shared
     * among the cores, whatever the batch: when there are this many weights to store, each pass is
     * bound by the memory one core reaches (at batch 1, half of the dense MLP's step on one core).
     */
    private boolean sharesWeightPasses() {
        if (stored == 0) stored = net.storedWeights();
        return cores > 1 && stored >= MIN_WORK_PER_WORKER;
    }

    /** The weights the network stores, counted on first use. */
    private long stored;

    /** The cores' pool there is, else one of every core: for the passes over the weights, any size will do. */
    private BatchSplit pool() {
        return split != null ? split : split(cores);
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
        optimizer(); // made (or its settings refused) before the gradients, which its pass may sum
        roundsOnCaller = rounds.onCaller();
        long start = System.nanoTime();
        float loss = gradients(inputs, targets, weights, true);
        optimizerStep();
        rounds.took(roundsOnCaller, System.nanoTime() - start, inputs.length);
        return loss;
    }

    boolean roundsOnCaller() {
        return roundsOnCaller;
    }

    /**
     * One optimizer step from the gradients in storage (the {@code train} block's optimizer unless one
     * was set), with the weight penalties' derivative unless the gradients hold it already; then a
     * batchnorm's moving statistics take the batch's, and the step count (dropout's masks) moves on.
     */
    private void optimizerStep() {
        boolean sumFirst = sumInStep;
        sumInStep = false;
        Optimizer optimizer = optimizer();
        if (sharesWeightPasses() || sumFirst) { // a share of the weights per core (and of the sums over replicas)
            optimizer.beginStep(trainable);
            pool().step(optimizer, sumFirst);
        } else optimizer.step(trainable);
        double value = 0;
        for (int k = 0; k < penalized.size(); k++) value += penalized.get(k).penaltyTaken();
        lastPenalty += (float) value;
        if (staged != null) staged.updateMovingStatistics();
        step++;
    }

    /** The gradient sums of the last {@link #computeGradients} (not yet the mean), every trainable segment in a row. */
    float[] gradientSums() {
        requireLoss();
        return ParamArrays.concat(trainable, p -> p.grads, gradientSize());
    }

    /**
     * An optimizer step from gradient sums over {@code samples} rows gathered elsewhere, laid out as
     * {@link #gradientSums}: sums of {@link #computeGradients}, so the weight penalties' derivative is in
     * them, and an embedding's row is stepped when some replica touched it (its sum is not zero).
     */
    void applyGradients(float[] sums, int samples) {
        requireLoss();
        if (net.trainsDifferently()) // a batchnorm's statistics and dropout's masks are the whole batch's and the step's, not a sum of parts
            throw new UnsupportedOperationException(net.name() + " trains differently from how it predicts (dropout or batchnorm): its batch cannot be shared among machines by gradient sums");
        if (sums.length != gradientSize())
            throw new IllegalArgumentException(net.name() + " has " + gradientSize() + " gradient values, got " + sums.length);
        if (samples < 1) throw new IllegalArgumentException("gradient sums over " + samples + " samples");
        int at = 0;
        for (ParamStorage p : trainable) {
            for (int seg = 0; seg < p.grads.length; seg++) {
                float[] g = p.grads[seg];
                System.arraycopy(sums, at, g, 0, g.length);
                if (p.touched != null) p.touched[seg] = !allZero(g);
                at += g.length;
            }
            p.finishGrads(samples);
            p.penaltyInGrads = p.penalty != null;
        }
        optimizerStep();
    }

    private static boolean allZero(float[] g) {
        for (float v : g) if (v != 0) return false;
        return true;
    }

    private int gradientSize() {
        int n = 0;
        for (ParamStorage p : trainable) for (float[] g : p.grads) n += g.length;
        return n;
    }

    /**
     * The mean loss as predicting computes it: a network that trains differently (dropout, batchnorm) runs
     * its predicting forward pass and its losses sample by sample; the others compute it as a train step does.
     * The losses' means, the penalty (the weight penalties at the weights as they are) and the kept outputs
     * follow as after a train step.
     */
    float predictingLoss(float[][][] inputs, float[][] targets, float[] weights) {
        if (!net.trainsDifferently()) return computeGradients(inputs, targets, weights);
        checkBatch(inputs, targets, weights);
        if (keptOutputs != null) keptOutputs = new float[inputs.length][];
        terms.clearSums();
        for (int s = 0; s < inputs.length; s++) {
            load(inputs[s], targets[s], weights == null ? 1 : weights[s]);
            net.run();
            net.predictLoss();
            terms.addSample(keptOutputs, s);
        }
        double value = 0;
        for (ParamStorage p : penalized)
            for (int seg = 0; seg < p.values.length; seg++) value += p.segmentPenalty(seg);
        lastPenalty = terms.meanPenalty(inputs.length) + (float) value;
        return terms.means(inputs.length, lastLosses);
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
        if (!stageSums.isEmpty())
            throw new UnsupportedOperationException("network " + net.name() + " has a batchnorm, which while training normalizes each sample by its batch's statistics:"
                    + " a train step's input gradient of one sample alone is undefined (the sample would be normalized against itself)."
                    + " For the predicting network's derivative of an output, use attributions(inputs, new Attributions.Request(Method.SALIENCY, ...));"
                    + " for a train step's gradients, computeGradients over a batch of 2 or more");
        for (ParamStorage p : trainable) p.zeroGrads();
        net.dropoutKey = Dropout.key(seed, step);
        net.firstSample = 0;
        load(inputs, t, 1);
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

    /** One sample's inputs and target (checked) into the per-sample buffers, and its weight in each loss. */
    void load(float[][] inputs, float[] t, float weight) {
        net.checkInputs(inputs);
        terms.load(t, weight);
        net.loadInputs(inputs);
    }

    private void requireLoss() {
        if (!hasLoss()) throw new UnsupportedOperationException(noLoss());
    }
}
