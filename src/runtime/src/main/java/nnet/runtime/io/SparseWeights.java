package nnet.runtime.io;

import nnet.runtime.UserError;

/**
 * How a weights file holds a kernel with absent connections (LANGUAGE.md §6, the option
 * {@code --sparse-weights}): dense, as Keras lays out a kernel ({@code h.kernel} and the 0/1
 * {@code h.mask}, what users load today), or compact ({@link CompactKernel}: the present
 * connections' values and their indices). Fully connected kernels are always dense.
 */
public enum SparseWeights {
    /** Every kernel with absent connections compact. */
    ALWAYS,
    /** Every kernel dense (an error for a kernel of more than 2^31 - 9 entries, which no array holds). */
    NEVER,
    /** Compact when large and sparse (as {@code export --edge-lists auto}) or too large to be dense. */
    AUTO;

    /** {@code auto} writes a kernel compact from this many entries ... */
    public static final long LARGE_ENTRIES = 65_536;
    /** ... when at most this fraction of them are present. */
    public static final double SPARSE_DENSITY = 0.25;
    /** No Java array holds more entries. */
    public static final long MAX_DENSE = Integer.MAX_VALUE - 8;

    /** Whether a {@code rows x cols} kernel with {@code present} connections is written compact. */
    public boolean compact(long rows, long cols, long present) {
        long entries = rows * cols;
        return switch (this) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> entries > MAX_DENSE || (entries >= LARGE_ENTRIES && present <= SPARSE_DENSITY * entries);
        };
    }

    /** The option's value ({@code always}, {@code never}, {@code auto}), or null for any other. */
    public static SparseWeights named(String s) {
        for (SparseWeights w : values()) if (w.name().equalsIgnoreCase(s)) return w;
        return null;
    }

    /** The error for a kernel {@code never} cannot write. */
    public static void checkDense(String name, long rows, long cols) {
        if (rows * cols > MAX_DENSE)
            throw new UserError(name + " is " + rows + " x " + cols + " = " + rows * cols + " entries, too many for a dense tensor"
                    + (name.contains("(") ? "" : "; write it compact (--sparse-weights auto or always)"));
    }
}
