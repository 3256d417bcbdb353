package nnet.ir;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import nnet.runtime.SparseIndex;
import nnet.runtime.Tensor;

/**
 * Which input feeds which unit: an immutable {@code rows x cols} 0/1 matrix (rows = inputs
 * {@code i}, columns = units {@code j}, the layout of a Keras kernel), kept as a row-major bitset.
 * The factories are the patterns of LANGUAGE.md §4, each written as its definition there.
 */
public final class Connectivity {
    private final int rows, cols;
    private final long[] bits;

    private Connectivity(int rows, int cols, long[] bits) {
        this.rows = rows;
        this.cols = cols;
        this.bits = bits;
    }

    private interface Rule {
        boolean at(int i, int j);
    }

    private static Connectivity build(int n, int m, Rule r) {
        long[] bits = new long[(int) ((n * (long) m + 63) / 64)];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                if (r.at(i, j)) {
                    long k = i * (long) m + j;
                    bits[(int) (k >>> 6)] |= 1L << k;
                }
        return new Connectivity(n, m, bits);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public boolean get(int i, int j) {
        long k = i * (long) cols + j;
        return (bits[(int) (k >>> 6)] & (1L << k)) != 0;
    }

    public long count() {
        long c = 0;
        for (long b : bits) c += Long.bitCount(b);
        return c;
    }

    public double density() {
        return count() / ((double) rows * cols);
    }

    public boolean isFull() {
        return count() == (long) rows * cols;
    }

    // ---- the patterns

    public static Connectivity full(int n, int m) {
        return build(n, m, (i, j) -> true);
    }

    /** {@code abs(floor(i*m/n) - j) <= r}. */
    public static Connectivity band(int n, int m, int r) {
        require(bandProblem(n, m, r));
        return build(n, m, (i, j) -> Math.abs(i * (long) m / n - j) <= r);
    }

    /** {@code floor(i/(n/k)) == floor(j/(m/k))}; k divides n and m. */
    public static Connectivity blocks(int n, int m, int k) {
        require(blocksProblem(n, m, k));
        int bn = n / k, bm = m / k;
        return build(n, m, (i, j) -> i / bn == j / bm);
    }

    /** {@code j*s <= i < j*s + w}; needs {@code m == (n - w)/s + 1}. */
    public static Connectivity local(int n, int m, int w, int s) {
        require(localProblem(n, m, w, s));
        return build(n, m, (i, j) -> j * (long) s <= i && i < j * (long) s + w);
    }

    /**
     * Each entry independently with probability {@code density}: entries are visited row-major
     * and entry {@code (i, j)} is present when the next {@code new SplittableRandom(seed).nextDouble()}
     * draw is below {@code density}, so any tool can rebuild the same pattern.
     */
    public static Connectivity random(int n, int m, double density, long seed) {
        require(randomProblem(n, m, density));
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

    /** The listed pairs {@code {i, j}}. */
    public static Connectivity edges(int n, int m, List<int[]> pairs) {
        boolean[][] p = new boolean[n][m];
        for (int[] e : pairs) p[e[0]][e[1]] = true;
        return fromRows(p);
    }

    public Connectivity union(Connectivity o) {
        return combine(o, true);
    }

    public Connectivity intersect(Connectivity o) {
        return combine(o, false);
    }

    private Connectivity combine(Connectivity o, boolean or) {
        if (o.rows != rows || o.cols != cols) throw new IllegalArgumentException("patterns of different sizes: " + this + ", " + o);
        long[] b = new long[bits.length];
        for (int k = 0; k < b.length; k++) b[k] = or ? bits[k] | o.bits[k] : bits[k] & o.bits[k];
        return new Connectivity(rows, cols, b);
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

    public SparseIndex index() {
        return SparseIndex.of(rows, cols, this::get);
    }

    public Tensor toMask() {
        float[] d = new float[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) if (get(i, j)) d[i * cols + j] = 1;
        return new Tensor(new int[] {rows, cols}, d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Connectivity c && c.rows == rows && c.cols == cols && Arrays.equals(c.bits, bits);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "Connectivity[" + rows + " x " + cols + ", " + count() + " of " + (long) rows * cols + "]";
    }
}
