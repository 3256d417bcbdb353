package nnet.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * One weight tensor as generated code stores it: segments of values (a dense kernel's rows, a
 * sparse kernel's present values in CSR order, or one flat array) and, for training, gradients
 * in the same layout. Only entries that exist have storage. Entries that exist but must not move
 * (frozen ones, absent entries of a masked bias) are left out of {@link #trainable}, so their
 * gradient is zeroed and optimizers keep no state for them and never touch them.
 */
class ParamStorage {
    /** Where storage entry {@code index} of {@code segment} sits in the row-major tensor. */
    interface Layout {
        int rowMajor(int segment, int index);
    }

    final String name;
    final int[] shape;
    final float[][] values;
    private final Layout layout;
    /** Per segment, the indices that train, or null where all do. */
    final int[][] trainable;
    /** Allocated when generated backward code registers its gradient storage. */
    float[][] grads;

    ParamStorage(String name, int[] shape, float[][] values, Layout layout, Tensor frozen) {
        this.name = name;
        this.shape = shape;
        this.values = values;
        this.layout = layout;
        this.trainable = new int[values.length][];
        if (frozen != null) leaveOut(frozen.data());
    }

    /** Entries whose {@code held} value (row-major, repeated over rows) is non-zero do not train. */
    void leaveOut(float[] held) {
        for (int s = 0; s < values.length; s++) {
            List<Integer> keep = new ArrayList<>();
            boolean all = true;
            for (int k = 0; k < values[s].length; k++) {
                boolean trains = held[layout.rowMajor(s, k) % held.length] == 0 && (trainable[s] == null || contains(trainable[s], k));
                if (trains) keep.add(k);
                else all = false;
            }
            if (!all) trainable[s] = keep.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static boolean contains(int[] sorted, int k) {
        return java.util.Arrays.binarySearch(sorted, k) >= 0;
    }

    int size() {
        return (int) Tensor.size(shape);
    }

    void load(float[] rowMajor) {
        for (int s = 0; s < values.length; s++)
            for (int k = 0; k < values[s].length; k++) values[s][k] = rowMajor[layout.rowMajor(s, k)];
    }

    float[] save() {
        return toRowMajor(values);
    }

    /** The gradient as a tensor: 0 at absent entries. */
    float[] saveGrad() {
        return toRowMajor(grads);
    }

    private float[] toRowMajor(float[][] segments) {
        float[] out = new float[size()];
        for (int s = 0; s < segments.length; s++)
            for (int k = 0; k < segments[s].length; k++) out[layout.rowMajor(s, k)] = segments[s][k];
        return out;
    }

    /** Segments of the same lengths as the values, for the gradient. */
    float[][] allocateGrads() {
        grads = new float[values.length][];
        for (int s = 0; s < values.length; s++) grads[s] = new float[values[s].length];
        return grads;
    }

    void zeroGrads() {
        for (float[] g : grads) java.util.Arrays.fill(g, 0);
    }

    /** After a batch: the mean over its samples, and exactly 0 where entries do not train. */
    void finishGrads(float scale) {
        for (int s = 0; s < grads.length; s++) {
            float[] g = grads[s];
            int[] keep = trainable[s];
            if (keep == null) {
                for (int k = 0; k < g.length; k++) g[k] *= scale;
                continue;
            }
            int next = 0;
            for (int k = 0; k < g.length; k++) {
                if (next < keep.length && keep[next] == k) {
                    g[k] *= scale;
                    next++;
                } else g[k] = 0;
            }
        }
    }
}
