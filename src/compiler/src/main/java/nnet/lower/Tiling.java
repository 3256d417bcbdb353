package nnet.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnet.ir.Param;

/**
 * How a batch runs in tiles of {@link #SIZE} samples. Every buffer has tile rows
 * {@code [feature][sample]}: one row of {@code SIZE} lanes per element of the per-sample buffer.
 * A kernel then runs once for the whole tile, each of its element operations a loop over the
 * lanes of a row (same index on both sides, the form C2 vectorizes) or a few Vector API
 * operations: a contraction broadcasts one weight and adds it times a row of inputs into a row of
 * outputs, so one present connection costs a few fused multiply-adds for all the samples.
 *
 * <p>The loss (a row function of each sample) runs {@link PerSample}: for each real lane, on the per-sample buffers, gathered from the
 * tile rows before and scattered back after. Lanes past the batch's end hold copies of a real
 * sample; a per-sample run fills them with its last real lane's results going forward and with 0
 * going backward, so they compute finite values and add exactly nothing to any weight gradient.
 *
 * <p>Kernels communicate only through buffers and each buffer is written by one kernel, so running
 * kernel by kernel for all samples computes what running sample by sample does.
 *
 * @param forward      the forward program as steps
 * @param trainForward a train step's forward program as steps ({@link Program.Training#trainForward}); the same list as forward when no op trains differently
 * @param backward     the backward program as steps
 * @param stages       a staged train step's stages as steps ({@link Program.Stage}), or null
 */
public record Tiling(List<Step> forward, List<Step> trainForward, List<Step> backward, List<List<Step>> stages) {
    /** Samples per tile: two 512-bit vectors, four 256-bit ones; a batch of 64 on two cores is a tile each. */
    public static final int SIZE = 32;
    /** A network whose tile rows would need more than this many floats trains sample by sample. */
    static final long MAX_TILE_FLOATS = 1L << 25;

    /** One part of a tiled program. */
    public sealed interface Step {}

    /** A kernel run once over the tile rows of its buffers. */
    public record Batched(Kernel kernel) implements Step {}

    /**
     * Kernels run lane by lane on the per-sample buffers: {@code gather} is copied from lane s of
     * the tile rows first, {@code scatter} back to it after.
     */
    public record PerSample(List<Kernel> kernels, List<Buffer> gather, List<Buffer> scatter) implements Step {}

    /** Every list of steps the tiled program runs. */
    public List<List<Step>> stepLists() {
        List<List<Step>> out = new ArrayList<>(List.of(forward, trainForward, backward));
        if (stages != null) out.addAll(stages);
        return out;
    }

    /** Whether a kernel has a batched form. */
    public static boolean batched(Kernel k) {
        if (k instanceof Kernel.Loop l) return l.body().stream().allMatch(Tiling::batched);
        return !(k instanceof Kernel.Loss);
    }

    /** The plan for a program, or null when its tile rows would cost too much memory (it then runs sample by sample). */
    static Tiling plan(List<Kernel> forward, List<Kernel> trainForward, List<Kernel> backward, List<Program.Stage> stages, List<Buffer> buffers) {
        long floats = 0;
        for (Buffer b : buffers) floats += b.size();
        if (floats * SIZE > MAX_TILE_FLOATS) return null;
        List<Step> fw = steps(forward);
        return new Tiling(fw, trainForward == forward ? fw : steps(trainForward), steps(backward),
                stages == null ? null : stages.stream().map(s -> steps(s.kernels())).toList());
    }

    private static List<Step> steps(List<Kernel> kernels) {
        List<Step> out = new ArrayList<>();
        List<Kernel> run = new ArrayList<>();
        for (Kernel k : kernels) {
            if (!batched(k)) {
                run.add(k);
                continue;
            }
            if (!run.isEmpty()) out.add(perSample(run));
            run.clear();
            out.add(new Batched(k));
        }
        if (!run.isEmpty()) out.add(perSample(run));
        return out;
    }

    /**
     * The params whose gradient the first tile of a batch's part sets rather than adds to, so that the
     * runtime need not zero it first (a pass over every weight a step, and a read fewer): a dense kernel
     * whose one gradient kernel is a weight gradient run batched in the backward pass, which writes every
     * entry (its rows' padding too, from the zero padding of its sample-major copy of dz). A kernel whose
     * gradient sums in a loop's body, or that another kernel's gradient adds to, is left out.
     */
    public Set<Param> gradientsSetByTiles() {
        Map<Param, Integer> writers = new HashMap<>();
        for (Step s : backward) {
            List<Kernel> kernels = s instanceof Batched b ? List.of(b.kernel()) : ((PerSample) s).kernels();
            for (Kernel k : kernels) countGradientWriters(k, writers);
        }
        Set<Param> out = new LinkedHashSet<>();
        for (Step s : backward)
            if (s instanceof Batched b && b.kernel() instanceof Kernel.WeightGrad w && w.path() == Kernel.LinearPath.ROWS
                    && w.kernel().layout() == Param.Layout.ROWS && writers.get(w.kernel()) == 1)
                out.add(w.kernel());
        return out;
    }

    /** Counts each param whose gradient a kernel (or each kernel of a loop's body) may write: a conv's kernel and bias whatever its role. */
    private static void countGradientWriters(Kernel k, Map<Param, Integer> writers) {
        if (k instanceof Kernel.WeightGrad w) writers.merge(w.kernel(), 1, Integer::sum);
        if (k instanceof Kernel.Map m)
            for (Kernel.Store store : m.stores()) if (store instanceof Kernel.AddToGrad a) writers.merge(a.param(), 1, Integer::sum);
        if (k instanceof Kernel.Conv c) {
            writers.merge(c.kernel(), 1, Integer::sum);
            if (c.bias() != null) writers.merge(c.bias(), 1, Integer::sum);
        }
        if (k instanceof Kernel.LookupGrad l) writers.merge(l.embeddings(), 1, Integer::sum);
        if (k instanceof Kernel.Loop l) for (Kernel body : l.body()) countGradientWriters(body, writers);
    }

    /** Reads that no kernel of the run writes are gathered; everything the run writes is scattered. */
    private static PerSample perSample(List<Kernel> run) {
        Set<Buffer> reads = new LinkedHashSet<>(), writes = new LinkedHashSet<>();
        for (Kernel k : run) {
            for (Buffer b : KernelBuffers.reads(k)) if (!writes.contains(b)) reads.add(b);
            writes.addAll(KernelBuffers.writes(k));
        }
        return new PerSample(List.copyOf(run), List.copyOf(reads), List.copyOf(writes));
    }
}
