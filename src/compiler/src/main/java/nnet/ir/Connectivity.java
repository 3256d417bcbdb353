package nnet.ir;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import nnet.runtime.math.SparseIndex;
import nnet.runtime.Tensor;

/**
 * Which input feeds which unit: an immutable {@code rows x cols} 0/1 matrix (rows = inputs
 * {@code i}, columns = units {@code j}, the layout of a Keras kernel), kept by its present
 * entries in compressed-sparse-row form (row {@code i}'s columns are
 * {@code colIndex[rowStart[i] .. rowStart[i+1])}, ascending). It costs O(rows + connections),
 * never O(rows x cols): a GenNet layer of 131,503 x 17,825 with 134,000 connections is 1.1 MB.
 * The factories are the patterns of LANGUAGE.md §4, each written as its definition there.
 */
public final class Connectivity {
    /** At most this many connections: they are counted by an int and held in Java arrays. */
    public static final long MAX_CONNECTIONS = Integer.MAX_VALUE - 8;

    private final int rows, cols;
    private final int[] rowStart, colIndex;

    private Connectivity(int rows, int cols, int[] rowStart, int[] colIndex) {
        this.rows = rows;
        this.cols = cols;
        this.rowStart = rowStart;
        this.colIndex = colIndex;
    }

    /** A pattern with more connections than {@link #MAX_CONNECTIONS}: the checker reports it as too large. */
    public static final class TooManyConnections extends IllegalArgumentException {
        public final long connections;

        TooManyConnections(long connections) {
            super(connections + " connections; a layer holds at most " + MAX_CONNECTIONS);
            // for random(...), the expected count: the pattern is refused before it is drawn
            this.connections = connections;
        }
    }

    private interface Rule {
        boolean at(int i, int j);
    }

    /** Collects present columns row by row, in ascending order. */
    private static final class Builder {
        final int rows, cols;
        final int[] rowStart;
        int[] col = new int[16];
        int count, row;

        Builder(int rows, int cols) {
            this.rows = rows;
            this.cols = cols;
            this.rowStart = new int[rows + 1];
        }

        void add(int j) {
            if (count == col.length) {
                if (count >= MAX_CONNECTIONS) throw new TooManyConnections(count + 1L);
                col = Arrays.copyOf(col, (int) Math.min(MAX_CONNECTIONS, col.length * 2L));
            }
            col[count++] = j;
        }

        void endRow() {
            rowStart[++row] = count;
        }

        Connectivity build() {
            while (row < rows) endRow();
            return new Connectivity(rows, cols, rowStart, Arrays.copyOf(col, count));
        }
    }

