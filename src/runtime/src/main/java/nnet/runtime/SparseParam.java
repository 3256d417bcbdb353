package nnet.runtime;

import nnet.runtime.math.SparseIndex;

import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The arrays generated code reads for a sparse kernel: values stored unit by unit with their index
 * ({@code colStart}, {@code rowIndex}: column order), and the index by input ({@code rowStart},
 * {@code colIndex}: row order) with {@code position}, where each of its entries sits among the values,
 * and {@code twins}: the units paired with another of the same inputs ({@link #twins(int[], int[])}).
 */
public record SparseParam(float[] values, int[] rowStart, int[] colIndex, int[] colStart, int[] rowIndex, int[] position, int[] twins) {
    static SparseParam of(float[] values, SparseIndex rows) {
        SparseIndex.Columns c = rows.columns();
        int[] position = new int[rows.count()];
        for (int k = 0; k < position.length; k++) position[c.position()[k]] = k;
        int[] colStart = c.index().rowStart(), rowIndex = c.index().colIndex();
        return new SparseParam(values, rows.rowStart(), rows.colIndex(), colStart, rowIndex, position, twins(colStart, rowIndex));
    }

    /**
     * The units in pairs of the same inputs, then the rest: {@code [pairs, a0, b0, a1, b1, ..., singles...]}.
     * Units that read the same inputs (an lstm's four gates of a unit, a block of {@code blocks(k)}) share
     * every load of them in the weight gradient over a sequence's steps.
     */
    static int[] twins(int[] colStart, int[] rowIndex) {
        int units = colStart.length - 1;
        Map<IntBuffer, Integer> waiting = new HashMap<>();
        int[] partner = new int[units];
        Arrays.fill(partner, -1);
        int pairs = 0;
        for (int j = 0; j < units; j++) {
            if (colStart[j + 1] == colStart[j]) continue;
            Integer first = waiting.remove(IntBuffer.wrap(rowIndex, colStart[j], colStart[j + 1] - colStart[j]));
            if (first == null) waiting.put(IntBuffer.wrap(rowIndex, colStart[j], colStart[j + 1] - colStart[j]), j);
            else {
                partner[first] = j;
                partner[j] = first;
                pairs++;
            }
        }
        int[] twins = new int[1 + units];
        twins[0] = pairs;
        int p = 1, single = 1 + 2 * pairs;
        for (int j = 0; j < units; j++) {
            if (partner[j] < 0) twins[single++] = j;
            else if (partner[j] > j) {
                twins[p++] = j;
                twins[p++] = partner[j];
            }
        }
        return twins;
    }

    /** The column of each stored value. */
    int[] columnOfEach() {
        int[] col = new int[values.length];
        for (int j = 0; j + 1 < colStart.length; j++) Arrays.fill(col, colStart[j], colStart[j + 1], j);
        return col;
    }
}
