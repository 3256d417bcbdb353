package nnet.ir;

import java.util.EnumSet;
import java.util.Set;
import nnet.runtime.math.Activation;
import nnet.runtime.math.LossFunction;

/**
 * Every operation of the IR. Few primitives: a dense layer is LINEAR then BIAS_ADD then an
 * activation; a gate is MUL and SUB; lowering fuses them back into one loop. The groups below
 * are what passes match on, instead of listing ops one by one.
 */
public enum Op {
    /** A network input; arg: null (floats), or {@link InputType#INT} (the node's name is the input's). */
    INPUT(0),
    /** A scalar constant broadcast over its consumer; arg: {@code Float}. */
    CONST(0),
    /** {@code x[..., n] · W[n, m] -> [..., m]} over the present connections of W; arg: kernel {@link Param}. */
    LINEAR(1),
    /** {@code x[..., m] + b[m]}; arg: bias {@link Param}. */
    BIAS_ADD(1),
    /** Elementwise binary ops; an operand of shape [1] broadcasts. */
    ADD(2), SUB(2), MUL(2), DIV(2),
    /** An activation, elementwise; arg: {@link ActivationSpec} (which one, from the {@link Activation} table). */
    ACTIVATION(1),
    /** Softmax over the last axis. */
    SOFTMAX(1),
    /** Same data, new shape (flatten, reshape): no code, the buffer is shared. */
    RESHAPE(1),
    /** Concatenation of the inputs along an axis; arg: {@code Integer} axis (non-negative). */
    CONCAT(-1),
    /** {@code [C, H, W] -> [F, H', W']}; arg: {@link ConvSpec}. */
    CONV2D(1),
    /** {@code [C, H, W] -> [C, H/k, W/k]}; arg: {@code Integer} k (window and stride). */
    MAXPOOL(1), AVGPOOL(1),
    /** {@code [T, F] -> [units]} or {@code [T, units]}; arg: {@link LstmSpec}. Expanded into a {@link #LOOP} before autodiff. */
    LSTM(1),
    /** A loop over time whose body is one step (an lstm's cell; its backward step); arg: {@link LoopSpec}. Inputs: see there. No value of its own. */
    LOOP(-2),
    /** What a loop computed: a body node at every step, stacked, or summed; arg: {@link LoopSpec.Out}. */
    LOOP_OUT(1),
    /**
     * Inverted dropout; arg: {@link DropoutSpec}. While training {@code x * keep / (1 - rate)}, keep drawn
     * per sample, step and element from the run's seed ({@code nnet.runtime.math.Dropout}); otherwise the
     * identity. Linear in x with the same mask, so it is its own adjoint.
     */
    DROPOUT(1),
    /**
     * Batch normalization per channel ({@link BatchNormSpec}): while training with the statistics of the
     * batch (over its samples and the channel's positions), which couples the samples of a batch;
     * otherwise with the moving statistics, an affine map per channel.
     */
    BATCHNORM(1),
    /** {@code tokens[...] -> [..., dim]}: at each position the row of the embeddings {@code [vocab, dim]} its token id names; arg: the embeddings {@link Param}. */
    EMBEDDING(1),
    /** Layer normalization ({@link LayerNormSpec}): each row of the last axis by its own mean and variance, one sample alone, the same while training and predicting. */
    LAYERNORM(1),

    // ---- ops of the backward pass (nnet.autodiff), each the adjoint of a forward op

