package nnet.runtime.math;

/**
 * Layer normalization's kernels, called by generated code (LANGUAGE.md §10, Layer normalization):
 * each row of {@code features} values (the last axis; element {@code k} is feature
 * {@code k % features} of row {@code k / features}) normalized by its own mean and biased variance,
 * the same while training and predicting. One sample's form takes its buffer; the tile form its tile
 * rows {@code [element][lane]}, a row's statistics per lane. The statistics are summed in double and
 * computed again where the backward pass needs them, so no kernel keeps state or allocates. Gamma or
 * beta is null without {@code scale:} or {@code center:}.
 */
public final class LayerNorm {
    private LayerNorm() {}

    /** {@code 1 / sqrt(variance + epsilon)} of the {@code n} values from {@code at}, whose mean is {@code mean}. */
    private static float invStd(float[] x, int at, int n, double mean, float epsilon) {
        double squares = 0;
        for (int j = 0; j < n; j++) squares += (x[at + j] - mean) * (x[at + j] - mean);
        return (float) (1 / Math.sqrt(squares / n + epsilon));
    }

    private static double mean(float[] x, int at, int n) {
        double sum = 0;
        for (int j = 0; j < n; j++) sum += x[at + j];
        return sum / n;
    }

    public static void forward(float[] x, float[] y, float[] gamma, float[] beta, float epsilon, int features) {
        for (int at = 0; at < x.length; at += features) {
            float mean = (float) mean(x, at, features), inv = invStd(x, at, features, mean, epsilon);
            for (int j = 0; j < features; j++) y[at + j] = (x[at + j] - mean) * inv * (gamma == null ? 1 : gamma[j]) + (beta == null ? 0 : beta[j]);
        }
    }

    /** {@code dx = inv * (g - mean(g) - xhat * mean(g * xhat))} with {@code g = dy * gamma}, the means over each row. */
    public static void grad(float[] x, float[] dy, float[] dx, float[] gamma, float epsilon, int features) {
        for (int at = 0; at < x.length; at += features) {
            float mean = (float) mean(x, at, features), inv = invStd(x, at, features, mean, epsilon);
            double sumG = 0, sumGx = 0;
            for (int j = 0; j < features; j++) {
                float g = dy[at + j] * (gamma == null ? 1 : gamma[j]);
                sumG += g;
                sumGx += g * (x[at + j] - mean) * inv;
            }
            float meanG = (float) (sumG / features), meanGx = (float) (sumGx / features);
            for (int j = 0; j < features; j++)
                dx[at + j] = inv * (dy[at + j] * (gamma == null ? 1 : gamma[j]) - meanG - (x[at + j] - mean) * inv * meanGx);
        }
    }

    /** Adds one sample's part of gamma's gradient ({@code dy * xhat} summed over its rows) or beta's ({@code dy}) into {@code grad}. */
    public static void paramGrad(float[] x, float[] dy, float[] grad, boolean gamma, float epsilon, int features) {
        for (int at = 0; at < x.length; at += features) {
            float mean = gamma ? (float) mean(x, at, features) : 0, inv = gamma ? invStd(x, at, features, mean, epsilon) : 1;
            for (int j = 0; j < features; j++) grad[j] += gamma ? dy[at + j] * (x[at + j] - mean) * inv : dy[at + j];
        }
    }

    // ---- the tile forms: lane s of each element's row is sample s of the tile

    /** Row {@code at}'s mean in lane s, summed in double. */
    private static float mean(float[][] x, int at, int n, int s) {
        double sum = 0;
        for (int j = 0; j < n; j++) sum += x[at + j][s];
        return (float) (sum / n);
    }

    private static float invStd(float[][] x, int at, int n, float mean, float epsilon, int s) {
        double squares = 0;
        for (int j = 0; j < n; j++) squares += (x[at + j][s] - mean) * (x[at + j][s] - mean);
        return (float) (1 / Math.sqrt(squares / n + epsilon));
    }

    public static void forwardTile(float[][] x, float[][] y, float[] gamma, float[] beta, float epsilon, int features) {
        int lanes = x.length == 0 ? 0 : x[0].length;
        for (int at = 0; at < x.length; at += features)
            for (int s = 0; s < lanes; s++) {
                float mean = mean(x, at, features, s), inv = invStd(x, at, features, mean, epsilon, s);
                for (int j = 0; j < features; j++) y[at + j][s] = (x[at + j][s] - mean) * inv * (gamma == null ? 1 : gamma[j]) + (beta == null ? 0 : beta[j]);
            }
    }

    /** The input gradient over tile rows; lanes past {@code count} get 0, so they add nothing to any weight gradient below. */
    public static void gradTile(float[][] x, float[][] dy, float[][] dx, float[] gamma, float epsilon, int features, int count) {
        for (int at = 0; at < x.length; at += features) {
            for (int s = 0; s < count; s++) {
                float mean = mean(x, at, features, s), inv = invStd(x, at, features, mean, epsilon, s);
                double sumG = 0, sumGx = 0;
                for (int j = 0; j < features; j++) {
                    float g = dy[at + j][s] * (gamma == null ? 1 : gamma[j]);
                    sumG += g;
                    sumGx += g * (x[at + j][s] - mean) * inv;
                }
                float meanG = (float) (sumG / features), meanGx = (float) (sumGx / features);
                for (int j = 0; j < features; j++)
                    dx[at + j][s] = inv * (dy[at + j][s] * (gamma == null ? 1 : gamma[j]) - meanG - (x[at + j][s] - mean) * inv * meanGx);
            }
            for (int j = 0; j < features; j++) java.util.Arrays.fill(dx[at + j], count, dx[at + j].length, 0);
        }
    }

    public static void paramGradTile(float[][] x, float[][] dy, float[] grad, boolean gamma, float epsilon, int features, int count) {
        for (int at = 0; at < x.length; at += features)
            for (int s = 0; s < count; s++) {
                float mean = gamma ? mean(x, at, features, s) : 0, inv = gamma ? invStd(x, at, features, mean, epsilon, s) : 1;
                for (int j = 0; j < features; j++) grad[j] += gamma ? dy[at + j][s] * (x[at + j][s] - mean) * inv : dy[at + j][s];
            }
    }
}
