package nnet.runtime;

import nnet.runtime.io.CompactKernel;

import nnet.runtime.math.Penalty;
import nnet.runtime.math.SparseIndex;

/**
 * One weight tensor as generated code stores it: segments of values (a dense kernel's rows,
 * padded to whole vectors with zeros that never train; a sparse kernel's present values in CSR
 * order; or one flat array) and, for training, gradients in the same layout. Only entries that exist have storage. Entries that exist but must not move
 * (frozen ones, absent entries of a masked bias) are left out of {@link #trainable}, so their
 * gradient is zeroed and optimizers keep no state for them and never touch them.
 */
class ParamStorage {
    /** Where storage entry {@code index} of {@code segment} sits in the row-major tensor, or -1 for padding (a row's lanes past its end). */
    interface Layout {
        int rowMajor(int segment, int index);
    }

    final String name;
    final int[] shape;
    final float[][] values;
    private final Layout layout;
    /** Per segment, the indices that train, or null where all do; {@link #held} the others. */
    final int[][] trainable, held;
    /** Allocated when generated backward code registers its gradient storage. */
    float[][] grads;
    /**
     * Whether the first tile of a batch's part sets this gradient (its one gradient kernel, a dense weight
     * gradient, writes every entry): a tiled batch does not zero it first ({@link CompiledNetwork#setsGradients}).
     */
    boolean setByTiles;
    /** The gradient is {@code grads * gradScale}: the batch mean is taken by the optimizer's pass, not a pass of its own. */
    float gradScale = 1;
    /**
     * For a sparse kernel: its connections (row-major), where the value of each is stored in
     * segment 0, and the name of its mask tensor; null otherwise. Such a kernel loads and saves
     * compact ({@link CompactKernel}) without ever forming its dense shape.
     */
    SparseIndex connections;
    int[] storedAt;
    String maskName;
    /** A sparse kernel's {@code freeze:} mask (saved in the kernel's form, dense or compact) and its name; null without one. */
    SparseIndex frozen;
    String frozenName;
    /** {@code regularize:}: a penalty on the trainable entries, or null; and its value per segment at the last step, as the optimizer took it. */
    Penalty penalty;
    double[] penaltyOfSegment;
    /** The gradients hold the penalty's derivative already ({@link #addPenaltyGradient}, or sums of replicas' that did): a step does not add it again. */
    boolean penaltyInGrads;

    /**
     * For an embedding's rows (a segment each): the rows whose gradient a batch touched, set by its
     * gradient kernel; its gradient is zeroed, summed and stepped on those rows only. Null otherwise.
     */
    boolean[] touched;

    ParamStorage(String name, int[] shape, float[][] values, Layout layout, Tensor frozen) {
        this.name = name;
        this.shape = shape;
        this.values = values;
        this.layout = layout;
        this.trainable = new int[values.length][];
        this.held = new int[values.length][];
        if (frozen != null) leaveOut(frozen.data());
    }

    /** Entries whose {@code held} value (row-major, repeated over rows) is non-zero do not train. */
    void leaveOut(float[] held) {
        leaveOut((s, k) -> {
            int at = layout.rowMajor(s, k);
            return at >= 0 && held[at % held.length] != 0;
        });
    }

    /** Whether storage entry {@code index} of {@code segment} is held at its value. */
    interface Held {
        boolean at(int segment, int index);
    }

    /** Entries {@code held} says do not train (besides those already left out); O(stored entries), never O(the dense shape). */
    void leaveOut(Held held) {
        for (int s = 0; s < values.length; s++) {
            int[] keep = new int[values[s].length], hold = new int[values[s].length];
            int kept = 0, holding = 0;
            for (int k = 0; k < values[s].length; k++) {
                boolean trains = !held.at(s, k) && (trainable[s] == null || contains(trainable[s], k));
                if (trains) keep[kept++] = k;
                else hold[holding++] = k;
            }
            if (holding == 0) continue;
            trainable[s] = java.util.Arrays.copyOf(keep, kept);
            this.held[s] = java.util.Arrays.copyOf(hold, holding);
        }
    }

    private static boolean contains(int[] sorted, int k) {
        return java.util.Arrays.binarySearch(sorted, k) >= 0;
    }

    int size() {
        return (int) Tensor.size(shape);
    }

    /** Values from a compact kernel: the file's value at each connection the network has, 0 at those the file lacks. */
    void loadCompact(CompactKernel file) {
        float[] v = values[0];
        java.util.Arrays.fill(v, 0);
        SparseIndex f = file.index();
        for (int i = 0; i < f.rows(); i++)
            for (int k = f.rowStart()[i]; k < f.rowStart()[i + 1]; k++) {
                int at = java.util.Arrays.binarySearch(connections.colIndex(), connections.rowStart()[i], connections.rowStart()[i + 1], f.colIndex()[k]);
                if (at >= 0) v[storedAt[at]] = file.values()[k];
            }
    }

    CompactKernel saveCompact() {
        return compact(values[0], 1);
    }

    CompactKernel saveGradCompact() {
        return compact(grads[0], gradScale);
    }

    private CompactKernel compact(float[] stored, float scale) {
        float[] out = new float[storedAt.length];
        for (int k = 0; k < out.length; k++) out[k] = stored[storedAt[k]] * scale;
        return new CompactKernel(connections, out);
    }

    void load(float[] rowMajor) {
        fromRowMajor(rowMajor, values);
    }

    private void fromRowMajor(float[] rowMajor, float[][] into) {
        for (int s = 0; s < into.length; s++)
            for (int k = 0; k < into[s].length; k++) {
                int at = layout.rowMajor(s, k);
                if (at >= 0) into[s][k] = rowMajor[at];
            }
    }

