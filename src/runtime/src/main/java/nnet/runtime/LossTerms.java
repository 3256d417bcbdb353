package nnet.runtime;

import nnet.runtime.math.LossFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * The loss statements of a network's train step and the buffers the generated code shares with the
 * runtime: each loss's target, the sample's weight in it and its value, the activity penalties'
 * value and weight, and the loss trained. Samples go in one at a time (the per-sample buffers) or a
 * tile at a time (the buffers' tile rows); what the step computed of them is summed into
 * {@link #sums}, in each replica or unit of a batch, and added up by whoever split the batch.
 */
final class LossTerms {
    private final CompiledNetwork net;
    /** The loss statements, in the source's order; a sample's target is their targets' concatenation. */
    private final List<Term> terms = new ArrayList<>();
    /** The values of a sample's target: the sum of the losses' outputs' sizes. */
    private int targetSize;
    private float[] lossValue;
    /** The one-value buffers of a sample's activity penalties and of what they are multiplied by (1; 0 for a tile's lanes past a batch's end), or null without any. */
    private float[] penaltyValue, penaltyWeight;
    /**
     * Summed over the samples since the last {@link #clearSums}: each loss's value (weighted by the
     * samples' weights), the activity penalties, and the loss (the losses' weighted sum, as the
     * generated code adds them).
     */
    double[] sums = new double[2];
    /** Each loss's target buffer as the tile rows it is, {@code targetRows[loss][value][lane]}; made on first use. */
    private float[][][] targetRows;
    /** Each loss's weight buffer's and value buffer's tile row (then the activity penalty's and the loss's); made with {@link #targetRows}. */
    private float[][] weightRows, valueRows;
    /** The tile row of the activity penalties' weight, or null. */
    private float[] penaltyRow;

    LossTerms(CompiledNetwork net) {
        this.net = net;
    }

    /**
     * A loss statement: its target buffer, where its part of a sample's target goes; the buffer of the
     * sample's weight in it (its {@code --sample-weights} value times its class's weight, 1 otherwise);
     * the buffer of its value on the sample; its class weights, or null.
     */
    private record Term(String kind, String output, float weight, float[] buffer, int offset, float[] sampleWeight, float[] value, float[] classWeights) {
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
        terms.add(new Term(kind, output, weight, targetBuffer, targetSize, sampleWeight, value, cw));
        targetSize += targetBuffer.length;
        sums = new double[terms.size() + 2];
    }

    /** The one-value buffers of a sample's activity penalties ({@code activity:}) and of their weight. */
    void activityPenalty(float[] value, float[] weight) {
        penaltyValue = value;
        penaltyWeight = weight;
        penaltyWeight[0] = 1;
    }

    /** The one-value buffer that holds the loss trained: the losses' weighted sum. */
    void total(float[] lossBuffer) {
        lossValue = lossBuffer;
    }

    boolean isEmpty() {
        return terms.isEmpty();
    }

    int count() {
        return terms.size();
    }

    /** One loss: the shape of the output it is on; several: their values in a row. */
    int[] targetShape() {
        return terms.size() == 1 ? net.shape(terms.get(0).output) : new int[] {targetSize};
    }

    List<Network.Loss> describe() {
        return terms.stream().map(l -> new Network.Loss(l.output, LossFunction.named(l.kind), l.weight, net.shape(l.output), l.classWeights)).toList();
    }

    // ---- a sample at a time

    /** A sample's target (checked) and its weight in each loss into the per-sample buffers. */
    void load(float[] t, float weight) {
        checkTarget(t);
        for (int k = 0; k < terms.size(); k++) { // indexed: an iterator here was 32 bytes a sample
            Term l = terms.get(k);
            System.arraycopy(t, l.offset, l.buffer, 0, l.buffer.length);
            l.sampleWeight[0] = l.weightOf(t, weight);
        }
    }

    /** After a sample's step: its values into {@link #sums}; its losses' outputs into {@code kept[s]} when kept is not null. */
    void addSample(float[][] kept, int s) {
        for (int k = 0; k < terms.size(); k++) sums[k] += terms.get(k).value[0];
        if (penaltyValue != null) sums[terms.size()] += penaltyValue[0];
        sums[terms.size() + 1] += lossValue[0];
        if (kept != null) kept[s] = keep(k -> net.activation(terms.get(k).output));
    }

    // ---- a tile at a time

    /**
     * The targets and weights of samples [first, first + count) into the tile rows (lanes past the
     * batch's end repeat its last sample: the generated loss gives them gradient 0, and the activity
     * penalties weight 0).
     */
    void loadTile(float[][] targets, float[] weights, int first, int count) {
        int lanes = net.tileSize();
        if (targetRows == null) tileRows(); // once: a warm step allocates nothing
        for (int s = 0; s < count; s++) checkTarget(targets[first + s]);
        for (int s = 0; s < lanes; s++) {
            int sample = first + Math.min(s, count - 1);
            for (int k = 0; k < targetRows.length; k++) {
                Tiles.put(targets[sample], terms.get(k).offset, targetRows[k], s);
                weightRows[k][s] = terms.get(k).weightOf(targets[sample], weights == null ? 1 : weights[sample]);
            }
        }
        if (penaltyRow != null) for (int s = 0; s < lanes; s++) penaltyRow[s] = s < count ? 1 : 0;
    }

    private void tileRows() {
        targetRows = new float[terms.size()][][];
        weightRows = new float[terms.size()][];
        valueRows = new float[terms.size() + 2][];
        for (int k = 0; k < targetRows.length; k++) {
            targetRows[k] = net.tile(terms.get(k).buffer);
            weightRows[k] = net.tile(terms.get(k).sampleWeight)[0];
            valueRows[k] = net.tile(terms.get(k).value)[0];
        }
        valueRows[terms.size() + 1] = net.tile(lossValue)[0];
        if (penaltyValue != null) {
            valueRows[terms.size()] = net.tile(penaltyValue)[0];
            penaltyRow = net.tile(penaltyWeight)[0];
        }
    }

    /** After a tile's step: the values of its real lanes into {@link #sums}; their losses' outputs into {@code kept} from {@code first} when kept is not null. */
    void addTile(float[][] kept, int first, int count) {
        for (int k = 0; k < valueRows.length; k++)
            if (valueRows[k] != null) for (int s = 0; s < count; s++) sums[k] += valueRows[k][s];
        for (int s = 0; kept != null && s < count; s++) {
            int lane = s;
            kept[first + s] = keep(k -> {
                float[] out = new float[terms.get(k).buffer.length];
                Tiles.get(net.tile(net.activation(terms.get(k).output)), lane, out);
                return out;
            });
        }
    }

    // ---- the batch's figures

    void clearSums() {
        java.util.Arrays.fill(sums, 0);
    }

    /** Adds another replica's or unit's {@link #sums} to these. */
    void addSums(LossTerms other) {
        for (int k = 0; k < sums.length; k++) sums[k] += other.sums[k];
    }

    /** Of a batch of {@code samples}: each loss's mean into {@code losses}; returns the mean loss. */
    float means(int samples, float[] losses) {
        for (int k = 0; k < terms.size(); k++) losses[k] = (float) (sums[k] / samples);
        return (float) (sums[terms.size() + 1] / samples);
    }

    /** The batch's mean activity penalty. */
    float meanPenalty(int samples) {
        return (float) (sums[terms.size()] / samples);
    }

    /** The losses' outputs of a sample in a row, each read by {@code outputOf}. */
    private float[] keep(java.util.function.IntFunction<float[]> outputOf) {
        float[] row = new float[targetSize];
        for (int k = 0; k < terms.size(); k++) System.arraycopy(outputOf.apply(k), 0, row, terms.get(k).offset, terms.get(k).buffer.length);
        return row;
    }

    private void checkTarget(float[] t) {
        if (t.length != targetSize)
            throw new IllegalArgumentException("the target of " + net.name() + " takes " + targetSize + " values" + (terms.size() > 1 ? " (its losses' in a row)" : "") + ", got " + t.length);
    }
}
