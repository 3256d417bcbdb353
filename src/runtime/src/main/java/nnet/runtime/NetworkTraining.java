package nnet.runtime;

import nnet.runtime.io.SparseWeights;

import java.util.List;
import java.util.Map;

/**
 * The training half of {@link Network} for the generated networks ({@link CompiledNetwork} extends
 * it): each method hands the call to the network's {@link Training}, the bookkeeping around its
 * generated backward pass.
 */
abstract class NetworkTraining implements Network {
    /** The network's training state. */
    abstract Training trainingState();

    @Override
    public boolean hasLoss() {
        return trainingState().hasLoss();
    }

    @Override
    public float computeGradients(float[][][] batchInputs, float[][] targets, float[] sampleWeights) {
        return trainingState().computeGradients(batchInputs, targets, sampleWeights);
    }

    @Override
    public float trainStep(float[][][] batchInputs, float[][] targets, float[] sampleWeights) {
        return trainingState().trainStep(batchInputs, targets, sampleWeights);
    }

    @Override
    public float penalty() {
        return trainingState().penalty();
    }

    @Override
    public float[] headLosses() {
        return trainingState().headLosses();
    }

    @Override
    public void keepOutputs(boolean keep) {
        trainingState().keepOutputs(keep);
    }

    @Override
    public float[][] lastOutputs() {
        return trainingState().lastOutputs();
    }

    @Override
    public float loss(float[][][] batchInputs, float[][] targets, float[] sampleWeights) {
        return trainingState().predictingLoss(batchInputs, targets, sampleWeights);
    }

    @Override
    public void seed(long seed) {
        trainingState().seed(seed);
    }

    @Override
    public Map<String, Tensor> gradients() {
        return trainingState().gradients();
    }

    @Override
    public Map<String, StoredTensor> gradients(SparseWeights layout) {
        return trainingState().gradients(layout);
    }

    @Override
    public float[][] inputGradients(float[][] sampleInputs, float[] target) {
        return trainingState().inputGradients(sampleInputs, target);
    }

    @Override
    public float[] gradientSums() {
        return trainingState().gradientSums();
    }

    @Override
    public void applyGradients(float[] sums, int samples) {
        trainingState().applyGradients(sums, samples);
    }

    @Override
    public Map<String, Tensor> optimizerState() {
        return trainingState().optimizerState();
    }

    @Override
    public void loadOptimizerState(Map<String, ? extends StoredTensor> state, long steps) {
        trainingState().loadOptimizerState(state, steps);
    }

    @Override
    public void setOptimizer(Optimizer optimizer) {
        trainingState().setOptimizer(optimizer);
    }

    @Override
    public TrainDefaults trainDefaults() {
        return trainingState().defaults();
    }

    @Override
    public int[] targetShape() {
        return trainingState().targetShape();
    }

    @Override
    public List<Loss> losses() {
        return trainingState().losses();
    }
}