    /** The derivative of an activation at x, elementwise; arg: the {@link ActivationSpec} it differentiates. */
    DERIV(1),
    /** {@code dz[..., m] -> dx[..., n]}: dx[r, i] = sum_j W[i, j] dz[r, j] over present (i, j); arg: kernel {@link Param}. */
    LINEAR_T(1),
    /** {@code (x[..., n], dz[..., m]) -> dW[n, m]} summed over rows; 0 at absent and frozen entries; arg: kernel {@link Param}. */
    WEIGHT_GRAD(2),
    /** {@code [..., m] -> [m]}: the sum over rows (a bias gradient); arg: the bias {@link Param} or null, whose absent entries stay 0. */
    ROW_SUM(1),
    /** The inverse of SLICE: the input placed at {@code offset} along the axis of a zero tensor of the node's shape (the gradient of a slice); arg: {@link SliceSpec}. */
    EMBED(1),
    /** {@code [...] -> [1]}: the sum of all elements (the gradient of a broadcast operand). */
    SUM(1),
    /** A part of the input along an axis (the gradient of concat; an lstm's time step and gates); arg: {@link SliceSpec}. */
    SLICE(1),
    /** {@code (y, dy) -> dx} of a softmax over the last axis: y * (dy - sum(dy * y)). */
    SOFTMAX_GRAD(2),
    /** {@code dy[F, H', W'] -> dx[C, H, W]}: the input gradient of a conv2d over its present channel pairs; arg: {@link ConvSpec}. */
    CONV2D_INPUT_GRAD(1),
    /** {@code (x, dy) -> dK[F, C, kh, kw]}, 0 at absent channel pairs; arg: {@link ConvSpec}. */
    CONV2D_KERNEL_GRAD(2),
    /** {@code dy[F, H', W'] -> [F]}: the sum over positions (a conv bias gradient); arg: {@link ConvSpec}. */
    CONV2D_BIAS_GRAD(1),
    /** {@code (x, dy) -> dx}: each window's gradient goes to its first maximum; arg: {@code Integer} k. */
    MAXPOOL_GRAD(2),
    /** {@code dy -> dx}: each window's gradient spread evenly; arg: {@code Integer} k. */
    AVGPOOL_GRAD(1),
    /**
     * {@code (z, z0) -> (f(z) - f(z0)) / (z - z0)}, elementwise (f'(z) where z and z0 are within
     * {@link Activation#SECANT_NEAR}): DeepLIFT's multiplier in place of {@link #DERIV}, z0 the value at the
     * baseline (nnet.autodiff.AttributionPass); arg: the {@link ActivationSpec}.
     */
    SECANT(2),
    /**
     * {@code (x, dy) -> dx} of a batchnorm while training, {@code gamma / sigma * (dy - mean(dy) - xhat mean(dy xhat))}
     * with the means over the batch: it couples the samples as its forward op does; arg: {@link BatchNormSpec}.
     */
    BATCHNORM_GRAD(2),
    /**
     * {@code (x, dy) -> [channels]}: one sample's part of the gradient of a batchnorm's gamma (the sum of
     * {@code dy * xhat} over the channel's positions, xhat by the batch's statistics) or beta (of dy);
     * arg: {@link BatchNormSpec.ParamGrad}.
     */
    BATCHNORM_PARAM_GRAD(2),
    /** {@code (tokens, dy) -> [vocab, dim]}: each position's dy added into the row of its token, only rows used get any; arg: the embeddings {@link Param}. */
    EMBEDDING_GRAD(2),
    /** {@code (x, dy) -> dx} of a layernorm, {@code inv * (g - mean(g) - xhat * mean(g * xhat))} with {@code g = dy * gamma}, the means over each row; arg: {@link LayerNormSpec}. */
    LAYERNORM_GRAD(2),
    /** {@code (x, dy) -> [features]}: one sample's part of a layernorm's gamma gradient (dy * xhat summed over rows) or beta's (dy); arg: {@link LayerNormSpec.ParamGrad}. */
    LAYERNORM_PARAM_GRAD(2),
    /** {@code (y, target) -> [1]}: the loss of one sample; arg: its {@link LossFunction}. */
    LOSS(2),
    /** {@code (y, target) -> dL/dy}; arg: its {@link LossFunction}. */
    LOSS_GRAD(2);

    /** Which activation an ACTIVATION applies or a DERIV differentiates, with leaky_relu's slope (0 for the others). */
    public record ActivationSpec(Activation fn, float alpha) {
        @Override
        public String toString() {
            return fn.name + (fn.takesSlope ? "(" + alpha + ")" : "");
        }
    }

    /** What an input holds when not floats: {@code input tokens[100] int}, whole numbers (token ids), read only by an embedding. */
    public enum InputType {
        INT;

        @Override
        public String toString() {
            return "int";
        }
    }

    /** A dropout's rate (the fraction of values zeroed while training) and the layer's stream of masks ({@code salt}, from its name). */
    public record DropoutSpec(float rate, String layer) {
        public int salt() {
            return layer.hashCode();
        }

        @Override
        public String toString() {
            return layer + "(" + rate + ")";
        }
    }

    /** {@code length} entries of {@code axis} from {@code offset}. */
    public record SliceSpec(int axis, int offset, int length) {}

    /** How many inputs a node of the op reads; -1: two or more (concat); -2: one or more (loop). */
    public final int arity;

    Op(int arity) {
        this.arity = arity;
    }

    /** Whether a node of the op may read {@code inputs} inputs. */
    public boolean accepts(int inputs) {
        return arity == -1 ? inputs >= 2 : arity == -2 ? inputs >= 1 : inputs == arity;
    }

    /** Ops that compute differently while training (a train step's forward pass) than when predicting. */
    public static final Set<Op> TRAINING_MODE = EnumSet.of(DROPOUT, BATCHNORM);

    /** Ops whose value for one sample depends on the other samples of the batch: a train step runs them in stages (LANGUAGE.md §10). */
    public static final Set<Op> BATCH_COUPLED = EnumSet.of(BATCHNORM, BATCHNORM_GRAD);

    /** Ops computed one element at a time at the same index: lowering fuses chains of them into one loop. */
    public static final Set<Op> ELEMENTWISE = EnumSet.of(BIAS_ADD, ADD, SUB, MUL, DIV, ACTIVATION, DERIV, SECANT);

    public String lower() {
        return name().toLowerCase();
    }
}
