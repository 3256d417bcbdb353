package nnet.runtime;

import java.util.Arrays;

/** A named-free float32 tensor: a shape and its row-major data. Used by weights files and the CLI. */
public record Tensor(int[] shape, float[] data) implements StoredTensor {
    public Tensor {
        long n = size(shape);
        if (n != data.length)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(shape.clone(), new float[Math.toIntExact(size(shape))]);
    }

    public static long size(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    @Override
    public String dtype() {
        return "F32";
    }

    @Override
    public int length() {
        return data.length;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
