package nnet.lower;

import java.util.List;
import nnet.diag.Span;
import nnet.ir.Param;

/** One loop nest of the forward pass; the emitter turns each into one method. */
public sealed interface Kernel {
    /** The source place of the node the kernel computes: the generated method's line number. */
    Span span();

    /** A readable name for the generated method. */
    String label();

    /** How a dense contraction visits its connections (LANGUAGE.md §4: absent ones never). */
    enum LinearPath {
        /** Every connection exists: loop over rows of the kernel, the inner loop axpy-shaped. */
        ROWS,
        /** Compressed sparse rows: visit only the present connections. */
        CSR,
        /** Fixed and small: straight-line code with the weights as constants, zeros dropped. */
        UNROLLED
    }

    /** {@code out[r, j] = sum_i in[r, i] * W[i, j]} over present (i, j), for each of {@code outer} rows. */
    record Linear(Span span, String label, Buffer out, Buffer in, Param kernel, int outer, int n, int m, LinearPath path) implements Kernel {}

    /** One loop over {@code extent} elements computing each assignment at index {@code j}. */
    record Map(Span span, String label, int extent, List<Assign> assigns) implements Kernel {}

    record Assign(Buffer out, Expr value) {}

    /** Softmax over rows of {@code m}, max-subtracted for stability. */
    record Softmax(Span span, String label, Buffer out, Buffer in, int rows, int m) implements Kernel {}

    /** For each of {@code outer} blocks, copy {@code lengths[p]} values of each part in turn. */
    record Concat(Span span, String label, Buffer out, List<Buffer> parts, int outer, int[] lengths) implements Kernel {}
}
