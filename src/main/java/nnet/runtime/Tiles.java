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
        for (int f = 0; f < sample.length; f++) rows[f][lane] = sample[f];
    }

    /** {@code out} = lane {@code lane} of {@code rows}. */
    static void get(float[][] rows, int lane, float[] out) {
        for (int f = 0; f < out.length; f++) out[f] = rows[f][lane];
    }
}
