package nnet.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import nnet.runtime.math.SparseIndex;
import org.junit.jupiter.api.Test;

/** Every pattern of LANGUAGE.md §4, entry by entry, against its definition written out again here. */
class ConnectivityTest {
    interface Definition {
        boolean at(int i, int j);
    }

    private static void assertPattern(Connectivity c, int n, int m, Definition d, String what) {
        assertEquals(n, c.rows());
        assertEquals(m, c.cols());
        long count = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) {
                assertEquals(d.at(i, j), c.get(i, j), what + " at (" + i + ", " + j + ")");
                if (d.at(i, j)) count++;
            }
        assertEquals(count, c.count(), what + " count");
    }

    private static final int[][] SIZES = {{1, 1}, {4, 4}, {9, 6}, {6, 9}, {12, 4}, {5, 7}, {64, 32}};

    @Test
    void band() {
        for (int[] s : SIZES)
            for (int r = 0; r <= 3; r++) {
                int n = s[0], m = s[1], rr = r;
                assertPattern(Connectivity.band(n, m, r), n, m, (i, j) -> Math.abs(Math.floorDiv(i * m, n) - j) <= rr, "band(" + r + ") " + n + "x" + m);
            }
        boolean[][] expected = {{true, true, false, false}, {true, true, true, false}, {false, true, true, true}, {false, false, true, true}};
        assertEquals(Connectivity.fromRows(expected), Connectivity.band(4, 4, 1));
    }

    @Test
    void blocks() {
        int[][] cases = {{4, 6, 2}, {6, 6, 3}, {8, 4, 4}, {5, 5, 1}, {12, 8, 4}};
        for (int[] c : cases) {
            int n = c[0], m = c[1], k = c[2];
            assertPattern(Connectivity.blocks(n, m, k), n, m, (i, j) -> i / (n / k) == j / (m / k), "blocks(" + k + ") " + n + "x" + m);
        }
        assertNull(Connectivity.blocksProblem(4, 6, 2));
        assertTrue(Connectivity.blocksProblem(4, 6, 3).contains("3 to divide both inputs (4) and units (6)"));
    }

    @Test
    void local() {
        int[][] cases = {{5, 3, 3, 1}, {9, 4, 3, 2}, {8, 1, 8, 1}, {10, 5, 2, 2}, {7, 7, 1, 1}};
        for (int[] c : cases) {
            int n = c[0], m = c[1], w = c[2], s = c[3];
            assertNull(Connectivity.localProblem(n, m, w, s));
            assertPattern(Connectivity.local(n, m, w, s), n, m, (i, j) -> j * s <= i && i < j * s + w, "local(" + w + ", " + s + ") " + n + "x" + m);
        }
        boolean[][] expected = {{true, false, false}, {true, true, false}, {true, true, true}, {false, true, true}, {false, false, true}};
        assertEquals(Connectivity.fromRows(expected), Connectivity.local(5, 3, 3, 1));
        assertTrue(Connectivity.localProblem(8, 4, 3, 1).contains("gives (8 - 3) / 1 + 1 = 6 units, but the layer has 4"));
        assertNotNull(Connectivity.localProblem(8, 4, 9, 1));
    }

    @Test
    void random() {
        for (int[] s : SIZES) {
            int n = s[0], m = s[1];
            SplittableRandom draws = new SplittableRandom(7);
            boolean[][] expected = new boolean[n][m];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < m; j++) expected[i][j] = draws.nextDouble() < 0.3;
            assertPattern(Connectivity.random(n, m, 0.3, 7), n, m, (i, j) -> expected[i][j], "random " + n + "x" + m);
        }
        assertEquals(Connectivity.random(30, 30, 0.5, 1), Connectivity.random(30, 30, 0.5, 1));
        assertNotEquals(Connectivity.random(30, 30, 0.5, 1), Connectivity.random(30, 30, 0.5, 2));
        double d = Connectivity.random(784, 1024, 0.01, 3).density();
        assertTrue(Math.abs(d - 0.01) < 0.001, "density " + d);
        assertEquals(0, Connectivity.random(10, 10, 0, 1).count());
        assertTrue(Connectivity.random(10, 10, 1, 1).isFull());
        assertNotNull(Connectivity.randomProblem(2, 2, 1.5));
    }

    @Test
    void edgesMasksAndSetOperations() {
        Connectivity e = Connectivity.edges(4, 3, List.of(new int[] {0, 1}, new int[] {2, 0}, new int[] {3, 0}, new int[] {3, 1}, new int[] {3, 2}));
        assertPattern(e, 4, 3, (i, j) -> (i == 0 && j == 1) || (i == 2 && j == 0) || i == 3, "edges");
        Connectivity p = Connectivity.band(8, 8, 1), q = Connectivity.blocks(8, 8, 2);
        assertPattern(p.union(q), 8, 8, (i, j) -> p.get(i, j) || q.get(i, j), "union");
        assertPattern(p.intersect(q), 8, 8, (i, j) -> p.get(i, j) && q.get(i, j), "intersection");
        assertEquals(e, Connectivity.fromMask(e.toMask()));
        assertTrue(Connectivity.full(3, 5).isFull());
    }

    @Test
    void sparseIndexWalksExactlyThePresentEntries() {
        Connectivity c = Connectivity.random(13, 9, 0.4, 5);
        SparseIndex idx = c.index();
        assertEquals(c.count(), idx.count());
        int seen = 0;
        for (int i = 0; i < 13; i++)
            for (int k = idx.rowStart()[i]; k < idx.rowStart()[i + 1]; k++, seen++) assertTrue(c.get(i, idx.colIndex()[k]));
        assertEquals(idx.count(), seen);
        assertEquals(c.toMask(), idx.toMask());
        assertEquals(c.toMask(), idx.transpose().transpose().toMask());
        SparseIndex t = idx.transpose();
        for (int j = 0; j < 9; j++)
            for (int k = t.rowStart()[j]; k < t.rowStart()[j + 1]; k++) assertTrue(c.get(t.colIndex()[k], j));
        assertEquals(c, Connectivity.fromMask(SparseIndex.fromMask(c.toMask()).toMask()));
    }

    @Test
    void shuffleKeepsTheCountAndPlacesAtRandom() {
        Connectivity p = Connectivity.blocks(60, 40, 4);
        Connectivity q = p.shuffle(3);
        assertEquals(p.count(), q.count());
        assertNotEquals(p, q);
        assertEquals(q, p.shuffle(3), "reproducible from its seed");
        assertNotEquals(q, p.shuffle(4));
        long inBlocks = 0;
        for (int i = 0; i < 60; i++)
            for (int j = 0; j < 40; j++) if (q.get(i, j) && p.get(i, j)) inBlocks++;
        assertTrue(inBlocks < p.count() / 2, "placement ignores the blocks: " + inBlocks + " of " + p.count());
        assertEquals(Connectivity.full(5, 4), Connectivity.full(5, 4).shuffle(1), "a full pattern has one placement");
    }

    @Test
    void rewireKeepsEveryInputsAndUnitsDegree() {
        Connectivity p = Connectivity.random(80, 30, 0.1, 5);
        Connectivity q = p.rewire(2);
        assertEquals(p.count(), q.count());
        assertNotEquals(p, q);
        assertEquals(q, p.rewire(2));
        assertArrayEquals(p.unitDegrees(), q.unitDegrees());
        for (int i = 0; i < 80; i++) assertEquals(p.index().rowStart()[i + 1] - p.index().rowStart()[i], q.index().rowStart()[i + 1] - q.index().rowStart()[i], "input " + i);
        long same = 0;
        for (int i = 0; i < 80; i++)
            for (int j = 0; j < 30; j++) if (q.get(i, j) && p.get(i, j)) same++;
        assertTrue(same < p.count() / 2, "rewired: " + same + " of " + p.count() + " connections stayed");
    }

    /** The share of connections in units whose inputs are one run: what picks the run-vector form of one sample's sparse products. */
    @Test
    void runShare() {
        assertEquals(1.0, Connectivity.blocks(64, 256, 4).runShare(8), "blocks(4): each unit reads 16 consecutive inputs");
        assertEquals(0.0, Connectivity.blocks(64, 256, 16).runShare(8), "blocks(16): runs of 4, shorter than 8");
        assertTrue(Connectivity.random(256, 256, 0.1, 3).runShare(8) < 0.01, "a random pattern has almost no runs");
        boolean[][] gap = new boolean[16][2]; // unit 0 reads 0..7 and 9..15 (a gap: not one run), unit 1 reads 0..15
        for (int i = 0; i < 16; i++) {
            gap[i][0] = i != 8;
            gap[i][1] = true;
        }
        assertEquals(16.0 / 31, Connectivity.fromRows(gap).runShare(8), 1e-12);
    }
}
