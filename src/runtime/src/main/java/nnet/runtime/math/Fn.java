package nnet.runtime.math;

/**
 * Scalar functions that generated loops call. They are tiny and static, so the JIT inlines them;
 * keeping them here keeps the emitted bytecode short and readable. Activations are rows of
 * {@link Activation}, losses of {@link LossFunction}.
 */
public final class Fn {
    private Fn() {}

    public static float exp(float x) {
        return (float) Math.exp(x);
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
