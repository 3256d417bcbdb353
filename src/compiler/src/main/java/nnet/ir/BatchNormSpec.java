package nnet.ir;

/**
 * A batchnorm's weights and settings (Keras' meanings). The channel axis is the first of a
 * {@code [C, H, W]} image and the last axis otherwise; element {@code k} of the normalized tensor
 * belongs to channel {@code (k / inner) % channels}, and each sample holds {@link #positions} values
 * of each channel.
 *
 * @param gamma          the scale, or null without {@code scale: true}
 * @param beta           the shift, or null without {@code center: true}
 * @param movingMean     the moving mean, updated by each train step, read when predicting; null in a {@link #derivative}
 * @param movingVariance the moving variance, likewise
 * @param momentum       {@code moving = momentum * moving + (1 - momentum) * batch}
 * @param epsilon        added to the variance before its square root
 * @param inner          values between two channels of the same position: H x W for an image, else 1
 */
public record BatchNormSpec(Param gamma, Param beta, Param movingMean, Param movingVariance, float momentum, float epsilon, int channels, int inner, int size) {
    /** The layer's name ({@code h}, {@code r1.h}). */
    public String layer() {
        return movingVariance.layer();
    }

    /** Values of each channel in one sample. */
    public int positions() {
        return size / channels;
    }

    public int channelOf(int k) {
        return k / inner % channels;
    }

    /**
     * The derivative of the predicting batchnorm, as a batchnorm to apply to {@code dy}: the same scale
     * {@code gamma / sqrt(moving_variance + epsilon)}, without the mean and the shift (an attribution's rule).
     */
    public BatchNormSpec derivative() {
        return new BatchNormSpec(gamma, null, null, movingVariance, momentum, epsilon, channels, inner, size);
    }

    /** Which of its params a {@code BATCHNORM_PARAM_GRAD} differentiates: {@code gamma} (its scale) or {@code beta}. */
    public record ParamGrad(BatchNormSpec spec, boolean gamma) {
        public Param param() {
            return gamma ? spec.gamma() : spec.beta();
        }
    }

    @Override
    public String toString() {
        return layer() + "(momentum " + momentum + ", epsilon " + epsilon + (gamma == null ? ", no scale" : "") + (beta == null ? ", no center" : "") + ")";
    }
}
