package nnet.interp;

import nnet.ir.BatchNormSpec;

/**
 * What a batchnorm reads of the whole batch, in double precision, by definition: the mean and
 * {@code 1 / sqrt(variance + epsilon)} of each channel (the variance biased, over the batch's samples
 * and the channel's positions), and for its gradient the means of {@code dy} and {@code dy * xhat}.
 */
final class BatchStatistics {
    private BatchStatistics() {}

    /** {@code [mean, 1 / sqrt(variance + epsilon)]} per channel of {@code x[sample][element]}. */
    static double[][] moments(BatchNormSpec b, double[][] x) {
        int channels = b.channels();
        double n = (double) x.length * b.positions();
        double[] mean = new double[channels], variance = new double[channels];
        for (double[] sample : x) for (int k = 0; k < sample.length; k++) mean[b.channelOf(k)] += sample[k] / n;
        for (double[] sample : x)
            for (int k = 0; k < sample.length; k++) {
                double d = sample[k] - mean[b.channelOf(k)];
                variance[b.channelOf(k)] += d * d / n;
            }
        return withInvStd(b, mean, variance);
    }

    /** The same from the moving statistics, as predicting reads them. */
    static double[][] moving(BatchNormSpec b, double[] mean, double[] variance) {
        return withInvStd(b, mean.clone(), variance);
    }

    private static double[][] withInvStd(BatchNormSpec b, double[] mean, double[] variance) {
        double[] inv = new double[mean.length];
        for (int c = 0; c < inv.length; c++) inv[c] = 1 / Math.sqrt(variance[c] + b.epsilon());
        return new double[][] {mean, inv};
    }

    /** {@code [mean(dy), mean(dy * xhat)]} per channel over the batch, xhat from the forward pass's {@code stats}. */
    static double[][] gradientMeans(BatchNormSpec b, double[][] stats, double[][] x, double[][] dy) {
        int channels = b.channels();
        double n = (double) x.length * b.positions();
        double[] mdy = new double[channels], mdyx = new double[channels];
        for (int s = 0; s < x.length; s++)
            for (int k = 0; k < x[s].length; k++) {
                int c = b.channelOf(k);
                mdy[c] += dy[s][k] / n;
                mdyx[c] += dy[s][k] * (x[s][k] - stats[0][c]) * stats[1][c] / n;
            }
        return new double[][] {mdy, mdyx};
    }
}
