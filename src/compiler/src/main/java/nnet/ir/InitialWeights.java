package nnet.ir;

import java.util.LinkedHashMap;
import java.util.Map;
import nnet.runtime.io.CompactKernel;
import nnet.runtime.math.SparseIndex;
import nnet.runtime.io.SparseWeights;
import nnet.runtime.StoredTensor;
import nnet.runtime.Tensor;

/**
 * The starting weights of a graph (what {@code nnetc init} writes): every param by its name,
 * every connectivity as {@code <layer>.mask} and every {@code freeze:} as {@code <layer>.freeze_mask}
 * (compact, like its kernel, for a sparse kernel written compact).
 * Each param draws from its own generator, seeded from the run's seed and its name, so adding a
 * layer does not change the others. Absent connections are 0.
 *
 * <p>Entry {@code k} (row-major) of a param takes the {@code k}-th draw of its
 * {@code SplittableRandom} (two draws, {@code 2k} and {@code 2k + 1}, for a normal value), computed
 * directly ({@link Draws}): a sparse kernel's present values cost O(connections), not O(inputs x
 * units), and equal those of the same kernel made dense.
 */
public final class InitialWeights {
    private InitialWeights() {}

    /** Every tensor dense (LANGUAGE.md §6's Keras layout). */
    public static Map<String, Tensor> of(Graph g, long seed) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Param p : g.params()) {
            out.put(p.name(), new Tensor(p.shape().dims(), values(p, seed)));
            if (p.present() != null) out.put(p.maskName(), p.present().toMask());
            if (p.frozen() != null) out.put(p.frozenName(), p.frozen().toMask());
        }
        return out;
    }

    /** As a weights file holds them: sparse kernels compact or dense as {@code layout} says ({@link CompactKernel}). */
    public static Map<String, StoredTensor> stored(Graph g, long seed, SparseWeights layout) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (Param p : g.params()) {
            boolean compact = p.isSparseKernel() && layout.compact(p.shape().dim(0), p.shape().dim(1), p.count());
            if (compact) {
                new CompactKernel(p.present().index(), presentValues(p, seed)).putInto(out, p.name());
            } else {
                if (p.isSparseKernel()) SparseWeights.checkDense(p.name(), p.shape().dim(0), p.shape().dim(1));
                out.put(p.name(), new Tensor(p.shape().dims(), values(p, seed)));
                if (p.present() != null) out.put(p.maskName(), p.present().toMask());
            }
            if (p.frozen() != null) CompactKernel.putMask(out, p.frozenName(), p.frozen().index(), compact); // in its kernel's form
        }
        return out;
    }

    /** Row-major values of one param; fixed params give their constants. */
    public static float[] values(Param p, long seed) {
        if (p.fixed() != null) return p.fixed().clone();
        float[] v = new float[p.shape().size()];
        ValueAt at = valueAt(p, seed);
        for (int k = 0; k < v.length; k++) v[k] = at.value(k);
        zeroAbsent(p, v);
        return v;
    }

    /** The values of a sparse kernel's present connections, in row-major order: {@link #values} without its zeros. */
    public static float[] presentValues(Param p, long seed) {
        SparseIndex index = p.present().index();
        float[] v = new float[index.count()];
        long m = p.shape().dim(1);
        if (p.fixed() != null) {
            for (int i = 0; i < index.rows(); i++)
                for (int k = index.rowStart()[i]; k < index.rowStart()[i + 1]; k++) v[k] = p.fixed()[(int) (i * m + index.colIndex()[k])];
            return v;
        }
        ValueAt at = valueAt(p, seed);
        for (int i = 0; i < index.rows(); i++)
            for (int k = index.rowStart()[i]; k < index.rowStart()[i + 1]; k++) v[k] = at.value(i * m + index.colIndex()[k]);
        return v;
    }

    /** The initial value of row-major entry {@code k}. */
    private interface ValueAt {
        float value(long k);
    }

    private static ValueAt valueAt(Param p, long seed) {
        Draws d = new Draws(mix(mix(seed) ^ p.name().hashCode()));
        double[] fan = fans(p);
        Init init = p.init();
        if (init instanceof Init.Values given) return k -> given.values()[(int) k];
        if (init instanceof Init.Glorot) {
            double limit = Math.sqrt(6 / (fan[0] + fan[1]));
            return k -> (float) d.uniform(k, -limit, limit);
        }
        if (init instanceof Init.He) {
            double std = Math.sqrt(2 / fan[0]);
            return k -> (float) (d.gaussian(k) * std);
        }
        if (init instanceof Init.Normal nm) return k -> (float) (d.gaussian(k) * nm.std());
        if (init instanceof Init.Uniform u) return k -> (float) (u.low() == u.high() ? u.low() : d.uniform(k, u.low(), u.high()));
        return k -> 0f; // Init.Zeros
    }

    /**
     * Fan-in and fan-out counted over connections that exist, so a sparse layer starts with the
     * same signal variance as a dense one of the same effective width.
     */
    private static double[] fans(Param p) {
        Shape s = p.shape();
        double in, out;
        if (s.rank() == 4) { // conv kernel [filters, C, kh, kw]
            double density = p.present() == null ? 1 : p.present().density();
            double field = s.dim(2) * (double) s.dim(3);
            in = s.dim(1) * field * density;
            out = s.dim(0) * field * density;
        } else if (s.rank() == 2) {
            double density = p.present() == null ? 1 : p.present().density();
            in = s.dim(0) * density;
            out = s.dim(1) * density;
        } else {
            in = out = s.dim(0);
        }
        return new double[] {Math.max(in, 1), Math.max(out, 1)};
    }

    /**
     * MurmurHash3's finalizer: seeds S and S + 1 give unrelated streams. (A seed multiplied by
     * SplittableRandom's own increment made S + 1 the stream of S moved on by one draw.)
     */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** Writes 0 where the param's connectivity says no connection exists ({@link Param#has}). */
    static void zeroAbsent(Param p, float[] v) {
        if (p.present() == null) return;
        Shape s = p.shape();
        if (s.rank() == 4) { // [filters, C, kh, kw]: each (channel, filter) pair of the table covers kh x kw taps
            int f = s.dim(0), ch = s.dim(1), taps = s.dim(2) * s.dim(3);
            for (int o = 0; o < f; o++)
                for (int i = 0; i < ch; i++)
                    if (!p.has(i, o)) java.util.Arrays.fill(v, (o * ch + i) * taps, (o * ch + i + 1) * taps, 0f);
            return;
        }
        int cols = s.last(); // a kernel [n, m], or a bias [m] (row 0)
        for (int k = 0; k < v.length; k++) if (!p.has(k / cols, k % cols)) v[k] = 0;
    }
}
