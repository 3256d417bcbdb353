package nnet.runtime;

/**
 * The losses of LANGUAGE.md §2 on one sample, and their gradients with respect to the output,
 * as generated backward passes call them. Each is a mean over the sample's elements (mse,
 * binary_cross_entropy) or rows (cross_entropy); the batch loss is the mean over samples.
 * Accumulated in double: a loss sums many small terms. The interpreter's {@code Losses} is the
 * double-precision definition they are tested against.
 */
public final class Loss {
    private Loss() {}

    /** Probabilities are kept this far from 0 and 1, so log stays finite. */
    static final double EPS = 1e-7;

    public static float mse(float[] y, float[] t, int m) {
        double sum = 0;
        for (int k = 0; k < y.length; k++) sum += (double) (y[k] - t[k]) * (y[k] - t[k]);
        return (float) (sum / y.length);
    }

    public static void mseGradient(float[] y, float[] t, int m, float[] dy) {
        float scale = 2f / y.length;
        for (int k = 0; k < y.length; k++) dy[k] = scale * (y[k] - t[k]);
    }

    public static float binaryCrossEntropy(float[] y, float[] t, int m) {
        double sum = 0;
        for (int k = 0; k < y.length; k++) {
            double p = clip(y[k]);
            sum -= t[k] * Math.log(p) + (1 - t[k]) * Math.log(1 - p);
        }
        return (float) (sum / y.length);
    }

    /** Where y was clipped the loss is flat, so the gradient is 0 there. */
    public static void binaryCrossEntropyGradient(float[] y, float[] t, int m, float[] dy) {
        for (int k = 0; k < y.length; k++) {
            double p = clip(y[k]);
            dy[k] = p == y[k] ? (float) ((p - t[k]) / (p * (1 - p)) / y.length) : 0;
        }
    }

    /** {@code y} are logits (the softmax is fused): sum_j t_j (logsumexp(y) - y_j) per row, mean over rows. */
    public static float crossEntropy(float[] y, float[] t, int m) {
        int rows = y.length / m;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            double lse = logSumExp(y, r * m, m), tsum = 0, ty = 0;
            for (int j = 0; j < m; j++) {
                tsum += t[r * m + j];
                ty += (double) t[r * m + j] * y[r * m + j];
            }
            sum += lse * tsum - ty;
        }
        return (float) (sum / rows);
    }

    public static void crossEntropyGradient(float[] y, float[] t, int m, float[] dy) {
        int rows = y.length / m;
        for (int r = 0; r < rows; r++) {
            double lse = logSumExp(y, r * m, m), tsum = 0;
            for (int j = 0; j < m; j++) tsum += t[r * m + j];
            for (int j = 0; j < m; j++) dy[r * m + j] = (float) ((Math.exp(y[r * m + j] - lse) * tsum - t[r * m + j]) / rows);
        }
    }

    private static double clip(double p) {
        return Math.min(1 - EPS, Math.max(EPS, p));
    }

    private static double logSumExp(float[] y, int from, int m) {
        double max = Double.NEGATIVE_INFINITY, s = 0;
        for (int j = 0; j < m; j++) max = Math.max(max, y[from + j]);
        for (int j = 0; j < m; j++) s += Math.exp(y[from + j] - max);
        return max + Math.log(s);
    }
}
