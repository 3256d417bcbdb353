package nnet.runtime;

/**
 * Scalar functions that generated loops call. They are tiny and static, so the JIT inlines them;
 * keeping them here keeps the emitted bytecode short and readable.
 */
public final class Fn {
    private Fn() {}

    private static final float GELU_C = 0.7978845608028654f; // sqrt(2 / pi)

    /** {@code max(x, 0)}: C2 compiles Math.max to branch-free code (half the signs of a layer are a coin toss for a branch). NaN stays NaN. */
    public static float relu(float x) {
        return Math.max(x, 0f);
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

    // ---- derivatives, as the interpreter's Activations.derivative defines them (relu'(0) = 0)

    /**
     * 1 where x > 0, else 0 (NaN stays NaN), without a branch: scaled by 2^200 any positive float
     * is at least 1 (the smallest is 2^-149), then clamped to [0, 1].
     */
    public static float reluDerivative(float x) {
        return Math.min(Math.max(x * 0x1p100f * 0x1p100f, 0f), 1f);
    }

    public static float leakyReluDerivative(float x, float alpha) {
        return x > 0 ? 1 : alpha;
    }

    public static float sigmoidDerivative(float x) {
        float s = sigmoid(x);
        return s * (1 - s);
    }

    public static float tanhDerivative(float x) {
        float t = tanh(x);
        return 1 - t * t;
    }

    public static float geluDerivative(float x) {
        double u = GELU_C * (x + 0.044715 * x * x * x), t = Math.tanh(u);
        return (float) (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x));
    }

    // ---- convolution: which output positions of a kernel tap read inside the image (padding is never read)

    /** The first output position {@code y >= 0} with {@code y * stride + offset >= 0}. */
    public static int firstInside(int offset, int stride) {
        return offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    }

    /** One past the last output position {@code y < count} with {@code y * stride + offset < size}. */
    public static int endInside(int size, int offset, int stride, int count) {
        int last = size - 1 - offset;
        return last < 0 ? 0 : Math.min(count, last / stride + 1);
    }
}
