package nnet.ir;

/**
 * A maxpool or avgpool over {@code k x k} windows, the window of output {@code (y, x)} starting at
 * input row {@code y strideY} and column {@code x strideX} (no padding): the argument of the pool
 * ops and their gradients.
 */
public record PoolSpec(int k, int strideY, int strideX) {
    /** The output size along an axis of {@code size} with {@code stride}: whole windows only. */
    public static int outputSize(int size, int k, int stride) {
        return (size - k) / stride + 1;
    }

    @Override
    public String toString() {
        return k + (strideY == k && strideX == k ? "" : strideY == strideX ? " stride " + strideY : " stride " + strideY + "x" + strideX);
    }
}
