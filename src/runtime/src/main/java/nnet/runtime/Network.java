package nnet.runtime;

import nnet.runtime.io.SparseWeights;
import nnet.runtime.math.LossFunction;

import java.util.List;
import java.util.Map;

/**
 * A compiled network, as Java code sees it. {@code forward} runs generated straight-line loops;
 * every named node stays readable afterwards through {@link #activation}.
 */
public interface Network {
    /** The network's name in the source ({@code network Xor}). */
    String name();

    List<String> inputNames();

    List<String> outputNames();

    /** Every readable node name (inputs, statement names, block-prefixed names like {@code r1.h}), in source order. */
    List<String> nodeNames();

    /**
     * The inputs of token ids ({@code input tokens[100] int}) with the size of the vocabulary of the
     * embedding that reads each (the smallest, when several do): their values must be whole numbers
     * from 0 to that size - 1.
     */
    Map<String, Integer> tokenInputs();

    /** The static shape of a named node. */
    int[] shape(String node);

    /**
     * The names of a node's units in order (its elements, row-major), or null when it has none
     * (LANGUAGE.md §4, Names); generated networks and packed jars give the names the compiler resolved.
     */
    default String[] unitNames(String node) {
        return null;
    }

    /**
     * Runs one sample. {@code inputs} are flattened row-major, one array per input in
     * {@link #inputNames()} order. Returns the outputs' buffers: valid until the next call.
     */
    float[][] forward(float[]... inputs);

    /**
     * Runs a batch: {@code inputs[s]} is sample s as for {@link #forward}. Returns, per sample, a copy
     * of each node of {@code nodes} (any readable node; the outputs when empty). Batches of
     * 4 or more samples run in tiles (LANGUAGE.md §10), over the cores, much faster than sample by sample.
     */
    float[][][] forwardBatch(float[][][] inputs, List<String> nodes);

    /**
     * Attributions of an output unit's raw value to the units of named nodes, per row of
     * {@code inputs} (as {@link #forwardBatch}'s), by the generated attribution passes: see
     * {@link Attributions} for the methods and LANGUAGE.md §9 ({@code explain}).
     */
    default List<Attributions.Row> attributions(float[][][] inputs, Attributions.Request request) {
        return Attributions.of(this, inputs, request);
    }

    /** The value a named node had in the last forward pass (the network's own buffer; copy it to keep it). */
    float[] activation(String node);

    /**
     * Replaces the weights; names and shapes as LANGUAGE.md §6, each sparse kernel dense or compact
     * ({@link CompactKernel}). Missing trainable weights are an error.
     */
    void loadWeights(Map<String, ? extends StoredTensor> weights);

    /** The current weights and the connectivity masks, named as LANGUAGE.md §6, every tensor dense. */
    Map<String, Tensor> saveWeights();

    /** The current weights as a weights file holds them: sparse kernels compact or dense as {@code layout} says. */
    Map<String, StoredTensor> saveWeights(SparseWeights layout);

    // ---- training: the generated backward pass, for networks with a loss statement

    /** Whether the network has a {@code loss} statement; the methods below need one. */
    boolean hasLoss();

    /**
     * Forward and backward over a mini-batch ({@code inputs[sample][input]} as in {@link #forward},
     * {@code targets[sample]} shaped like the loss's output); keeps the gradient of the mean loss,
     * which {@link #gradients()} returns. Returns the mean loss. Weights do not change.
     */
    default float computeGradients(float[][][] inputs, float[][] targets) {
        return computeGradients(inputs, targets, null);
    }

    /**
     * {@link #computeGradients} with a weight per sample ({@code --sample-weights}, Keras'
     * {@code sample_weight}; null for all 1): each sample's loss counts times its weight, and the mean
     * is still over the samples (Keras' default reduction, {@code sum_over_batch_size}). The loss's
     * class weights, if any, multiply in too.
     */
    float computeGradients(float[][][] inputs, float[][] targets, float[] sampleWeights);

    /** {@link #computeGradients}, then one optimizer step (the {@code train} block's unless {@link #setOptimizer} was called). Returns the mean loss before the step. */
    default float trainStep(float[][][] inputs, float[][] targets) {
        return trainStep(inputs, targets, null);
    }

    /** {@link #trainStep} with a weight per sample, as {@link #computeGradients(float[][][], float[][], float[])} takes them. */
    float trainStep(float[][][] inputs, float[][] targets, float[] sampleWeights);

    /**
     * The penalty trained beside the loss in the last {@link #computeGradients}, {@link #trainStep} or {@link #loss}:
     * the weight penalties ({@code regularize:}) at the weights the gradient was taken at, plus the
     * batch's mean activity penalty ({@code activity:}); 0 without either. The loss those methods
     * return leaves it out; what is trained is their sum. After {@code computeGradients} the
     * gradients include the weight penalties' derivative; {@code trainStep}'s optimizer takes it in its
     * own pass over the weights, so {@link #gradients()} after a step holds the losses' gradient alone.
     */
    float penalty();

    /** Each loss statement's own mean over the last batch (before its statement's weight), in {@link #losses()}' order. */
    float[] headLosses();

