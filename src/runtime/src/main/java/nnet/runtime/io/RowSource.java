package nnet.runtime.io;

import nnet.runtime.Tensor;

/**
 * The rows of one array (its first axis), read as they are needed: a file far larger than the
 * heap is read a block of rows at a time, in its own dtype, and each row widened to floats when it
 * is asked for. Reading rows in order, or within a few blocks of each other, reads each block once;
 * {@link #keepRows} says how far apart the rows asked for may be. Not safe for use by several
 * threads at once (each command reads its rows from one thread).
 */
public interface RowSource extends AutoCloseable {
    /** The file (and array or dataset) the rows come from, for messages: {@code genotype.h5:/X}. */
    String name();

    /** The array's shape: {@code [rows, ...]}; each row is the rest flattened, row-major. */
    int[] shape();

    default int rows() {
        return shape()[0];
    }

    /** Values per row. */
    default int width() {
        return Math.toIntExact(Tensor.size(java.util.Arrays.copyOfRange(shape(), 1, shape().length)));
    }

    /** Rows stored together (a block of a file, an HDF5 chunk's rows): reading one of them reads them all. */
    int blockRows();

    /** Bytes one row takes while it is kept (the file's, not the float's: a uint8 genotype is one byte a value). */
    int rowBytes();

    /** Row {@code row} (from 0) widened to floats, into {@code into[at .. at + width())}. */
    void read(int row, float[] into, int at);

    /** Row {@code row} as a new array. */
    default float[] row(int row) {
        float[] out = new float[width()];
        read(row, out, 0);
        return out;
    }

    /**
     * Keeps the blocks of about {@code rows} rows read last, so that rows asked for within that
     * many of each other (a shuffle's window) are read from the file once; {@link #rows()} keeps
     * every row once read. The default keeps a block or two: rows read in order.
     */
    default void keepRows(int rows) {}

    @Override
    default void close() {}
}
