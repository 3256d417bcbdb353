package nnet.runtime;

/**
 * Scalar functions that generated loops call. They are tiny and static, so the JIT inlines them;
 * keeping them here keeps the emitted bytecode short and readable.
 */
public final class Fn {
    private Fn() {}

    private static final float GELU_C = 0.7978845608028654f; // sqrt(2 / pi)

    public static float relu(float x) {
        return x > 0 ? x : 0;
    }

    public static float leakyRelu(float x, float alpha) {
        return x > 0 ? x : alpha * x;
    }

    public static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    public static float tanh(float x) {
        return (float) Math.tanh(x);
    }

    /** The tanh approximation, as the interpreter defines it. */
    public static float gelu(float x) {
        return (float) (0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x))));
    }

    public static float exp(float x) {
        return (float) Math.exp(x);
    }
}
