package nnet.runtime.math;

/**
 * Inverted dropout's masks and kernels (LANGUAGE.md §10, Dropout). Whether an element keeps its
 * value is a hash of the train step's key (the run's seed and the step's number), the layer, the
 * sample's index in the batch and the element: no generator state, so the mask is the same
 * whichever thread, tile or order computes it, the backward pass finds the forward pass's mask
 * again, and the reference interpreter draws the same masks from the same key.
 */
public final class Dropout {
    private Dropout() {}

    private static final long LAYER = 0x9E3779B97F4A7C15L, SAMPLE = 0xC2B2AE3D27D4EB4FL, ELEMENT = 0x165667B19E3779F9L;

    /** The key of the masks of step {@code step} (counted from 0) of a run seeded with {@code seed}. */
    public static long key(long seed, long step) {
        return mix(mix(seed) + step * LAYER);
    }

    /** Whether element {@code element} of sample {@code sample} keeps its value in the layer {@code salt}: with probability 1 - rate. */
    public static boolean keeps(long key, int salt, int sample, int element, float rate) {
        return keeps(layerKey(key, salt), sample, element, rate);
    }

    private static long layerKey(long key, int salt) {
        return mix(key + salt * LAYER);
    }

    private static boolean keeps(long layerKey, int sample, int element, float rate) {
        long h = mix(mix(layerKey + sample * SAMPLE) + element * ELEMENT);
        return (h >>> 40) * 0x1.0p-24f >= rate; // 24 bits: exact in a float
    }

    /** One sample's {@code y = x * keep / (1 - rate)}. */
    public static void apply(float[] x, float[] y, long key, int salt, int sample, float rate) {
        long k = layerKey(key, salt);
        float scale = 1 / (1 - rate);
        for (int e = 0; e < x.length; e++) y[e] = keeps(k, sample, e, rate) ? x[e] * scale : 0;
    }

    /** The same over tile rows {@code [element][lane]}, lane s being sample {@code first + s}. */
    public static void applyTile(float[][] x, float[][] y, long key, int salt, int first, float rate) {
        long k = layerKey(key, salt);
        float scale = 1 / (1 - rate);
        for (int e = 0; e < x.length; e++) {
            float[] in = x[e], out = y[e];
            for (int s = 0; s < in.length; s++) out[s] = keeps(k, first + s, e, rate) ? in[s] * scale : 0;
        }
    }

    /** MurmurHash3's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
