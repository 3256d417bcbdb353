package nnet.ir;

/**
 * A layernorm's weights and settings (Keras' {@code LayerNormalization(axis=-1)}): each row of the
 * last axis ({@code features} values) normalized by its own mean and (biased) variance, then times
 * {@code gamma} plus {@code beta}, per feature. Element {@code k} is feature {@code k % features} of
 * row {@code k / features}.
 *
 * @param layer   the layer's name ({@code h}, {@code r1.h}): its weights are {@code layer.gamma}, {@code layer.beta}
 * @param gamma   the scale, or null without {@code scale: true}
 * @param beta    the shift, or null without {@code center: true}
 * @param epsilon added to the variance before its square root
 */
public record LayerNormSpec(String layer, Param gamma, Param beta, float epsilon, int features) {
    /** Which of its params a {@code LAYERNORM_PARAM_GRAD} differentiates: {@code gamma} (its scale) or {@code beta}. */
    public record ParamGrad(LayerNormSpec spec, boolean gamma) {
        public Param param() {
            return gamma ? spec.gamma() : spec.beta();
        }
    }

    @Override
    public String toString() {
        return layer + "(epsilon " + epsilon + (gamma == null ? ", no scale" : "") + (beta == null ? ", no center" : "") + ")";
    }
}
