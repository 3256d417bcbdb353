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
            case RELU -> x > 0 ? x : 0;
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case SIGMOID -> sigmoid(x);
            case TANH -> Math.tanh(x);
            case GELU -> 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
            default -> throw new IllegalArgumentException(op + " is not an activation");
        };
    }

    public static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