    /** Visits every entry: for the patterns whose definition is a test of each (i, j). */
    private static Connectivity build(int n, int m, Rule r) {
        Builder b = new Builder(n, m);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) if (r.at(i, j)) b.add(j);
            b.endRow();
        }
        return b.build();
    }

    /** For patterns whose row {@code i} is one range of columns {@code [from(i), to(i))}: O(rows + connections). */
    private interface RowRange {
        long from(int i);

        long to(int i);
    }

    private static Connectivity ranges(int n, int m, RowRange r) {
        long total = 0; // counted first: a pattern too large is refused before anything is allocated for it
        for (int i = 0; i < n; i++) total += Math.max(0, Math.min(m, r.to(i)) - Math.max(0, r.from(i)));
        if (total > MAX_CONNECTIONS) throw new TooManyConnections(total);
        Builder b = new Builder(n, m);
        b.col = new int[(int) Math.max(total, 1)];
        for (int i = 0; i < n; i++) {
            long lo = Math.max(0, r.from(i)), hi = Math.min(m, r.to(i));
            for (long j = lo; j < hi; j++) b.add((int) j);
            b.endRow();
        }
        return b.build();
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public boolean get(int i, int j) {
        return Arrays.binarySearch(colIndex, rowStart[i], rowStart[i + 1], j) >= 0;
    }

    /** Where entry (i, j) sits among the present entries in row-major order, or -1 when it is absent. */
    public int position(int i, int j) {
        int k = Arrays.binarySearch(colIndex, rowStart[i], rowStart[i + 1], j);
        return k >= 0 ? k : -1;
    }

    public long count() {
        return colIndex.length;
    }

    public double density() {
        return count() / ((double) rows * cols);
    }

    public boolean isFull() {
        return count() == (long) rows * cols;
    }

    /**
     * The share of the connections that are in units whose inputs are one run of consecutive inputs
     * at least {@code minLength} long ({@code blocks}, {@code band}, {@code local} patterns: all of
     * them; a random one: about none): whether vector products along such runs pay.
     */
    public double runShare(int minLength) {
        int[] first = new int[cols], last = new int[cols], count = new int[cols];
        for (int i = 0; i < rows; i++)
            for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
                int j = colIndex[k];
                if (count[j]++ == 0) first[j] = i;
                last[j] = i;
            }
        long inRuns = 0;
        for (int j = 0; j < cols; j++)
            if (count[j] >= minLength && last[j] - first[j] + 1 == count[j]) inRuns += count[j];
        return colIndex.length == 0 ? 0 : inRuns / (double) colIndex.length;
    }

    /** How many connections each unit receives. */
    public int[] unitDegrees() {
        int[] d = new int[cols];
        for (int c : colIndex) d[c]++;
        return d;
    }

    // ---- the patterns

    public static Connectivity full(int n, int m) {
        if ((long) n * m > MAX_CONNECTIONS) throw new TooManyConnections((long) n * m);
        return ranges(n, m, new RowRange() {
            public long from(int i) {
                return 0;
            }

            public long to(int i) {
                return m;
            }
        });
    }

    /** {@code abs(floor(i*m/n) - j) <= r}. */
    public static Connectivity band(int n, int m, int r) {
        require(bandProblem(n, m, r));
        return ranges(n, m, new RowRange() {
            public long from(int i) {
                return i * (long) m / n - r;
            }

            public long to(int i) {
                return i * (long) m / n + r + 1;
            }
        });
    }

    /** {@code floor(i/(n/k)) == floor(j/(m/k))}; k divides n and m. */
    public static Connectivity blocks(int n, int m, int k) {
        require(blocksProblem(n, m, k));
        int bn = n / k, bm = m / k;
        return ranges(n, m, new RowRange() {
            public long from(int i) {
                return (long) (i / bn) * bm;
            }

            public long to(int i) {
                return (long) (i / bn + 1) * bm;
            }
        });
    }

    /** {@code j*s <= i < j*s + w}; needs {@code m == (n - w)/s + 1}. */
    public static Connectivity local(int n, int m, int w, int s) {
        require(localProblem(n, m, w, s));
        // j*s <= i  <=>  j <= floor(i/s);  i < j*s + w  <=>  j > (i - w)/s, i.e. j >= floor((i - w)/s) + 1
        return ranges(n, m, new RowRange() {
            public long from(int i) {
                return Math.floorDiv(i - (long) w, s) + 1;
            }

            public long to(int i) {
                return i / (long) s + 1;
            }
        });
    }

    /**
     * Each entry independently with probability {@code density}: entries are visited row-major
     * and entry {@code (i, j)} is present when the next {@code new SplittableRandom(seed).nextDouble()}
     * draw is below {@code density}, so any tool can rebuild the same pattern.
     */
    public static Connectivity random(int n, int m, double density, long seed) {
        require(randomProblem(n, m, density));
        double expected = density * n * (double) m;
        if (expected > MAX_CONNECTIONS * 0.99) throw new TooManyConnections((long) expected); // about so many: refused before drawing
        SplittableRandom rnd = new SplittableRandom(seed);
        return build(n, m, (i, j) -> rnd.nextDouble() < density);
    }

    public static Connectivity fromRows(boolean[][] present) {
        int m = present.length == 0 ? 0 : present[0].length;
        return build(present.length, m, (i, j) -> present[i][j]);
    }

    /** From a {@code [n, m]} tensor of 0 and 1, as written to {@code <node>.mask}. */
    public static Connectivity fromMask(Tensor mask) {
        int m = mask.shape()[1];
        return build(mask.shape()[0], m, (i, j) -> mask.data()[i * m + j] != 0);
    }

    /** The listed pairs {@code {i, j}}, in any order; a pair listed twice is one connection. */
    public static Connectivity edges(int n, int m, List<int[]> pairs) {
        int[] in = new int[pairs.size()], unit = new int[pairs.size()];
        for (int k = 0; k < in.length; k++) {
            in[k] = pairs.get(k)[0];
            unit[k] = pairs.get(k)[1];
        }
        return edges(n, m, in, unit, in.length);
    }

    /**
     * The pairs {@code (inputs[k], units[k])} for {@code k < count}, in any order, each within
     * {@code [0, n) x [0, m)} (checked by the caller); duplicates are one connection. O(n + count):
     * a counting sort by input, then each row's columns sorted.
     */
    public static Connectivity edges(int n, int m, int[] inputs, int[] units, int count) {
        int[] start = new int[n + 1];
        for (int k = 0; k < count; k++) start[inputs[k] + 1]++;
        for (int i = 0; i < n; i++) start[i + 1] += start[i];
        int[] next = Arrays.copyOf(start, n), col = new int[count];
        for (int k = 0; k < count; k++) col[next[inputs[k]]++] = units[k];
        Builder b = new Builder(n, m);
        b.col = new int[Math.max(count, 1)];
        for (int i = 0; i < n; i++) {
            Arrays.sort(col, start[i], start[i + 1]);
            for (int k = start[i]; k < start[i + 1]; k++) if (k == start[i] || col[k] != col[k - 1]) b.add(col[k]);
            b.endRow();
        }
        return b.build();
    }

    /** From compressed sparse rows, as a weights file's compact index gives them (validated by the caller). */
    public static Connectivity fromIndex(SparseIndex index) {
        return new Connectivity(index.rows(), index.cols(), index.rowStart().clone(), index.colIndex().clone());
    }

    /**
     * As many connections as this pattern has, placed uniformly at random among the {@code rows x cols}
     * entries (Floyd's sampling of {@code count} distinct entries, row-major index, from
     * {@code new SplittableRandom(seed)}): the control that keeps a pattern's density only.
     */
    public Connectivity shuffle(long seed) {
        long total = (long) rows * cols;
        int k = colIndex.length;
        SplittableRandom rnd = new SplittableRandom(seed);
        java.util.HashSet<Long> chosen = new java.util.HashSet<>(Math.max(16, k * 2));
        for (long j = total - k; j < total; j++) {
            long t = rnd.nextLong(j + 1);
            chosen.add(chosen.contains(t) ? j : t);
        }
        int[] in = new int[k], unit = new int[k];
        int c = 0;
        for (long e : chosen) {
            in[c] = (int) (e / cols);
            unit[c++] = (int) (e % cols);
        }
        return edges(rows, cols, in, unit, k);
    }

    /**
     * The same number of connections at every input and every unit, wired at random: degree-preserving
     * randomisation by {@code 10 x connections} attempted swaps of two connections' units
     * ({@code (a, b), (c, d) -> (a, d), (c, b)} when neither exists yet), drawn from
     * {@code new SplittableRandom(seed)}. The control published pathway studies compare against.
     */
    public Connectivity rewire(long seed) {
        int k = colIndex.length;
        int[] in = new int[k], unit = colIndex.clone();
        for (int i = 0; i < rows; i++) java.util.Arrays.fill(in, rowStart[i], rowStart[i + 1], i);
        java.util.HashSet<Long> present = new java.util.HashSet<>(Math.max(16, k * 2));
        for (int e = 0; e < k; e++) present.add((long) in[e] * cols + unit[e]);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long attempt = 0, swaps = 10L * k; k > 1 && attempt < swaps; attempt++) {
            int x = rnd.nextInt(k), y = rnd.nextInt(k);
            long ad = (long) in[x] * cols + unit[y], cb = (long) in[y] * cols + unit[x];
            if (unit[x] == unit[y] || present.contains(ad) || present.contains(cb)) continue;
            present.remove((long) in[x] * cols + unit[x]);
            present.remove((long) in[y] * cols + unit[y]);
            present.add(ad);
            present.add(cb);
            int t = unit[x];
            unit[x] = unit[y];
            unit[y] = t;
        }
        return edges(rows, cols, in, unit, k);
    }

    public Connectivity union(Connectivity o) {
        return combine(o, true);
    }

    public Connectivity intersect(Connectivity o) {
        return combine(o, false);
    }

    /** Row by row, a merge of two ascending column lists. */
    private Connectivity combine(Connectivity o, boolean or) {
        if (o.rows != rows || o.cols != cols) throw new IllegalArgumentException("patterns of different sizes: " + this + ", " + o);
        Builder b = new Builder(rows, cols);
        for (int i = 0; i < rows; i++) {
            int p = rowStart[i], q = o.rowStart[i], pe = rowStart[i + 1], qe = o.rowStart[i + 1];
            while (p < pe || q < qe) {
                int a = p < pe ? colIndex[p] : Integer.MAX_VALUE, c = q < qe ? o.colIndex[q] : Integer.MAX_VALUE;
                if (a == c) {
                    b.add(a);
                    p++;
                    q++;
                } else if (a < c) {
                    if (or) b.add(a);
                    p++;
                } else {
                    if (or) b.add(c);
                    q++;
                }
            }
            b.endRow();
        }
        return b.build();
    }

    // ---- preconditions: a message for the checker, or null when the pattern applies

    public static String bandProblem(int n, int m, int r) {
        return r < 0 ? "band(" + r + ") needs a radius of at least 0" : null;
    }

    public static String blocksProblem(int n, int m, int k) {
        if (k < 1) return "blocks(" + k + ") needs at least 1 block";
        return n % k != 0 || m % k != 0 ? "blocks(" + k + ") needs " + k + " to divide both inputs (" + n + ") and units (" + m + ")" : null;
    }

    public static String localProblem(int n, int m, int w, int s) {
        if (w < 1 || s < 1) return "local(" + w + ", " + s + ") needs a window and a stride of at least 1";
        if (w > n) return "local(" + w + ", " + s + ") has a window wider than the " + n + " inputs";
        if ((n - w) % s != 0 || (n - w) / s + 1 != m)
            return "local(" + w + ", " + s + ") on " + n + " inputs gives (" + n + " - " + w + ") / " + s + " + 1 = "
                    + ((n - w) % s == 0 ? Integer.toString((n - w) / s + 1) : "a fraction") + " units, but the layer has " + m;
        return null;
    }

    public static String randomProblem(int n, int m, double density) {
        return density < 0 || density > 1 || Double.isNaN(density) ? "random(" + density + ") needs a density between 0 and 1" : null;
    }

    private static void require(String problem) {
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    // ---- views

    /** The compressed-sparse-row index the generated code walks (the same arrays: do not change them). */
    public SparseIndex index() {
        return new SparseIndex(rows, cols, rowStart, colIndex);
    }

    /** The dense {@code [n, m]} 0/1 tensor of LANGUAGE.md §6's {@code <node>.mask}: for layers small enough to write so. */
    public Tensor toMask() {
        return index().toMask();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Connectivity c && c.rows == rows && c.cols == cols && Arrays.equals(c.rowStart, rowStart) && Arrays.equals(c.colIndex, colIndex);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * rows + cols) + Arrays.hashCode(rowStart)) + Arrays.hashCode(colIndex);
    }

    @Override
    public String toString() {
        return "Connectivity[" + rows + " x " + cols + ", " + count() + " of " + (long) rows * cols + "]";
    }
}
