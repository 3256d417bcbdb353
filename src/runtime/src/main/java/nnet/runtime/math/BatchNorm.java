package nnet.runtime.math;

/**
 * Batch normalization's kernels, called by generated code (LANGUAGE.md §10, Batch normalization).
 * A tensor's element {@code k} belongs to channel {@code (k / inner) % channels}; one sample's
 * form takes its buffer, the tile form its tile rows {@code [element][lane]} and the count of real
 * lanes. While training, a train step runs in stages ({@link StagedTraining}): each part of the
 * batch (a sample or a tile) writes its partial sums, the runtime combines them over the batch,
 * and the next stage normalizes with the batch's statistics:
 * <ul>
 * <li>{@code stats} = {@code [mean(channels), 1 / sqrt(variance + epsilon)(channels)]} of the batch;
 * <li>{@code moments} partial = {@code [mean, sum of squared deviations]} of the part's values per channel;
 * <li>{@code gradSums} partial = {@code [sum dy, sum dy * xhat]} per channel, and {@code gradStats} their means over the batch.
 * </ul>
 * Gamma or beta is null without {@code scale:} or {@code center:}. Sums are in float, as the kernels
 * of the frameworks make them; parts are combined in double.
 */
public final class BatchNorm {
    private BatchNorm() {}

    // ---- predicting: the moving statistics

    /** The predicting batchnorm; without {@code mean} (null), the map an attribution applies to a gradient. */
    public static void predict(float[] x, float[] y, float[] mean, float[] variance, float[] gamma, float[] beta, float epsilon, int channels, int inner) {
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            y[k] = affine(x[k], mean == null ? 0 : mean[c], invStd(variance[c], epsilon), gamma, beta, c);
        }
    }

    public static void predictTile(float[][] x, float[][] y, float[] mean, float[] variance, float[] gamma, float[] beta, float epsilon, int channels, int inner) {
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            float m = mean == null ? 0 : mean[c], inv = invStd(variance[c], epsilon), g = gamma == null ? 1 : gamma[c], b = beta == null ? 0 : beta[c];
            float[] in = x[k], out = y[k];
            for (int s = 0; s < in.length; s++) out[s] = (in[s] - m) * inv * g + b;
        }
    }

    private static float invStd(float variance, float epsilon) {
        return (float) (1 / Math.sqrt(variance + (double) epsilon));
    }

    private static float affine(float x, float mean, float inv, float[] gamma, float[] beta, int c) {
        return (x - mean) * inv * (gamma == null ? 1 : gamma[c]) + (beta == null ? 0 : beta[c]);
    }

    // ---- training, forward: the part's moments, then the batch's normalization

    public static void moments(float[] x, float[] partial, int channels, int inner) {
        java.util.Arrays.fill(partial, 0);
        for (int k = 0; k < x.length; k++) partial[k / inner % channels] += x[k];
        int n = x.length / channels;
        for (int c = 0; c < channels; c++) partial[c] /= n;
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            float d = x[k] - partial[c];
            partial[channels + c] += d * d;
        }
    }

    public static void momentsTile(float[][] x, float[] partial, int channels, int inner, int count) {
        java.util.Arrays.fill(partial, 0);
        for (int k = 0; k < x.length; k++) {
            float sum = 0;
            for (int s = 0; s < count; s++) sum += x[k][s];
            partial[k / inner % channels] += sum;
        }
        int n = x.length / channels * count;
        for (int c = 0; c < channels; c++) partial[c] /= n;
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            float m = partial[c], sum = 0;
            for (int s = 0; s < count; s++) {
                float d = x[k][s] - m;
                sum += d * d;
            }
            partial[channels + c] += sum;
        }
    }

    public static void normalize(float[] x, float[] y, float[] stats, float[] gamma, float[] beta, int channels, int inner) {
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            y[k] = affine(x[k], stats[c], stats[channels + c], gamma, beta, c);
        }
    }

    public static void normalizeTile(float[][] x, float[][] y, float[] stats, float[] gamma, float[] beta, int channels, int inner) {
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            float m = stats[c], inv = stats[channels + c], g = gamma == null ? 1 : gamma[c], b = beta == null ? 0 : beta[c];
            float[] in = x[k], out = y[k];
            for (int s = 0; s < in.length; s++) out[s] = (in[s] - m) * inv * g + b;
        }
    }

    // ---- training, backward: the part's sums, then the batch's input gradient

    public static void gradSums(float[] x, float[] dy, float[] stats, float[] partial, int channels, int inner) {
        java.util.Arrays.fill(partial, 0);
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            partial[c] += dy[k];
            partial[channels + c] += dy[k] * (x[k] - stats[c]) * stats[channels + c];
        }
    }

    public static void gradSumsTile(float[][] x, float[][] dy, float[] stats, float[] partial, int channels, int inner, int count) {
        java.util.Arrays.fill(partial, 0);
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            float m = stats[c], inv = stats[channels + c], sum = 0, dot = 0;
            for (int s = 0; s < count; s++) {
                sum += dy[k][s];
                dot += dy[k][s] * (x[k][s] - m) * inv;
            }
            partial[c] += sum;
            partial[channels + c] += dot;
        }
    }

    /** {@code dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat))}, the means over the batch ({@code gradStats}). */
    public static void grad(float[] x, float[] dy, float[] dx, float[] stats, float[] gradStats, float[] gamma, int channels, int inner) {
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            float inv = stats[channels + c], xhat = (x[k] - stats[c]) * inv;
            dx[k] = (gamma == null ? 1 : gamma[c]) * inv * (dy[k] - gradStats[c] - xhat * gradStats[channels + c]);
        }
    }

    /** The same over tile rows; lanes past {@code count} get 0, so they add nothing to any weight gradient below. */
    public static void gradTile(float[][] x, float[][] dy, float[][] dx, float[] stats, float[] gradStats, float[] gamma, int channels, int inner, int count) {
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            float m = stats[c], inv = stats[channels + c], g = (gamma == null ? 1 : gamma[c]) * inv, mdy = gradStats[c], mdyx = gradStats[channels + c];
            float[] in = x[k], d = dy[k], out = dx[k];
            for (int s = 0; s < count; s++) out[s] = g * (d[s] - mdy - (in[s] - m) * inv * mdyx);
            java.util.Arrays.fill(out, count, out.length, 0);
        }
    }

    /** Adds one sample's part of gamma's gradient ({@code sum dy * xhat} per channel) or beta's ({@code sum dy}) into {@code grad}. */
    public static void paramGrad(float[] x, float[] dy, float[] stats, float[] grad, boolean gamma, int channels, int inner) {
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            grad[c] += gamma ? dy[k] * (x[k] - stats[c]) * stats[channels + c] : dy[k];
        }
    }

    public static void paramGradTile(float[][] x, float[][] dy, float[] stats, float[] grad, boolean gamma, int channels, int inner, int count) {
        for (int k = 0; k < x.length; k++) {
            int c = k / inner % channels;
            float m = stats[c], inv = stats[channels + c], sum = 0;
            for (int s = 0; s < count; s++) sum += gamma ? dy[k][s] * (x[k][s] - m) * inv : dy[k][s];
            grad[c] += sum;
        }
    }
}
