package nnet.ir;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import nnet.runtime.Tensor;

/**
 * The starting weights of a graph (what {@code nnetc init} writes): every param by its name,
 * every connectivity as {@code <layer>.mask} and every {@code freeze:} as {@code <layer>.freeze_mask}.
 * Each param draws from its own generator, seeded from the run's seed and its name, so adding a
 * layer does not change the others.
 * Absent connections are 0.
 */
public final class InitialWeights {
    private InitialWeights() {}

    public static Map<String, Tensor> of(Graph g, long seed) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Param p : g.params()) {
            out.put(p.name(), new Tensor(p.shape().dims(), values(p, seed)));
            if (p.present() != null) out.put(p.maskName(), p.present().toMask());
            if (p.frozen() != null) out.put(p.frozenName(), p.frozen().toMask());
        }
        return out;
    }

    /** Row-major values of one param; fixed params give their constants. */
    public static float[] values(Param p, long seed) {
        if (p.fixed() != null) return p.fixed().clone();
        float[] v = new float[p.shape().size()];
        SplittableRandom rnd = new SplittableRandom(mix(mix(seed) ^ p.name().hashCode()));
        double[] fan = fans(p);
        Init init = p.init();
        if (init instanceof Init.Values given) System.arraycopy(given.values(), 0, v, 0, v.length);
        else if (init instanceof Init.Glorot) {
            double limit = Math.sqrt(6 / (fan[0] + fan[1]));
            for (int k = 0; k < v.length; k++) v[k] = (float) rnd.nextDouble(-limit, limit);
        } else if (init instanceof Init.He) {
            double std = Math.sqrt(2 / fan[0]);
            for (int k = 0; k < v.length; k++) v[k] = (float) (gaussian(rnd) * std);
        } else if (init instanceof Init.Normal nm) {
            for (int k = 0; k < v.length; k++) v[k] = (float) (gaussian(rnd) * nm.std());
        } else if (init instanceof Init.Uniform u) {
            for (int k = 0; k < v.length; k++) v[k] = (float) (u.low() == u.high() ? u.low() : rnd.nextDouble(u.low(), u.high()));
        } // Init.Zeros: the array is already 0
        zeroAbsent(p, v);
        return v;
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

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller: SplittableRandom has no nextGaussian on JDK 17
        double u = 1 - rnd.nextDouble(), w = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
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
