package nnet.check;

/**
 * Element counts with checked arithmetic. Shapes come from the user's file, and their products
 * can exceed 64 bits ({@code input img[111620, 429509837, 384773]} wraps around to 4): a product
 * that does not fit saturates at {@link #OVERFLOW}, so it is reported as too large, never as small.
 */
final class Sizes {
    /** One tensor holds at most this many floats (the JVM's array limit). */
    static final long MAX_TENSOR = Integer.MAX_VALUE - 8;
    /** All tensors and weights of a network together: 2^31 floats (8 GiB). */
    static final long MAX_TOTAL = 1L << 31;
    /** Stands for any count past 2^63 - 1. */
    static final long OVERFLOW = Long.MAX_VALUE;

    private Sizes() {}

    /** The product of non-negative factors, or {@link #OVERFLOW}. */
    static long product(long... factors) {
        long p = 1;
        for (long f : factors) p = times(p, f);
        return p;
    }

    static long elements(int[] dims) {
        long p = 1;
        for (int d : dims) p = times(p, d);
        return p;
    }

    static long times(long a, long b) {
        long high = Math.multiplyHigh(a, b), low = a * b;
        return high != 0 || low < 0 ? OVERFLOW : low;
    }

    static long plus(long a, long b) {
        long s = a + b;
        return s < 0 ? OVERFLOW : s;
    }

    /** Reports and returns false when a tensor of {@code elements} floats cannot be allocated. */
    static boolean check(Reporter r, nnet.diag.Span span, long elements, String what) {
        if (elements <= MAX_TENSOR && elements > 0) return true;
        r.error(nnet.diag.DiagCode.SHAPE_SIZE, span, what + " has " + text(elements) + " elements; one tensor holds at most " + MAX_TENSOR);
        return false;
    }

    /** The message when a network's tensors and weights, {@code floats} in all, are more than {@link #MAX_TOTAL}. */
    static String totalTooLarge(String network, long floats) {
        return "network " + network + " needs " + text(floats) + " floats of tensors and weights ("
                + (floats == OVERFLOW ? "far more than 8" : String.format(java.util.Locale.ROOT, "%.1f", floats * 4.0 / (1L << 30))) + " GiB); at most "
                + MAX_TOTAL + " (8 GiB) can be allocated";
    }

    /** For messages: the count, or "more than 2^63" when it overflowed. */
    static String text(long n) {
        return n == OVERFLOW ? "more than 2^63" : Long.toString(n);
    }
}
