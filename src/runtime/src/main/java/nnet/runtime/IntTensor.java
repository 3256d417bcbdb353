package nnet.runtime;

import java.util.Arrays;

/** An int32 tensor: a shape and its row-major data. Weights files use it for the indices of compact sparse kernels. */
public record IntTensor(int[] shape, int[] data) implements StoredTensor {
    public IntTensor {
        long n = Tensor.size(shape);
        if (n != data.length)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
    }

    @Override
    public String dtype() {
        return "I32";
    }

    @Override
    public int length() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IntTensor" + Arrays.toString(shape);
    }
}
