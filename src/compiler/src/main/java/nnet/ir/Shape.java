package nnet.ir;

import java.util.Arrays;

/** The static shape of a tensor, e.g. {@code [8, 28, 28]}. Row-major, last axis fastest. */
public record Shape(int... dims) {
    public Shape {
        dims = dims.clone();
    }

    public static final Shape SCALAR = new Shape(1);

    /** A copy: shapes are shared between nodes and must never change. */
    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    public int last() {
        return dims[dims.length - 1];
    }

    /** Number of elements; callers have checked it fits an int (see {@link #sizeLong()}). */
    public int size() {
        return Math.toIntExact(sizeLong());
    }

    public long sizeLong() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Rows when the last axis is the feature axis: {@code [T, F]} has T rows, {@code [F]} one. */
    public int outer() {
        return size() / last();
    }

    /** Elements of the axes before {@code axis}: how many blocks a concat or slice along it copies. */
    public int sizeBefore(int axis) {
        int n = 1;
        for (int d = 0; d < axis; d++) n *= dims[d];
        return n;
    }

    /** Elements of the axes after {@code axis}: one entry of that axis, as a contiguous run. */
    public int sizeAfter(int axis) {
        int n = 1;
        for (int d = axis + 1; d < dims.length; d++) n *= dims[d];
        return n;
    }

    public Shape withLast(int units) {
        int[] d = dims.clone();
        d[d.length - 1] = units;
        return new Shape(d);
    }

    public Shape withDim(int axis, int size) {
        int[] d = dims.clone();
        d[axis] = size;
        return new Shape(d);
    }

    public boolean isScalar() {
        return dims.length == 1 && dims[0] == 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
