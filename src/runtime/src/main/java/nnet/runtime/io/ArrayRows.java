package nnet.runtime.io;

import nnet.runtime.DataFormatException;
import nnet.runtime.Tensor;

import java.util.Arrays;

/** Rows already in memory as floats: a CSV file's, an {@code .npz}'s array, a Fortran-order {@code .npy}. */
public final class ArrayRows implements RowSource {
    private final String name;
    private final int[] shape;
    private final float[][] rows;

    private ArrayRows(String name, int[] shape, float[][] rows) {
        this.name = name;
        this.shape = shape.clone();
        this.rows = rows;
    }

    /** The rows of {@code t} along its first axis. */
    public static ArrayRows of(String name, Tensor t) {
        int[] shape = t.shape();
        if (shape.length == 0) throw new DataFormatException(name + ": a single number (shape ()), but rows need an array [N, ...] of N rows");
        if (shape[0] == 0) throw new DataFormatException(name + ": no data rows (shape " + Arrays.toString(shape) + ")");
        int width = t.data().length / shape[0];
        float[][] rows = new float[shape[0]][];
        for (int r = 0; r < rows.length; r++) rows[r] = Arrays.copyOfRange(t.data(), r * width, (r + 1) * width);
        return new ArrayRows(name, shape, rows);
    }

    /** Rows of equal width (a CSV file's), kept as they are. */
    public static ArrayRows of(String name, float[][] rows) {
        return new ArrayRows(name, new int[] {rows.length, rows.length == 0 ? 0 : rows[0].length}, rows);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int width() {
        return rows[0].length;
    }

    @Override
    public int blockRows() {
        return 1;
    }

    @Override
    public int rowBytes() {
        return width() * Float.BYTES;
    }

    @Override
    public void read(int row, float[] into, int at) {
        System.arraycopy(rows[row], 0, into, at, rows[row].length);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape);
    }
}
