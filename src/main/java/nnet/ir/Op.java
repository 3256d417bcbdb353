package nnet.ir;

import java.util.EnumSet;
import java.util.Set;

/**
 * Every operation of the IR. Few primitives: a dense layer is LINEAR then BIAS_ADD then an
 * activation; a gate is MUL and SUB; lowering fuses them back into one loop. The groups below
 * are what passes match on, instead of listing ops one by one.
 */
public enum Op {
    /** A network input; arg: none (the node's name is the input's). */
    INPUT,
    /** A scalar constant broadcast over its consumer; arg: {@code Float}. */
    CONST,
    /** {@code x[..., n] · W[n, m] -> [..., m]} over the present connections of W; arg: kernel {@link Param}. */
    LINEAR,
    /** {@code x[..., m] + b[m]}; arg: bias {@link Param}. */
    BIAS_ADD,
    /** Elementwise binary ops; an operand of shape [1] broadcasts. */
    ADD, SUB, MUL, DIV,
    /** Activations, elementwise; LEAKY_RELU's arg is its slope ({@code Float}). */
    RELU, SIGMOID, TANH, GELU, LEAKY_RELU,
    /** Softmax over the last axis. */
    SOFTMAX,
    /** Same data, new shape (flatten, reshape): no code, the buffer is shared. */
    RESHAPE,
    /** Concatenation of the inputs along an axis; arg: {@code Integer} axis (non-negative). */
    CONCAT,
    /** {@code [C, H, W] -> [F, H', W']}; arg: {@link ConvSpec}. */
    CONV2D,
    /** {@code [C, H, W] -> [C, H/k, W/k]}; arg: {@code Integer} k (window and stride). */
    MAXPOOL, AVGPOOL,
    /** {@code [T, F] -> [units]} or {@code [T, units]}; arg: {@link LstmSpec}. */
    LSTM,

    // ---- ops of the backward pass (nnet.autodiff), each the adjoint of a forward op

    /** The derivative of an activation at x, elementwise; arg: {@link Derivative}. */
    DERIV,
    /** {@code dz[..., m] -> dx[..., n]}: dx[r, i] = sum_j W[i, j] dz[r, j] over present (i, j); arg: kernel {@link Param}. */
    LINEAR_T,
    /** {@code (x[..., n], dz[..., m]) -> dW[n, m]} summed over rows; 0 at absent and frozen entries; arg: kernel {@link Param}. */
    WEIGHT_GRAD,
    /** {@code [..., m] -> [m]}: the sum over rows (a bias gradient); arg: the bias {@link Param} or null, whose absent entries stay 0. */
    ROW_SUM,
    /** The inverse of SLICE: the input placed at {@code offset} along the axis of a zero tensor of the node's shape (the gradient of a slice); arg: {@link SliceSpec}. */
    EMBED,
    /** {@code [...] -> [1]}: the sum of all elements (the gradient of a broadcast operand). */
    SUM,
    /** A part of the input along an axis (the gradient of concat; an lstm's time step and gates); arg: {@link SliceSpec}. */
    SLICE,
    /** {@code (y, dy) -> dx} of a softmax over the last axis: y * (dy - sum(dy * y)). */
    SOFTMAX_GRAD,
    /** {@code dy[F, H', W'] -> dx[C, H, W]}: the input gradient of a conv2d over its present channel pairs; arg: {@link ConvSpec}. */
    CONV2D_INPUT_GRAD,
    /** {@code (x, dy) -> dK[F, C, kh, kw]}, 0 at absent channel pairs; arg: {@link ConvSpec}. */
    CONV2D_KERNEL_GRAD,
    /** {@code dy[F, H', W'] -> [F]}: the sum over positions (a conv bias gradient); arg: {@link ConvSpec}. */
    CONV2D_BIAS_GRAD,
    /** {@code (x, dy) -> dx}: each window's gradient goes to its first maximum; arg: {@code Integer} k. */
    MAXPOOL_GRAD,
    /** {@code dy -> dx}: each window's gradient spread evenly; arg: {@code Integer} k. */
    AVGPOOL_GRAD,
    /** {@code (y, target) -> [1]}: the loss of one sample; arg: the loss name. */
    LOSS,
    /** {@code (y, target) -> dL/dy}; arg: the loss name. */
    LOSS_GRAD;

    /** Which activation a DERIV differentiates, with leaky_relu's slope. */
    public record Derivative(Op of, float alpha) {}

    /** {@code length} entries of {@code axis} from {@code offset}. */
    public record SliceSpec(int axis, int offset, int length) {}

    public static final Set<Op> BINARY = EnumSet.of(ADD, SUB, MUL, DIV);
    public static final Set<Op> ACTIVATION = EnumSet.of(RELU, SIGMOID, TANH, GELU, LEAKY_RELU);
    /** Ops computed one element at a time at the same index: lowering fuses chains of them into one loop. */
    public static final Set<Op> ELEMENTWISE = EnumSet.of(BIAS_ADD, ADD, SUB, MUL, DIV, RELU, SIGMOID, TANH, GELU, LEAKY_RELU, DERIV);
    /** Ops that own weights. */
    public static final Set<Op> PARAMETRIC = EnumSet.of(LINEAR, BIAS_ADD, CONV2D, LSTM);

    public String lower() {
        return name().toLowerCase();
    }
}
