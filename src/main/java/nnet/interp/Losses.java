package nnet.interp;

/**
 * The losses of LANGUAGE.md §2 for one sample, and their gradients. Over a batch the loss is
 * the mean of these (each is already a mean over the sample's rows), as the language defines.
 */
public final class Losses {
    private Losses() {}

    /** Probabilities are kept this far from 0 and 1, so log stays finite. */
    static final double EPS = 1e-7;

    /** @param m the size of the last axis (the classes of cross_entropy) */
    public static double value(String kind, double[] y, double[] t, int m) {
        double sum = 0;
        switch (kind) {
            case "mse" -> {
                for (int k = 0; k < y.length; k++) sum += (y[k] - t[k]) * (y[k] - t[k]);
                return sum / y.length;
            }
            case "binary_cross_entropy" -> {
                for (int k = 0; k < y.length; k++) {
                    double p = clip(y[k]);
                    sum -= t[k] * Math.log(p) + (1 - t[k]) * Math.log(1 - p);
                }
                return sum / y.length;
            }
            case "cross_entropy" -> {
                // y are logits: -sum_j t_j log softmax(y)_j = sum_j t_j (logsumexp(y) - y_j), stably
                int rows = y.length / m;
                for (int r = 0; r < rows; r++) {
                    double lse = logSumExp(y, r * m, m), tsum = 0, ty = 0;
                    for (int j = 0; j < m; j++) {
                        tsum += t[r * m + j];
                        ty += t[r * m + j] * y[r * m + j];
                    }
                    sum += lse * tsum - ty;
                }
                return sum / rows;
            }
            default -> throw new IllegalArgumentException("unknown loss " + kind);
        }
    }

    public static void gradient(String kind, double[] y, double[] t, int m, double[] out) {
        switch (kind) {
            case "mse" -> {
                for (int k = 0; k < y.length; k++) out[k] = 2 * (y[k] - t[k]) / y.length;
            }
            case "binary_cross_entropy" -> {
                for (int k = 0; k < y.length; k++) {
                    double p = clip(y[k]);
                    out[k] = p == y[k] ? (p - t[k]) / (p * (1 - p)) / y.length : 0; // clipped: flat
                }
            }
            case "cross_entropy" -> {
                int rows = y.length / m;
                for (int r = 0; r < rows; r++) {
                    double lse = logSumExp(y, r * m, m), tsum = 0;
                    for (int j = 0; j < m; j++) tsum += t[r * m + j];
                    for (int j = 0; j < m; j++) out[r * m + j] = (Math.exp(y[r * m + j] - lse) * tsum - t[r * m + j]) / rows;
                }
            }
            default -> throw new IllegalArgumentException("unknown loss " + kind);
        }
    }

    private static double clip(double p) {
        return Math.min(1 - EPS, Math.max(EPS, p));
    }

    private static double logSumExp(double[] y, int from, int m) {
        double max = Double.NEGATIVE_INFINITY, s = 0;
        for (int j = 0; j < m; j++) max = Math.max(max, y[from + j]);
        for (int j = 0; j < m; j++) s += Math.exp(y[from + j] - max);
        return max + Math.log(s);
    }
}
