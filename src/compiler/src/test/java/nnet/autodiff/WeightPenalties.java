package nnet.autodiff;

import java.util.Map;
import nnet.ir.Graph;
import nnet.ir.Param;

/**
 * The weight penalties ({@code regularize:}) as their definition says, for the tests that hold the
 * runtime to it: {@code Σ penalty(w)} over the entries that exist and train (present, not frozen) of
 * each penalized kernel, and its derivative there (0 at every other entry).
 */
public final class WeightPenalties {
    private WeightPenalties() {}

    /** The penalties' sum at weights {@code w} (row-major, by param name). */
    public static double value(Graph g, Map<String, double[]> w) {
        double sum = 0;
        for (Param p : g.params()) {
            if (p.penalty() == null) continue;
            double[] v = w.get(p.name());
            for (int k = 0; k < v.length; k++) if (trains(p, k)) sum += p.penalty().value(v[k]);
        }
        return sum;
    }

    /** The derivative of p's penalty at weights {@code v}, row-major (zeros without a penalty). */
    public static double[] gradient(Param p, double[] v) {
        double[] d = new double[v.length];
        if (p.penalty() != null) for (int k = 0; k < v.length; k++) if (trains(p, k)) d[k] = p.penalty().derivative(v[k]);
        return d;
    }

    /** Whether row-major entry k of a param exists and is not frozen: its (input, unit) pair, or for a conv kernel [F, C, kh, kw] its (channel, filter) pair. */
    static boolean trains(Param p, int k) {
        int i, j;
        if (p.shape().rank() == 4) {
            int taps = p.shape().dim(2) * p.shape().dim(3), channels = p.shape().dim(1);
            i = k / taps % channels;
            j = k / (taps * channels);
        } else {
            i = k / p.shape().last();
            j = k % p.shape().last();
        }
        return p.has(i, j) && (p.frozen() == null || !p.frozen().get(i, j));
    }
}
