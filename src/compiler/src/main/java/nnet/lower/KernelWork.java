package nnet.lower;

import java.util.List;

/**
 * How much work one sample's forward pass does beyond one multiply-add per weight: the runtime
 * shares a batch among its cores only when each gets enough work (a hand-off costs microseconds),
 * and measures that work by the weights a sample visits.
 */
public final class KernelWork {
    private KernelWork() {}

    /** Weight-visits beyond one per weight: a conv's weights at every output position, a loop body's at every step. */
    public static long repeatedVisits(List<Kernel> forward) {
        long sum = 0;
        for (Kernel k : forward) {
            if (k instanceof Kernel.Conv c && c.role() == Kernel.ConvRole.FORWARD) sum += c.kernel().count() * ((long) c.geo().oh() * c.geo().ow() - 1);
            if (k instanceof Kernel.Loop l) sum += (l.steps() - 1) * weightVisits(l.body()) + l.steps() * repeatedVisits(l.body());
        }
        return sum;
    }

    /** Weights the contractions among {@code kernels} visit once each. */
    private static long weightVisits(List<Kernel> kernels) {
        long sum = 0;
        for (Kernel k : kernels) {
            if (k instanceof Kernel.Linear l) sum += l.kernel().count() * l.outer();
            if (k instanceof Kernel.Conv c && c.role() == Kernel.ConvRole.FORWARD) sum += c.kernel().count();
        }
        return sum;
    }
}
