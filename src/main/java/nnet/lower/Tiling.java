package nnet.lower;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How a forward pass or train step runs a batch in tiles of up to {@link #size} samples, so that
 * contractions see many samples at once. Every buffer has a copy per sample of the tile; the
 * kernels of the per-sample program run sample after sample as they are, while a sparse
 * contraction runs once for the whole tile over feature-major copies ({@code [feature][sample]}):
 * each present connection is then one loop over the tile's samples, contiguous and the same index
 * on both sides, which C2 vectorizes — where one sample at a time a connection is one scalar
 * scatter or gather. A dense contraction runs over blocks of samples in their own buffers: each
 * row of weights (or of the weight gradient, or of the weights' transpose) is loaded once per block.
 *
 * <p>Kernels only communicate through buffers and each buffer is written by one kernel, so running
 * kernel by kernel for all samples (instead of sample by sample through all kernels) computes the
 * same values. A feature-major copy, once made, stays valid for the rest of the step.
 *
 * @param forward  the forward program as steps
 * @param backward the backward program as steps
 */
public record Tiling(int size, List<Step> forward, List<Step> backward) {
    /** Samples per tile: 32 lanes fill four AVX2 vectors per connection and a tile's copies stay in cache. */
    public static final int SIZE = 32;
    /** A network whose tile copies would need more than this many floats trains sample by sample. */
    static final long MAX_TILE_FLOATS = 1L << 25;
    /** More kernels than this and the tile program could outgrow one method (the JVM's 64 KB limit). */
    static final int MAX_KERNELS = 2000;

    /** One part of a tiled program. */
    public sealed interface Step {}

    /** Kernels of the per-sample program, run for each sample of the tile in turn. */
    public record PerSample(List<Kernel> kernels) implements Step {}

    /**
     * A contraction over the whole tile. A sparse one first copies the buffers of {@code toFeatureMajor}
     * to their feature-major form, writes its output feature-major, then copies it to the per-sample
     * buffers; a dense one ({@code toFeatureMajor} empty) works on the per-sample buffers.
     */
    public record Batched(Kernel kernel, List<Buffer> toFeatureMajor) implements Step {}

    /**
     * Whether a kernel runs over the tile at once: contractions over one row on the CSR and ROWS
     * paths (forward, input gradient, weight gradient); dense ones blocked over samples so each
     * weight row or gradient row is read once for several.
     */
    public static boolean batched(Kernel k) {
        if (k instanceof Kernel.Linear l) return l.outer() == 1 && l.path() != Kernel.LinearPath.UNROLLED;
        if (k instanceof Kernel.LinearT l) return l.outer() == 1 && l.path() != Kernel.LinearPath.UNROLLED;
        if (k instanceof Kernel.WeightGrad w) return w.outer() == 1;
        return false;
    }

    /** Whether a batched kernel works on feature-major copies (sparse ones) rather than on the samples' own buffers (dense ones). */
    public static boolean featureMajor(Kernel k) {
        if (k instanceof Kernel.Linear l) return l.path() == Kernel.LinearPath.CSR;
        if (k instanceof Kernel.LinearT l) return l.path() == Kernel.LinearPath.CSR;
        if (k instanceof Kernel.WeightGrad w) return w.path() == Kernel.LinearPath.CSR;
        return false;
    }

    /** The buffers a batched kernel reads, and the one it writes (or null: a weight gradient). */
    public static List<Buffer> reads(Kernel k) {
        if (k instanceof Kernel.Linear l) return List.of(l.in());
        if (k instanceof Kernel.LinearT l) return List.of(l.in());
        if (k instanceof Kernel.WeightGrad w) return List.of(w.x(), w.dz());
        throw new IllegalArgumentException("not batched: " + k.label());
    }

    public static Buffer writes(Kernel k) {
        if (k instanceof Kernel.Linear l) return l.out();
        if (k instanceof Kernel.LinearT l) return l.out();
        return null;
    }

    /** Buffers that have a feature-major copy. */
    public Set<Buffer> featureMajor() {
        Set<Buffer> out = new LinkedHashSet<>();
        for (List<Step> steps : List.of(forward, backward))
            for (Step s : steps)
                if (s instanceof Batched b && featureMajor(b.kernel())) {
                    out.addAll(reads(b.kernel()));
                    if (writes(b.kernel()) != null) out.add(writes(b.kernel()));
                }
        return out;
    }

    /** The plan for a program, or null when tiles would not help (no contraction to batch) or cost too much. */
    static Tiling plan(List<Kernel> forward, List<Kernel> backward, List<Buffer> buffers) {
        if (forward.stream().noneMatch(Tiling::batched) && backward.stream().noneMatch(Tiling::batched)) return null;
        long floats = 0;
        for (Buffer b : buffers) floats += b.size();
        if (floats * SIZE > MAX_TILE_FLOATS || forward.size() + backward.size() > MAX_KERNELS) return null;
        Set<Buffer> valid = new LinkedHashSet<>();
        return new Tiling(SIZE, steps(forward, valid), steps(backward, valid));
    }

    private static List<Step> steps(List<Kernel> kernels, Set<Buffer> valid) {
        List<Step> out = new ArrayList<>();
        List<Kernel> run = new ArrayList<>();
        for (Kernel k : kernels) {
            if (!batched(k)) {
                run.add(k);
                continue;
            }
            if (!run.isEmpty()) out.add(new PerSample(List.copyOf(run)));
            run.clear();
            List<Buffer> copy = new ArrayList<>();
            if (featureMajor(k)) {
                for (Buffer b : reads(k)) if (valid.add(b)) copy.add(b);
                if (writes(k) != null) valid.add(writes(k));
            }
            out.add(new Batched(k, List.copyOf(copy)));
        }
        if (!run.isEmpty()) out.add(new PerSample(List.copyOf(run)));
        return out;
    }
}
