package nnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.runtime.io.InputRows;

/**
 * The order of an epoch's rows when {@code train --stream} reads the inputs from their files: the
 * files' blocks (a run of rows read together, an HDF5 chunk's rows) in an order shuffled from the
 * seed, each block's rows in the order of the selection, then the rows shuffled within consecutive
 * windows of {@code window} rows. Rows far apart in the files meet in a batch only through the
 * block shuffle, but every block is read once an epoch and memory holds a window of rows. With
 * one block and a window of every row, an epoch draws the in-memory shuffle's first epoch.
 */
final class StreamOrder {
    /** The rows of each block, blocks in the order their first row comes. */
    private final int[][] blocks;
    private final int rows, window;

    StreamOrder(InputRows inputs, int window) {
        Map<Integer, List<Integer>> byBlock = new LinkedHashMap<>();
        for (int r = 0; r < inputs.rows(); r++) byBlock.computeIfAbsent(inputs.block(r), b -> new ArrayList<>()).add(r);
        blocks = byBlock.values().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        rows = inputs.rows();
        this.window = Math.max(1, window);
    }

    /** The next epoch's order, drawn from {@code rng}. */
    int[] next(SplittableRandom rng) {
        int[] blockOrder = new int[blocks.length];
        for (int b = 0; b < blockOrder.length; b++) blockOrder[b] = b;
        shuffle(blockOrder, 0, blockOrder.length, rng);
        int[] order = new int[rows];
        int at = 0;
        for (int b : blockOrder) {
            System.arraycopy(blocks[b], 0, order, at, blocks[b].length);
            at += blocks[b].length;
        }
        for (int from = 0; from < rows; from += window) shuffle(order, from, Math.min(rows, from + window), rng);
        return order;
    }

    /** Fisher–Yates over {@code a[from .. to)}; over a whole array it draws what the in-memory shuffle draws. */
    static void shuffle(int[] a, int from, int to, SplittableRandom rng) {
        for (int i = to - 1; i > from; i--) {
            int j = from + rng.nextInt(i - from + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
