package nnet.ir;

/**
 * The draws of {@code new java.util.SplittableRandom(seed)}, any one of them in O(1): its
 * {@code k}-th {@code nextLong()} is {@code mix64(seed + (k + 1) * GOLDEN_GAMMA)} (the JDK's
 * definition, checked against it by a test), so a sparse kernel draws only at its present entries
 * and still gets the values the dense kernel has there.
 */
final class Draws {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final double DOUBLE_UNIT = 0x1.0p-53;
    private final long seed;

    Draws(long seed) {
        this.seed = seed;
    }

    long nextLong(long k) {
        long z = seed + (k + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The k-th {@code nextDouble()}. */
    double unit(long k) {
        return (nextLong(k) >>> 11) * DOUBLE_UNIT;
    }

    /** The k-th {@code nextDouble(origin, bound)}. */
    double uniform(long k, double origin, double bound) {
        double r = unit(k);
        if (origin < bound) {
            if (bound - origin < Double.POSITIVE_INFINITY) r = r * (bound - origin) + origin;
            else {
                double half = 0.5 * origin;
                r = (r * (0.5 * bound - half) + half) * 2.0;
            }
            if (r >= bound) r = Math.nextDown(bound);
        }
        return r;
    }

    /** Value k of Box-Muller over draws 2k and 2k + 1 (SplittableRandom has no nextGaussian on JDK 17). */
    double gaussian(long k) {
        double u = 1 - unit(2 * k), w = unit(2 * k + 1);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }
}
