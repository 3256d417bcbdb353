package nnet.ir;

/**
 * A weight tensor of a layer, named as in the weights file: {@code h.kernel}, {@code r1.h.bias}.
 *
 * @param layer    the layer's name ({@code h}, {@code y_1}, {@code r1.h})
 * @param role     {@code kernel}, {@code bias} or {@code recurrent_kernel}
 * @param shape    the shape in the weights file (Keras layout)
 * @param present  which entries exist, as the op defines it and as the mask tensor is written: dense
 *                 {@code n x m}; conv2d the {@code C x filters} channel table; lstm the {@code F x units}
 *                 (or {@code units x units}) pattern shared by the four gates; bias {@code 1 x n};
 *                 null when every entry exists
 * @param init     how a trainable param starts; ignored when fixed
 * @param fixed    the constant values (row-major over {@code shape}) when the source says {@code fixed}; else null
 * @param frozen   entries that keep their initial value ({@code freeze: mask}); null when none
 * @param penalty  {@code regularize: l1(0.01)}: added to the loss trained over the present, trainable entries; null when none
 */
public record Param(String layer, String role, Shape shape, Connectivity present, Init init, float[] fixed, Connectivity frozen,
                    nnet.runtime.math.Penalty penalty) {
    /** A param without a penalty. */
    public Param(String layer, String role, Shape shape, Connectivity present, Init init, float[] fixed, Connectivity frozen) {
        this(layer, role, shape, present, init, fixed, frozen, null);
    }

    /** The same param with a penalty ({@code regularize:}). */
    public Param penalized(nnet.runtime.math.Penalty p) {
        return new Param(layer, role, shape, present, init, fixed, frozen, p);
    }

    public String name() {
        return layer + "." + role;
    }

    /**
     * Whether this is a 2-D kernel whose own entries are the pattern's (a dense layer's, not an
     * lstm's four gates): the kernels stored, and written compact, by their connections alone.
     */
    public boolean isSparseKernel() {
        return present != null && shape.rank() == 2 && present.rows() == shape.dim(0) && present.cols() == shape.dim(1);
    }

    /**
     * How a param is stored, in a generated class as in the runtime: decided here, once, for the
     * emitter's fields, the constructor's registration call and the kernels that read them.
     */
    public enum Layout {
        /** A dense 2-D kernel {@code [n, m]}: a row of units per input, padded to whole vectors (a dense layer, an lstm's gates, an embedding table). */
        ROWS,
        /** A 2-D kernel with absent connections: its present values, unit by unit, with their index by unit and by input. */
        SPARSE,
        /** A conv2d kernel {@code [filters, C, kh, kw]}: flat, with the list of its present (channel, filter) pairs. */
        CONV,
        /** One flat row-major array: biases, a batchnorm's scale, shift and statistics. */
        FLAT
    }

    public Layout layout() {
        return switch (shape.rank()) {
            case 2 -> present == null ? Layout.ROWS : Layout.SPARSE;
            case 4 -> Layout.CONV;
            default -> Layout.FLAT;
        };
    }

    public boolean isFixed() {
        return fixed != null;
    }

    /** A batchnorm's moving mean or variance: a weight the train step updates from each batch, not the optimizer (it has no gradient). */
    public boolean isStatistic() {
        return role.startsWith("moving_");
    }

    /** Whether the optimizer trains it: neither fixed nor a moving statistic. */
    public boolean trains() {
        return !isFixed() && !isStatistic();
    }

    /** The name of the connectivity tensor written beside this param ({@code h.mask}, {@code h.recurrent_mask}). */
    public String maskName() {
        return layer + (role.equals("recurrent_kernel") ? ".recurrent_mask" : role.equals("bias") ? ".bias_mask" : ".mask");
    }

    /** The structure tensor of the entries {@code freeze:} marks (1 = keeps its initial value). */
    public String frozenName() {
        return layer + ".freeze_mask";
    }

    /**
     * Number of weights that exist. The pattern says which (input, unit) pairs exist; the tensor
     * repeats each pair over its other axes (a conv kernel's taps, an lstm's four gates), so the
     * present weights are the tensor's size times the pattern's density.
     */
    public long count() {
        return present == null ? shape.sizeLong() : shape.sizeLong() / ((long) present.rows() * present.cols()) * present.count();
    }

    /**
     * Whether the entries of pair (i, j) exist: (input, unit) of a dense kernel, (channel, filter)
     * of a conv kernel, (0, j) of a bias. An lstm kernel's pattern has a column per unit and repeats
     * for each of the four gates, so j is taken modulo the pattern's width.
     */
    public boolean has(int i, int j) {
        return present == null || present.get(i, j % present.cols());
    }

    @Override
    public String toString() {
        return name() + shape + (fixed != null ? " fixed" : "") + (present != null ? " " + present : "") + (penalty != null ? " " + penalty : "");
    }
}
