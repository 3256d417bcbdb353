package nnet.runtime.io;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network's input rows: a {@link RowSource} per input (in {@link Network#inputNames()} order,
 * all with as many rows), and which of their rows to use, in which order ({@code --rows}:
 * GenNet's {@code genotype_row}); row {@code r} of this set is row {@link #fileRow fileRow(r)} of
 * the files. Rows are read when asked for, so a file larger than memory can be run through.
 */
public final class InputRows implements AutoCloseable {
    private final List<String> names;
    private final List<RowSource> sources;
    /** The files' rows in use, in order; null: every row, in the files' order. */
    private final int[] selection;
    /** The file with the most bytes a block, whose blocks {@link #block} names. */
    private final RowSource widest;

    public InputRows(List<String> names, List<RowSource> sources) {
        this(names, sources, null);
    }

    private InputRows(List<String> names, List<RowSource> sources, int[] selection) {
        if (names.size() != sources.size() || sources.isEmpty()) throw new IllegalArgumentException(names + " from " + sources.size() + " sources");
        this.names = List.copyOf(names);
        this.sources = List.copyOf(sources);
        this.selection = selection;
        this.widest = this.sources.stream().max((a, b) -> Long.compare((long) a.rowBytes() * a.blockRows(), (long) b.rowBytes() * b.blockRows())).orElseThrow();
    }

    /** Rows in use. */
    public int rows() {
        return selection != null ? selection.length : fileRows();
    }

    /** Rows in the files. */
    public int fileRows() {
        return sources.get(0).rows();
    }

    /** The files' row that is row {@code row} of this set. */
    public int fileRow(int row) {
        return selection != null ? selection[row] : row;
    }

    public List<String> names() {
        return names;
    }

    public List<RowSource> sources() {
        return sources;
    }

    /**
     * These rows' {@code rows[i]}, in that order: the files' rows {@code fileRow(rows[i])}.
     * Shares the files (closing either closes both).
     */
    public InputRows select(int[] rows) {
        int[] files = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= rows()) throw new IndexOutOfBoundsException("row " + rows[i] + " of " + rows());
            files[i] = fileRow(rows[i]);
        }
        return new InputRows(names, sources, files);
    }

    /** These rows (indices from 0) ordered by their row in the files: reading in this order reads each block of a file once. */
    public int[] inFileOrder() {
        if (selection == null) return java.util.stream.IntStream.range(0, rows()).toArray();
        return java.util.stream.IntStream.range(0, rows()).boxed().sorted(java.util.Comparator.comparingInt(this::fileRow)).mapToInt(Integer::intValue).toArray();
    }

    /** Row {@code row}'s values, an array per input (new arrays, the caller's). */
    public float[][] sample(int row) {
        int file = fileRow(row);
        float[][] out = new float[sources.size()][];
        for (int k = 0; k < out.length; k++) out[k] = sources.get(k).row(file);
        return out;
    }

    /** Rows {@code order[from]} to {@code order[from + count - 1]}, as {@link Network#trainStep} takes a batch. */
    public float[][][] samples(int[] order, int from, int count) {
        float[][][] out = new float[count][][];
        for (int i = 0; i < count; i++) out[i] = sample(order[from + i]);
        return out;
    }

    /**
     * The same into the arrays of {@code reuse} (a batch this returned before, or null), whose rows'
     * arrays are filled again: a batch of wide rows (GenNet's 131,503 SNPs, half a megabyte a row as
     * floats) made anew every step costs the collector more than the step. For callers that do not
     * keep a batch past its step ({@link Network#trainStep} copies its inputs).
     */
    public float[][][] samples(int[] order, int from, int count, float[][][] reuse) {
        float[][][] out = reuse != null && reuse.length >= count ? (reuse.length == count ? reuse : java.util.Arrays.copyOf(reuse, count)) : new float[count][][];
        for (int i = 0; i < count; i++) {
            int file = fileRow(order[from + i]);
            if (out[i] == null) out[i] = new float[sources.size()][];
            for (int k = 0; k < sources.size(); k++) {
                RowSource s = sources.get(k);
                if (out[i][k] == null || out[i][k].length != s.width()) out[i][k] = new float[s.width()];
                s.read(file, out[i][k], 0);
            }
        }
        return out;
    }

    /** Rows {@code from} to {@code to - 1}, in order. */
    public float[][][] range(int from, int to) {
        float[][][] out = new float[to - from][][];
        for (int r = from; r < to; r++) out[r - from] = sample(r);
        return out;
    }

    /** Every row, by input: what {@link Predict#readInputs} returns. */
    public Map<String, float[][]> readAll() {
        Map<String, float[][]> out = new LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) {
            float[][] rows = new float[rows()][];
            for (int r = 0; r < rows.length; r++) rows[r] = sources.get(k).row(fileRow(r));
            out.put(names.get(k), rows);
        }
        return out;
    }

    /** The floats of a batch's inputs are kept under this: 1,024 rows of a narrow input, 63 of GenNet's 131,503 SNPs. */
    static final long BATCH_BYTES = 32L << 20;

    /** Rows to read into one batch: {@code most}, or fewer for wide rows ({@link #BATCH_BYTES} of floats), at least one. */
    public int batchRows(int most) {
        long floats = sources.stream().mapToLong(RowSource::width).sum();
        return (int) Math.max(1, Math.min(most, BATCH_BYTES / (Float.BYTES * Math.max(1, floats))));
    }

    /** Bytes one row takes in the files' dtypes, every input together. */
    public long rowBytes() {
        return sources.stream().mapToLong(RowSource::rowBytes).sum();
    }

    /** Keeps about {@code rows} rows' blocks of every file ({@link RowSource#keepRows}). */
    public void keepRows(int rows) {
        for (RowSource s : sources) s.keepRows(rows);
    }

    /**
     * The block of the widest file (the most bytes a row) that holds row {@code row}: rows of one
     * block are read together, so a shuffle that keeps them near each other reads each block once.
     */
    public int block(int row) {
        return fileRow(row) / widest.blockRows();
    }

    @Override
    public void close() {
        for (RowSource s : sources) s.close();
    }

    @Override
    public String toString() {
        return names + " from " + sources + (selection == null ? "" : ", rows " + Arrays.toString(Arrays.copyOf(selection, Math.min(5, selection.length))) + "...");
    }
}
