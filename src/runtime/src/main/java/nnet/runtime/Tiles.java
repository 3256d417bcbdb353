package nnet.runtime;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The tile rows of a network's buffers: per buffer of {@code n} floats, {@code n} rows of
 * {@code lanes} floats, lane s holding sample s of the tile ({@code [feature][sample]}, the layout
 * generated tile kernels loop over). Samples go in and out lane by lane.
 */
final class Tiles {
    final int lanes;
    private final Map<float[], float[][]> rowsOf = new IdentityHashMap<>();

    Tiles(int lanes) {
        this.lanes = lanes;
    }

    float[][] register(float[] buffer) {
        float[][] rows = new float[buffer.length][lanes];
        rowsOf.put(buffer, rows);
        return rows;
    }

    float[][] rows(float[] buffer) {
        float[][] rows = rowsOf.get(buffer);
        if (rows == null) throw new IllegalStateException("a buffer without tile rows");
        return rows;
    }

    /** Lane {@code lane} of {@code rows} = {@code sample}. */
    static void put(float[] sample, float[][] rows, int lane) {
        put(sample, 0, rows, lane);
    }

    /** The part of {@code sample} from {@code offset} on that fills {@code rows}, into lane {@code lane}. */
    static void put(float[] sample, int offset, float[][] rows, int lane) {
        for (int f = 0; f < rows.length; f++) rows[f][lane] = sample[offset + f];
    }

    /** Rows of a tile filled together: their lanes (32 floats each) stay in the L1 cache between passes. */
    private static final int ROWS_PER_BLOCK = 256;

    /**
     * Input {@code k} of samples {@code [first, first + count)} of a batch into lanes {@code [0, count)},
     * the last of them again into the lanes past it. Eight lanes at a time, each row visited once per
     * eight samples and the samples read in step, over blocks of rows small enough to stay in the L1
     * cache for the four passes of eight lanes: a network of 131,503 inputs otherwise walked all its
     * row arrays (19 MB) four times per tile.
     */
    static void load(float[][][] batch, int k, int first, int count, float[][] rows) {
        int lanes = rows.length == 0 ? 0 : rows[0].length;
        for (int i0 = 0; i0 < rows.length; i0 += ROWS_PER_BLOCK) {
            int i1 = Math.min(rows.length, i0 + ROWS_PER_BLOCK);
            for (int lane = 0; lane < lanes; lane += 8) {
                float[] a = sample(batch, k, first, count, lane), b = sample(batch, k, first, count, lane + 1),
                        c = sample(batch, k, first, count, lane + 2), d = sample(batch, k, first, count, lane + 3),
                        e = sample(batch, k, first, count, lane + 4), f = sample(batch, k, first, count, lane + 5),
                        g = sample(batch, k, first, count, lane + 6), h = sample(batch, k, first, count, lane + 7);
                for (int i = i0; i < i1; i++) {
                    float[] row = rows[i];
                    row[lane] = a[i];
                    row[lane + 1] = b[i];
                    row[lane + 2] = c[i];
                    row[lane + 3] = d[i];
                    row[lane + 4] = e[i];
                    row[lane + 5] = f[i];
                    row[lane + 6] = g[i];
                    row[lane + 7] = h[i];
                }
            }
        }
    }

    /** Input k of the batch's sample for a lane: lanes past the batch's end take its last sample. */
    private static float[] sample(float[][][] batch, int k, int first, int count, int lane) {
        return batch[first + Math.min(lane, count - 1)][k];
    }

    /**
     * {@code out[s]} = lane s of {@code rows}, for the lanes {@code [0, out.length)}: over blocks of rows
     * that stay in the L1 cache while every lane is copied out, as {@link #load} fills them (lane by
     * lane over all rows walked the 27,687 row arrays of P-NET's input 32 times per tile).
     */
    static void get(float[][] rows, float[][] out) {
        for (int i0 = 0; i0 < rows.length; i0 += ROWS_PER_BLOCK) {
            int i1 = Math.min(rows.length, i0 + ROWS_PER_BLOCK);
            for (int s = 0; s < out.length; s++) {
                float[] o = out[s];
                for (int i = i0; i < i1; i++) o[i] = rows[i][s];
            }
        }
    }

    /** {@code out} = lane {@code lane} of {@code rows}. */
    static void get(float[][] rows, int lane, float[] out) {
        for (int f = 0; f < out.length; f++) out[f] = rows[f][lane];
    }
}
