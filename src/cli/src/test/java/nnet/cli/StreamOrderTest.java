package nnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import nnet.runtime.io.BlockRows;
import nnet.runtime.io.FilePart;
import nnet.runtime.io.InputRows;
import nnet.runtime.io.RowFiles;
import nnet.runtime.io.RowSource;
import org.junit.jupiter.api.Test;

/** The streamed shuffle: blocks in a shuffled order, rows shuffled within windows, every block read once an epoch. */
class StreamOrderTest {
    /** genotype.h5 (make_hdf5.py): X [40, 12] uint8 in chunks of 7 rows, so 6 blocks. */
    private static InputRows genotype() {
        Path file = Path.of(System.getProperty("nnet.root", "../..")).resolve("src/cli/src/test/resources/hdf5/genotype.h5");
        RowSource x = RowFiles.open(new FilePart(file, null), "x", 12, "input x[12]");
        return new InputRows(List.of("x"), List.of(x));
    }

    @Test
    void blocksComeWholeInAShuffledOrder() {
        try (InputRows in = genotype()) {
            int[] order = new StreamOrder(in, 1).next(new SplittableRandom(5));
            assertPermutation(order, 40);
            List<Integer> blockOrder = new java.util.ArrayList<>();
            for (int i = 0; i < order.length; i++) {
                if (i > 0 && order[i] / 7 == order[i - 1] / 7) assertEquals(order[i - 1] + 1, order[i], "a block's rows in order when the window is 1 row");
                else blockOrder.add(order[i] / 7);
            }
            assertEquals(6, blockOrder.size(), "each block one run: " + Arrays.toString(order));
            assertFalse(blockOrder.equals(List.of(0, 1, 2, 3, 4, 5)), "the blocks are shuffled (seed 5)");
        }
    }

    @Test
    void rowsMoveOnlyWithinTheirWindowAndEachBlockIsReadOnce() {
        try (InputRows in = genotype()) {
            int[] runs = new StreamOrder(in, 1).next(new SplittableRandom(5));
            int[] order = new StreamOrder(in, 10).next(new SplittableRandom(5));
            assertPermutation(order, 40);
            assertFalse(Arrays.equals(runs, order), "shuffled within the windows");
            for (int from = 0; from < 40; from += 10) // the block shuffle draws first: the same blocks, then each window permuted
                assertEquals(set(runs, from, from + 10), set(order, from, from + 10), "window at " + from);
            assertArrayEquals(order, new StreamOrder(in, 10).next(new SplittableRandom(5)), "the seed decides the order");
            in.keepRows(10);
            for (int r : order) in.sample(r);
            assertEquals(6, ((BlockRows) in.sources().get(0)).blocksRead(), "every block read once in the epoch");
        }
    }

    @Test
    void selectedRowsAreGroupedByTheFileBlockThatHoldsThem() {
        try (InputRows in = genotype()) {
            InputRows picked = in.select(new int[] {39, 0, 8, 1, 38, 9});
            int[] order = new StreamOrder(picked, 1).next(new SplittableRandom(1));
            assertPermutation(order, 6);
            for (int i = 1; i < order.length; i++) // rows 39 and 38 (block 5), 0 and 1 (block 0), 8 and 9 (block 1) side by side
                if (i % 2 == 1) assertEquals(picked.fileRow(order[i - 1]) / 7, picked.fileRow(order[i]) / 7, Arrays.toString(order));
        }
    }

    private static void assertPermutation(int[] order, int n) {
        assertEquals(n, order.length);
        assertEquals(n, set(order, 0, n).size());
        assertTrue(Arrays.stream(order).allMatch(r -> r >= 0 && r < n));
    }

    private static Set<Integer> set(int[] a, int from, int to) {
        Set<Integer> s = new HashSet<>();
        for (int i = from; i < Math.min(to, a.length); i++) s.add(a[i]);
        return s;
    }
}
