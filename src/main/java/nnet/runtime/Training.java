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
    private String lossKind, lossOutput;
    private float[] target, lossValue;
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

    void loss(String kind, String output, float[] targetBuffer, float[] lossBuffer) {
        lossKind = kind;
        lossOutput = output;
        target = targetBuffer;
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
        return lossKind != null;
    }

    String noLoss() {
        return "network " + net.name() + " has no loss statement, so it cannot be trained (add e.g. 'loss mse')";
    }

    TrainDefaults defaults() {
        return defaults;
    }

    /** The target has the shape of the output the loss is on. */
    int[] targetShape() {
        requireLoss();
        return net.shape(lossOutput);
    }

    void setOptimizer(Optimizer o) {
        optimizer = o;
    }

    float computeGradients(float[][][] inputs, float[][] targets) {
        requireLoss();
        if (inputs.length != targets.length)
            throw new IllegalArgumentException("a batch of " + inputs.length + " input samples has " + targets.length + " targets");
        if (inputs.length == 0) throw new IllegalArgumentException("an empty batch has no gradient");
        for (ParamStorage p : trainable) p.zeroGrads();
        double sum = 0;
        for (int s = 0; s < inputs.length; s++) {
            sample(inputs[s], targets[s]);
            net.runBackward();
            sum += lossValue[0];
        }
        for (ParamStorage p : trainable) p.finishGrads(inputs.length);
        return (float) (sum / inputs.length);
    }

    float trainStep(float[][][] inputs, float[][] targets) {
        float loss = computeGradients(inputs, targets);
        if (optimizer == null) optimizer = defaults.newOptimizer();
        optimizer.step(trainable);
        return loss;
    }

    Map<String, Tensor> gradients() {
        requireLoss();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParamStorage p : trainable) out.put(p.name, new Tensor(p.shape, p.saveGrad()));
        return out;
    }

    /** The loss gradient of each input for one sample; the weight gradients become this sample's too. */
    float[][] inputGradients(float[][] inputs, float[] t) {
        requireLoss();
        for (ParamStorage p : trainable) p.zeroGrads();
        sample(inputs, t);
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

    private void sample(float[][] inputs, float[] t) {
        net.checkInputs(inputs);
        if (t.length != target.length)
            throw new IllegalArgumentException("the target of " + net.name() + " takes " + target.length + " values, got " + t.length);
        net.forwardUnchecked(inputs);
        System.arraycopy(t, 0, target, 0, t.length);
    }

    private void requireLoss() {
        if (!hasLoss()) throw new UnsupportedOperationException(noLoss());
    }
}
