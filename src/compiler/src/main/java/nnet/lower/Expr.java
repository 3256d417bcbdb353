package nnet.lower;

import java.util.ArrayList;
import java.util.List;
import nnet.ir.Op;
import nnet.ir.Param;

/**
 * The per-element expression of a fused loop: what one element of a buffer is, in terms of
 * elements of other buffers, bias params and constants, at the loop index {@code j}.
 */
public sealed interface Expr {
    /** Its leaves (loads, biases, constants), left to right: the order the expression computes them in. */
    default List<Expr> leaves() {
        List<Expr> out = new ArrayList<>();
        addLeaves(this, out);
        return out;
    }

    private static void addLeaves(Expr e, List<Expr> out) {
        if (e instanceof Activate a) addLeaves(a.x(), out);
        else if (e instanceof Derivative d) addLeaves(d.x(), out);
        else if (e instanceof Secant s) {
            addLeaves(s.x(), out);
            addLeaves(s.x0(), out);
        } else if (e instanceof Binary b) {
            addLeaves(b.a(), out);
            addLeaves(b.b(), out);
        } else out.add(e);
    }

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
