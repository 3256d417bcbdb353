package nnet.interp;

import nnet.ir.BatchNormSpec;
import nnet.ir.LayerNormSpec;
import nnet.ir.Op;
import nnet.runtime.math.Dropout;

/**
 * The definitions of the ops of dropout, batchnorm, layernorm and embedding, in double precision: the values
 * {@link Interpreter} gives them, one sample at a time. A batchnorm's statistics ({@code stats}:
 * {@code [mean, 1 / sqrt(variance + epsilon)]} per channel) and its gradient's means come from
 * {@link BatchStatistics}.
 */
final class FieldLayerOps {
    private FieldLayerOps() {}

    /** While training x * keep / (1 - rate), the mask of sample {@code sample} under {@code key}; else x. */
    static double[] dropout(Op.DropoutSpec d, double[] x, boolean training, long key, int sample) {
        if (!training) return x.clone();
        double scale = 1 / (1 - (double) d.rate());
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) out[k] = Dropout.keeps(key, d.salt(), sample, k, d.rate()) ? x[k] * scale : 0;
        return out;
    }

    /** {@code (x - mean) / sigma * gamma + beta} per channel; gamma or beta null without scale or center. */
    static double[] batchnorm(BatchNormSpec b, double[] x, double[][] stats, double[] gamma, double[] beta) {
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            int c = b.channelOf(k);
            out[k] = (x[k] - stats[0][c]) * stats[1][c] * (gamma == null ? 1 : gamma[c]) + (beta == null ? 0 : beta[c]);
        }
        return out;
    }

    /** {@code gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat))}, the means over the batch. */
    static double[] batchnormGrad(BatchNormSpec b, double[] x, double[] dy, double[][] stats, double[][] means, double[] gamma) {
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            int c = b.channelOf(k);
            double xhat = (x[k] - stats[0][c]) * stats[1][c];
            out[k] = (gamma == null ? 1 : gamma[c]) * stats[1][c] * (dy[k] - means[0][c] - xhat * means[1][c]);
        }
        return out;
    }

    /** One sample's part of gamma's gradient (sum of dy * xhat per channel) or beta's (sum of dy). */
    static double[] batchnormParamGrad(BatchNormSpec.ParamGrad pg, double[] x, double[] dy, double[][] stats) {
        double[] out = new double[pg.spec().channels()];
        for (int k = 0; k < x.length; k++) {
            int c = pg.spec().channelOf(k);
            out[c] += pg.gamma() ? dy[k] * (x[k] - stats[0][c]) * stats[1][c] : dy[k];
        }
        return out;
    }

    /** Each row's mean and {@code 1 / sqrt(variance + epsilon)}, the variance biased (over the row's features). */
    private static double[][] rowStatistics(LayerNormSpec l, double[] x) {
        int f = l.features(), rows = x.length / f;
        double[][] stats = new double[2][rows];
        for (int r = 0; r < rows; r++) {
            double mean = 0, squares = 0;
            for (int j = 0; j < f; j++) mean += x[r * f + j] / f;
            for (int j = 0; j < f; j++) squares += (x[r * f + j] - mean) * (x[r * f + j] - mean) / f;
            stats[0][r] = mean;
            stats[1][r] = 1 / Math.sqrt(squares + l.epsilon());
        }
        return stats;
    }

    /** {@code (x - mean) / sigma * gamma + beta}, mean and sigma each row's; gamma or beta null without scale or center. */
    static double[] layernorm(LayerNormSpec l, double[] x, double[] gamma, double[] beta) {
        double[][] stats = rowStatistics(l, x);
        double[] out = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            int r = k / l.features(), j = k % l.features();
            out[k] = (x[k] - stats[0][r]) * stats[1][r] * (gamma == null ? 1 : gamma[j]) + (beta == null ? 0 : beta[j]);
        }
        return out;
    }

    /** {@code inv * (g - mean(g) - xhat * mean(g * xhat))} with {@code g = dy * gamma}, the means over each row. */
    static double[] layernormGrad(LayerNormSpec l, double[] x, double[] dy, double[] gamma) {
        double[][] stats = rowStatistics(l, x);
        int f = l.features();
        double[] out = new double[x.length];
        for (int r = 0; r < x.length / f; r++) {
            double meanG = 0, meanGx = 0;
            for (int j = 0; j < f; j++) {
                double g = dy[r * f + j] * (gamma == null ? 1 : gamma[j]);
                meanG += g / f;
                meanGx += g * (x[r * f + j] - stats[0][r]) * stats[1][r] / f;
            }
            for (int j = 0; j < f; j++) {
                double g = dy[r * f + j] * (gamma == null ? 1 : gamma[j]), xhat = (x[r * f + j] - stats[0][r]) * stats[1][r];
                out[r * f + j] = stats[1][r] * (g - meanG - xhat * meanGx);
            }
        }
        return out;
    }

    /** One sample's part of gamma's gradient (dy * xhat summed over the rows, per feature) or beta's (dy). */
    static double[] layernormParamGrad(LayerNormSpec.ParamGrad pg, double[] x, double[] dy) {
        LayerNormSpec l = pg.spec();
        double[][] stats = rowStatistics(l, x);
        double[] out = new double[l.features()];
        for (int k = 0; k < x.length; k++) {
            int r = k / l.features();
            out[k % l.features()] += pg.gamma() ? dy[k] * (x[k] - stats[0][r]) * stats[1][r] : dy[k];
        }
        return out;
    }

    /** The rows of {@code table [vocab, dim]} the token ids name, one after the other. */
    static double[] embedding(double[] tokens, double[] table, int vocab, int dim) {
        double[] out = new double[tokens.length * dim];
        for (int t = 0; t < tokens.length; t++) System.arraycopy(table, token(tokens[t], vocab, t) * dim, out, t * dim, dim);
        return out;
    }

    /** Each position's gradient added into the row of its token. */
    static double[] embeddingGrad(double[] tokens, double[] dy, int vocab, int dim) {
        double[] out = new double[vocab * dim];
        for (int t = 0; t < tokens.length; t++) {
            int row = token(tokens[t], vocab, t);
            for (int j = 0; j < dim; j++) out[row * dim + j] += dy[t * dim + j];
        }
        return out;
    }

    /** A token id: a whole number below the vocabulary's size. */
    private static int token(double v, int vocab, int position) {
        if (v != Math.rint(v) || v < 0 || v >= vocab) throw new IllegalArgumentException("position " + position + " holds " + v + ", not a token id from 0 to " + (vocab - 1));
        return (int) v;
    }
}
