package nnet.runtime.math;

import nnet.runtime.Tensor;

/**
 * The compressed-sparse-row structure of an {@code n x m} 0/1 connectivity: row {@code i}'s
 * present columns are {@code colIndex[rowStart[i] .. rowStart[i+1])}, ascending. Generated code
 * walks it so that absent connections are never visited.
 */
public record SparseIndex(int rows, int cols, int[] rowStart, int[] colIndex) {
    public interface Present {
        boolean at(int i, int j);
    }

    public int count() {
        return colIndex.length;
    }

    public static SparseIndex of(int rows, int cols, Present p) {
        int[] start = new int[rows + 1];
        int nnz = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) if (p.at(i, j)) nnz++;
            start[i + 1] = nnz;
        }
        int[] col = new int[nnz];
        int k = 0;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) if (p.at(i, j)) col[k++] = j;
        return new SparseIndex(rows, cols, start, col);
    }

    /** From a {@code [n, m]} tensor of 0 and 1. */
    public static SparseIndex fromMask(Tensor mask) {
        if (mask.shape().length != 2) throw new IllegalArgumentException("a mask is 2-D, found shape " + mask.shapeString());
        int n = mask.shape()[0], m = mask.shape()[1];
        float[] d = mask.data();
        for (float v : d) if (v != 0 && v != 1) throw new IllegalArgumentException("a mask holds only 0 and 1, found " + v);
        return of(n, m, (i, j) -> d[i * m + j] == 1);
    }

    /** The CSR of the transpose: for each column, the rows that feed it (the order a forward pass by unit needs). */
    public SparseIndex transpose() {
        return columns().index();
    }

    /**
     * The transpose, and for each of its entries the position of the same connection in this
     * index: values stored in row order are read column by column through it.
     */
    public Columns columns() {
        int[] start = new int[cols + 1];
        for (int c : colIndex) start[c + 1]++;
        for (int j = 0; j < cols; j++) start[j + 1] += start[j];
        int[] next = start.clone(), rowsOf = new int[colIndex.length], position = new int[colIndex.length];
        for (int i = 0; i < rows; i++)
            for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
                int at = next[colIndex[k]]++;
                rowsOf[at] = i;
                position[at] = k;
            }
        return new Columns(new SparseIndex(cols, rows, start, rowsOf), position);
    }

    /** {@code index} the transpose; {@code position[k]} where its entry k sits in the original's order. */
    public record Columns(SparseIndex index, int[] position) {}

    public Tensor toMask() {
        float[] d = new float[Math.toIntExact((long) rows * cols)];
        for (int i = 0; i < rows; i++)
            for (int k = rowStart[i]; k < rowStart[i + 1]; k++) d[(int) ((long) i * cols + colIndex[k])] = 1;
        return new Tensor(new int[] {rows, cols}, d);
    }
}
