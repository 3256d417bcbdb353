package nnet.runtime.math;

import nnet.runtime.io.Csv;

/**
 * A weight or activity penalty, {@code l1 Σ|w| + l2 Σw²} (LANGUAGE.md §6, Penalties): Keras'
 * {@code L1L2} regularizer, on the same scale ({@code l2} multiplies {@code w²} with no ½). The
 * double-precision methods are the definition, the float ones what the optimizer's step runs. The
 * derivative of |w| at 0 is taken as 0, as TensorFlow's and PyTorch's are.
 */
public record Penalty(float l1, float l2) {
    public Penalty {
        if (!(l1 >= 0) || !(l2 >= 0) || Float.isInfinite(l1) || Float.isInfinite(l2))
            throw new IllegalArgumentException("a penalty's factors are numbers of at least 0, got " + l1 + ", " + l2);
    }

    /** One entry's penalty. */
    public double value(double w) {
        return l1 * Math.abs(w) + l2 * w * w;
    }

    /** The derivative of {@link #value} at w. */
    public double derivative(double w) {
        return l1 * Math.signum(w) + 2 * l2 * w;
    }

    public float derivative(float w) {
        return l1 * Math.signum(w) + 2 * l2 * w;
    }

    /** The source's form: {@code l1(0.01)}, {@code l2(0.001)} or {@code l1_l2(0.01, 0.001)}. */
    @Override
    public String toString() {
        if (l2 == 0) return "l1(" + number(l1) + ")";
        if (l1 == 0) return "l2(" + number(l2) + ")";
        return "l1_l2(" + number(l1) + ", " + number(l2) + ")";
    }

    private static String number(float v) {
        return Csv.format(v);
    }
}