    /** Whether the next batches keep each sample's losses' outputs, as computed by the step: {@link #lastOutputs()}. */
    void keepOutputs(boolean keep);

    /** Each sample's losses' outputs in the last batch (their values in a row, as a target row holds them), if kept; else null. */
    float[][] lastOutputs();

    /**
     * The mean loss over a batch as predicting computes it: dropout off, batchnorm with its moving
     * statistics (held-out rows, {@code evaluate}); for other networks what {@link #computeGradients} returns.
     */
    default float loss(float[][][] inputs, float[][] targets) {
        return loss(inputs, targets, null);
    }

    /**
     * {@link #loss(float[][][], float[][])} with a weight per sample, as {@link #computeGradients(float[][][], float[][], float[])}
     * takes them; {@link #headLosses()}, {@link #penalty()} and {@link #lastOutputs()} then tell of this batch.
     */
    float loss(float[][][] inputs, float[][] targets, float[] sampleWeights);

    /**
     * Seeds what a train step draws (dropout's masks: a hash of the seed, the step's number from 0 and
     * the sample's index in its batch), so a seeded run is reproducible; counts steps from 0 again.
     */
    void seed(long seed);

    /** The last gradients, named like the weights; exactly 0 at absent and frozen entries; fixed weights have none. */
    Map<String, Tensor> gradients();

    /** {@link #gradients()}, sparse kernels compact or dense as {@code layout} says (with the weights' indices). */
    Map<String, StoredTensor> gradients(SparseWeights layout);

    /**
     * The loss gradient with respect to each input for one sample, in {@link #inputNames()} order, as a
     * train step computes it (dropout's masks of the step drawn).
     *
     * @throws UnsupportedOperationException for a network with a batchnorm, which while training needs a
     *         batch (the predicting network's derivatives: {@link #attributions} with {@code SALIENCY})
     */
    float[][] inputGradients(float[][] inputs, float[] target);

    void setOptimizer(Optimizer optimizer);

    // ---- training across machines: weights and gradients as plain arrays (Spark's treeAggregate and broadcasts)

    /**
     * Every stored weight value in one array (a copy): the values of each weight tensor as the
     * generated code stores them (a sparse kernel's present connections only). Another instance of
     * the same network takes it whole with {@link #loadWeightArray}.
     */
    float[] weightArray();

    void loadWeightArray(float[] values);

    /**
     * The sums over the samples of the last {@link #computeGradients} (not their mean), trainable
     * entries only, as one array: what a replica contributes when a batch is shared among machines.
     * Arrays from replicas of one network add elementwise.
     */
    float[] gradientSums();

    /**
     * One optimizer step from gradient sums over {@code samples} samples gathered elsewhere (laid out
     * as {@link #gradientSums}): the same step {@link #trainStep} takes after a batch of those samples.
     */
    void applyGradients(float[] sums, int samples);

    /**
     * Whether a train step computes differently from predicting (dropout, batchnorm): its result then
     * depends on the whole batch and on the step's number, so it is not a sum over shares of the batch
     * ({@link #applyGradients} refuses such a network).
     */
    boolean trainsDifferently();

    /**
     * The optimizer's state (SGD's momentum, Adam's moments) for every weight that has stepped, as
     * tensors named {@code <weight>/<slot>} ({@code h.kernel/m}) shaped as a weights file holds
     * the weight; with {@link Optimizer#steps()}, what {@code train --resume} needs to go on
     * exactly where a run stopped.
     */
    Map<String, Tensor> optimizerState();

    /**
     * Takes a state {@link #optimizerState()} gave, of the same network and optimizer, after {@code steps}
     * steps; dropout's masks go on from that step too (call it after {@link #seed}, which counts from 0).
     */
    void loadOptimizerState(Map<String, ? extends StoredTensor> state, long steps);

    /** The {@code train { }} settings of the source. */
    TrainDefaults trainDefaults();

    /** The shape of a target: that of the output the loss is on; with several losses, their outputs' values in a row ({@link #losses()}' order). */
    int[] targetShape();

    /** The loss statements, in the source's order: a target row holds their outputs' values in this order. Empty without a loss. */
    List<Loss> losses();

    /**
     * A {@code loss} statement: the output it is on (with its shape), the loss, its weight in the sum
     * trained, and its class weights ({@code class_weights: [1, 3]}, Keras' {@code class_weight}), or null.
     */
    record Loss(String output, LossFunction function, float weight, int[] shape, float[] classWeights) {
        public Loss(String output, LossFunction function, float weight, int[] shape) {
            this(output, function, weight, shape, null);
        }

        public int size() {
            return (int) Tensor.size(shape);
        }

        /** A target every loss can take (labels for the cross-entropies), their values in a row: benchmarks and tests. */
        public static float[] sampleTarget(List<Loss> losses, java.util.SplittableRandom rnd) {
            float[] t = new float[losses.stream().mapToInt(Loss::size).sum()];
            int at = 0;
            for (Loss l : losses) {
                float[] part = l.function().sampleTarget(l.size(), l.shape()[l.shape().length - 1], rnd);
                System.arraycopy(part, 0, t, at, part.length);
                at += part.length;
            }
            return t;
        }
    }
}