    /**
     * Per-entry values in storage layout (an optimizer's state) as a file holds them, whatever the
     * storage's padding on this machine: row-major in the param's shape, or for a sparse kernel one
     * value per connection in row-major (CSR) order, never its dense shape.
     */
    Tensor stored(float[][] segments) {
        return connections == null ? new Tensor(shape, toRowMajor(segments)) : new Tensor(new int[] {storedAt.length}, compact(segments[0], 1).values());
    }

    /** The inverse of {@link #stored}: storage-layout segments from such a tensor, called {@code name} in errors. */
    float[][] fromStored(Tensor t, String name) {
        int[] want = connections == null ? shape : new int[] {storedAt.length};
        if (!java.util.Arrays.equals(t.shape(), want))
            throw new DataFormatException("'" + name + "' has shape " + t.shapeString() + ", the network needs " + java.util.Arrays.toString(want));
        float[][] out = new float[values.length][];
        for (int s = 0; s < out.length; s++) out[s] = new float[values[s].length];
        if (connections == null) fromRowMajor(t.data(), out);
        else for (int k = 0; k < storedAt.length; k++) out[0][storedAt[k]] = t.data()[k];
        return out;
    }

    float[] save() {
        return toRowMajor(values);
    }

    /** The gradient as a tensor: 0 at absent entries. */
    float[] saveGrad() {
        float[] g = toRowMajor(grads);
        for (int k = 0; k < g.length; k++) g[k] *= gradScale;
        return g;
    }

    private float[] toRowMajor(float[][] segments) {
        float[] out = new float[size()];
        for (int s = 0; s < segments.length; s++)
            for (int k = 0; k < segments[s].length; k++) {
                int at = layout.rowMajor(s, k);
                if (at >= 0) out[at] = segments[s][k];
            }
        return out;
    }

    /** Segments of the same lengths as the values, for the gradient. */
    float[][] allocateGrads() {
        grads = new float[values.length][];
        for (int s = 0; s < values.length; s++) grads[s] = new float[values[s].length];
        return grads;
    }

    /** Flags of the rows an embedding's gradient touches (its segments), made on first use. */
    boolean[] touchedRows() {
        if (touched == null) touched = new boolean[values.length];
        return touched;
    }

    /** Adds another replica's gradient sums (same layout) to these. */
    void addGrads(ParamStorage other) {
        for (int s = 0; s < grads.length; s++) addGrads(other, s);
    }

    /** Adds segment {@code s} of another replica's gradient sums; a row of an embedding only when that replica touched it. */
    void addGrads(ParamStorage other, int s) {
        if (touched != null) {
            if (!other.touched[s]) return;
            touched[s] = true;
        }
        float[] g = grads[s], o = other.grads[s];
        for (int k = 0; k < g.length; k++) g[k] += o[k];
    }

    void zeroGrads() {
        for (int s = 0; s < grads.length; s++) zeroGrads(s);
        gradsZeroed();
    }

    /** Segment {@code s} of {@link #zeroGrads}, which any core may do; {@link #gradsZeroed} once all are. */
    void zeroGrads(int s) {
        if (touched != null && !touched[s]) return;
        java.util.Arrays.fill(grads[s], 0);
        if (touched != null) touched[s] = false;
    }

    /** The gradient holds sums of nothing yet: no scale, no penalty. */
    void gradsZeroed() {
        gradScale = 1;
        penaltyInGrads = false;
    }

    void penalty(Penalty p) {
        penalty = p;
        penaltyOfSegment = new double[values.length];
    }

    /** The penalty of the trainable entries, as the last optimizer step found them before it moved them. */
    double penaltyTaken() {
        double sum = 0;
        for (double v : penaltyOfSegment) sum += v;
        return sum;
    }

    /**
     * Adds the penalty's derivative at every trainable entry to the gradient (after {@link #finishGrads}:
     * scaled back by the batch's size, as the storage holds sums); returns the penalty's value. Segments
     * the optimizer does not step ({@link #steps}) count in the value but get no derivative: the
     * gradient is what a step takes, and their stale sums would not be zeroed.
     */
    double addPenaltyGradient() {
        double sum = 0;
        float perSample = 1 / gradScale;
        for (int s = 0; s < values.length; s++) {
            if (!steps(s)) {
                sum += segmentPenalty(s);
                continue;
            }
            float[] w = values[s], g = grads[s];
            int n = trainable[s] == null ? w.length : trainable[s].length;
            for (int i = 0; i < n; i++) {
                int k = trainable[s] == null ? i : trainable[s][i];
                sum += penalty.value(w[k]);
                g[k] += perSample * penalty.derivative(w[k]);
            }
        }
        penaltyInGrads = true;
        return sum;
    }

    /** The penalty of segment {@code s}'s trainable entries. */
    double segmentPenalty(int s) {
        float[] w = values[s];
        double sum = 0;
        for (int i = 0, n = trainable[s] == null ? w.length : trainable[s].length; i < n; i++) sum += penalty.value(w[trainable[s] == null ? i : trainable[s][i]]);
        return sum;
    }

    /** Whether the optimizer steps segment {@code s}: every segment but an embedding's rows that the batch did not touch. */
    boolean steps(int s) {
        return touched == null || touched[s];
    }

    /** After a batch: the mean over its {@code samples}, and exactly 0 where entries do not train. */
    void finishGrads(int samples) {
        meanOver(samples);
        for (int s = 0; s < grads.length; s++) clearHeld(s);
    }

    /** The gradient is the sums over {@code samples} divided by them. */
    void meanOver(int samples) {
        gradScale = 1f / samples;
    }

    /** Segment {@code s}'s part of {@link #finishGrads} but the scale: 0 where entries do not train. */
    void clearHeld(int s) {
        if (held[s] != null) for (int k : held[s]) grads[s][k] = 0;
    }
}
