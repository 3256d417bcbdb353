package nnet.interp;

import nnet.ir.Op;

/**
 * The activation functions in double precision. gelu is the tanh approximation (PyTorch's
 * {@code approximate='tanh'}), which the generated code computes the same way.
 */
public final class Activations {
    private Activations() {}

    public static final double GELU_C = 0.7978845608028654; // sqrt(2 / pi)

    public static double apply(Op op, double x, double alpha) {
        return switch (op) {
            case RELU -> Math.max(x, 0); // NaN stays NaN, as in the generated code
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case SIGMOID -> sigmoid(x);
            case TANH -> Math.tanh(x);
            case GELU -> 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
            default -> throw new IllegalArgumentException(op + " is not an activation");
        };
    }

    /** f'(x) of each activation, as the backward pass's DERIV op defines it (relu'(0) = 0). */
    public static double derivative(Op op, double x, double alpha) {
        return switch (op) {
            case RELU -> Double.isNaN(x) ? x : x > 0 ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : alpha;
            case SIGMOID -> sigmoid(x) * (1 - sigmoid(x));
            case TANH -> 1 - Math.tanh(x) * Math.tanh(x);
            case GELU -> {
                double u = GELU_C * (x + 0.044715 * x * x * x), t = Math.tanh(u);
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
            }
            default -> throw new IllegalArgumentException(op + " is not an activation");
        };
    }

    public static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
