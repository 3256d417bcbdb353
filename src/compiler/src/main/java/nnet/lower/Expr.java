package nnet.lower;

import nnet.ir.Op;
import nnet.ir.Param;

/**
 * The per-element expression of a fused loop: what one element of a buffer is, in terms of
 * elements of other buffers, bias params and constants, at the loop index {@code j}.
 */
public sealed interface Expr {
    /**
     * {@code buffer[offset + j]}, or {@code buffer[0]} when the buffer holds one value broadcast over
     * the loop; a non-zero offset reads a part of the buffer (a slice, fused into its reader).
     */
    record Load(Buffer buffer, int offset) implements Expr {}

    record Const(float value) implements Expr {}

    /** {@code bias[j % units]}: the bias of a dense layer, over rows of units. */
    record Bias(Param param, int units) implements Expr {}

    /** An activation of x. */
    record Activate(Op.ActivationSpec f, Expr x) implements Expr {}

    record Binary(Op op, Expr a, Expr b) implements Expr {}

    /** The derivative of an activation at x (the backward pass's DERIV). */
    record Derivative(Op.ActivationSpec f, Expr x) implements Expr {}

    /** The secant of an activation between x and x0 (the backward pass's SECANT, DeepLIFT's multiplier). */
    record Secant(Op.ActivationSpec f, Expr x, Expr x0) implements Expr {}
}
