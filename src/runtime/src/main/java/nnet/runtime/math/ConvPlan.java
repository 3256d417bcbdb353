package nnet.runtime.math;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The work of a conv2d over a tile, as lists its tile kernels walk (built once, when a network is
 * constructed, from the geometry and the present channel pairs). A tile row is one element of an
 * image for 32 samples, so every product is a weight times a row of lanes; what the lists say is
 * which rows meet which weights.
 *
 * <p>Output channels are taken in <b>blocks</b> of consecutive channels that read the same input
 * channels (a full table gives blocks of 4; LeNet's C3 table, whose filters all read different
 * maps, blocks of 1), so a block's loop over taps is the same for each of its channels and absent
 * channel pairs are never visited. Positions are grouped into <b>regions</b> whose windows have
 * the same taps inside the image: border rows and columns lose the taps that fall on the padding,
 * which are left out, never read. A <b>tap</b> is a row offset from a position's base row and a
 * weight's index; a <b>position</b> is its base row on the side read and its row on the side
 * written. A job is one block over one region:
 * <pre>
 * dst[dst0 + q dstStride + positions[2p + 1]] += w[w0 + q wStride + taps[2t + 1]] * src[positions[2p] + taps[2t]]
 *     for q &lt; block, t in [t0, t1), p in [p0, p1)
 * </pre>
 * ({@code dstStride} and {@code wStride} are in the job too: the forward plan's are the size of an
 * output channel and of a filter). The forward plan reads the image and writes the output; the
 * kernel gradient walks the same plan with the roles of its factors exchanged. The
 * input-gradient plan reads dy and writes dx, by blocks of input channels: a dx position's taps
 * are those of the outputs whose windows cover it, which with a stride depend on its phase
 * ({@code (y + padTop) mod strideY}), so phases are regions of their own.
 *
 * <p>A conv whose output is 1 x 1 and whose kernel covers the unpadded input is one dense product:
 * it is planned as a 1 x 1 convolution over {@code C kh kw} channels (the same weights in the same
 * order), a single position with blocks of up to 8 channels, the register blocking of a matrix
 * product.
 */
public final class ConvPlan {
    /** Ints per job: dst0, dstStride, w0, wStride, block, t0, t1, p0, p1. */
    public static final int JOB = 9;
    /**
     * The largest block: 4 channels over several positions (the block of the kernels for 32 vector registers, and of
     * one sample's plans), 8 over the one position of a dense product. The kernels for 16 registers take blocks of
     * 6 ({@link #of}'s {@code block}): they call 3 channels at a time, and a block of 4 left 1, whose calls cost
     * 1.9 times as much a multiply-add.
     */
    public static final int BLOCK = 4;
    static final int DENSE_BLOCK = 8;

    public final int[] jobs, taps, positions;

    private ConvPlan(int[] jobs, int[] taps, int[] positions) {
        this.jobs = jobs;
        this.taps = taps;
        this.positions = positions;
    }

    /** The sizes of a conv2d: input {@code [c, h, w]}, output {@code [f, oh, ow]}, kernel {@code kh x kw}, strides, zero padding before. */
    public record Geometry(int c, int h, int w, int f, int oh, int ow, int kh, int kw, int strideY, int strideX, int padTop, int padLeft) {
        /** Output 1 x 1 from a kernel that covers the unpadded input: a dense product. */
        public boolean denseProduct() {
            return oh == 1 && ow == 1 && kh == h && kw == w && padTop == 0 && padLeft == 0;
        }

        /** The dense product as a 1 x 1 convolution over {@code c kh kw} channels. */
        Geometry asOneByOne() {
            return new Geometry(c * kh * kw, 1, 1, f, 1, 1, 1, 1, 1, 1, 0, 0);
        }
    }

    /** {@code [i0, o0, i1, o1, ...]} of a dense product: each present pair stands for its {@code kh kw} taps, each a channel. */
    private static int[] taps(int[] pairs, Geometry g) {
        int per = g.kh() * g.kw();
        int[] out = new int[pairs.length * per];
        for (int p = 0, n = 0; p < pairs.length; p += 2)
            for (int t = 0; t < per; t++) {
                out[n++] = pairs[p] * per + t;
                out[n++] = pairs[p + 1];
            }
        return out;
    }

    /** Whether a conv's channel table holds the pair (input channel, filter). */
    public interface Table {
        boolean has(int channel, int filter);
    }

    /** The present pairs as {@code [i0, o0, i1, o1, ...]}, filter by filter: the order every conv loop visits them in. */
    public static int[] pairs(int channels, int filters, Table table) {
        int[] pairs = new int[2 * channels * filters];
        int n = 0;
        for (int o = 0; o < filters; o++)
            for (int i = 0; i < channels; i++)
                if (table.has(i, o)) {
                    pairs[n++] = i;
                    pairs[n++] = o;
                }
        return Arrays.copyOf(pairs, n);
    }

    /**
     * The forward plan or the input-gradient plan of a conv in blocks of at most {@code block} channels: what a
     * generated constructor calls, with the geometry's 12 sizes in order.
     */
    public static ConvPlan of(int[] pairs, int[] sizes, boolean forward, int block) {
        Geometry g = geometry(sizes);
        return forward ? forward(pairs, g, block) : inputGradient(pairs, g, block);
    }

    /** The forward plan (also the kernel gradient's) in blocks of at most {@link #BLOCK}. */
    public static ConvPlan forward(int[] pairs, Geometry g) {
        return forward(pairs, g, BLOCK);
    }

    /** The forward plan (also the kernel gradient's): blocks of at most {@code block} output channels, regions of output positions. */
    public static ConvPlan forward(int[] pairs, Geometry g, int block) {
        if (g.denseProduct()) return forwardBlocks(taps(pairs, g), g.asOneByOne(), DENSE_BLOCK);
        return forwardBlocks(pairs, g, block);
    }

    /** The input-gradient plan in blocks of at most {@link #BLOCK}. */
    public static ConvPlan inputGradient(int[] pairs, Geometry g) {
        return inputGradient(pairs, g, BLOCK);
    }

    /** The input-gradient plan: blocks of at most {@code block} input channels, regions of input positions. */
    public static ConvPlan inputGradient(int[] pairs, Geometry g, int block) {
        if (g.denseProduct()) return inputGradientBlocks(taps(pairs, g), g.asOneByOne(), DENSE_BLOCK);
        return inputGradientBlocks(pairs, g, block);
    }

    /** The block sizes a plan's jobs use, ascending: the generated kernels have a form for each. */
    public int[] blockSizes() {
        java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>();
        for (int j = 0; j < jobs.length; j += JOB) sizes.add(jobs[j + 4]);
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static ConvPlan forwardBlocks(int[] pairs, Geometry g, int maxBlock) {
        boolean[][] reads = new boolean[g.f()][g.c()]; // reads[o][i]: filter o reads channel i
        for (int p = 0; p < pairs.length; p += 2) reads[pairs[p + 1]][pairs[p]] = true;
        Map<List<Integer>, List<Integer>> rows = ranges(g.oh(), y -> y * g.strideY() - g.padTop(), g.kh(), g.h());
        Map<List<Integer>, List<Integer>> cols = ranges(g.ow(), x -> x * g.strideX() - g.padLeft(), g.kw(), g.w());
        Builder b = new Builder();
        List<int[]> regions = new ArrayList<>(); // p0, p1, kyLo, kyHi, kxLo, kxHi
        rows.forEach((ky, ys) -> cols.forEach((kx, xs) -> {
            int p0 = b.positionCount();
            for (int y : ys)
                for (int x : xs) b.position((y * g.strideY() - g.padTop()) * g.w() + x * g.strideX() - g.padLeft(), y * g.ow() + x);
            regions.add(new int[] {p0, b.positionCount(), ky.get(0), ky.get(1), kx.get(0), kx.get(1)});
        }));
        for (int[] block : blocks(reads, maxBlock))
            for (int[] r : regions) {
                int t0 = b.tapCount();
                for (int i = 0; i < g.c(); i++) {
                    if (!reads[block[0]][i]) continue;
                    for (int ky = r[2]; ky < r[3]; ky++)
                        for (int kx = r[4]; kx < r[5]; kx++) b.tap(i * g.h() * g.w() + ky * g.w() + kx, (i * g.kh() + ky) * g.kw() + kx);
                }
                b.job(block[0], g.oh() * g.ow(), g.c() * g.kh() * g.kw(), block[1], t0, r[0], r[1]);
            }
        return b.build();
    }

    /**
     * For each output position along an axis, the taps {@code [lo, hi)} whose input coordinate
     * {@code start(pos) + k} lies in {@code [0, size)}; positions grouped by that range (regions
     * along the axis), in order of first appearance. Positions with no tap inside are left out.
     */
    private static Map<List<Integer>, List<Integer>> ranges(int count, java.util.function.IntUnaryOperator start, int k, int size) {
        Map<List<Integer>, List<Integer>> out = new LinkedHashMap<>();
        for (int pos = 0; pos < count; pos++) {
            int s = start.applyAsInt(pos), lo = Math.max(0, -s), hi = Math.min(k, size - s);
            if (lo < hi) out.computeIfAbsent(List.of(lo, hi), key -> new ArrayList<>()).add(pos);
        }
        return out;
    }

    private static ConvPlan inputGradientBlocks(int[] pairs, Geometry g, int maxBlock) {
        boolean[][] feeds = new boolean[g.c()][g.f()]; // feeds[i][o]: channel i feeds filter o
        for (int p = 0; p < pairs.length; p += 2) feeds[pairs[p]][pairs[p + 1]] = true;
        Map<List<Integer>, List<int[]>> rows = phases(g.h(), g.padTop(), g.strideY(), g.kh(), g.oh());
        Map<List<Integer>, List<int[]>> cols = phases(g.w(), g.padLeft(), g.strideX(), g.kw(), g.ow());
        Builder b = new Builder();
        List<List<Integer>[]> keys = new ArrayList<>();
        List<int[]> spans = new ArrayList<>();
        rows.forEach((ky, ys) -> cols.forEach((kx, xs) -> {
            int p0 = b.positionCount();
            for (int[] y : ys)
                for (int[] x : xs) b.position(y[1] * g.ow() + x[1], y[0] * g.w() + x[0]);
            @SuppressWarnings("unchecked") List<Integer>[] key = new List[] {ky, kx};
            keys.add(key);
            spans.add(new int[] {p0, b.positionCount()});
        }));
        for (int[] block : blocks(feeds, maxBlock))
            for (int r = 0; r < keys.size(); r++) {
                List<Integer> ky = keys.get(r)[0], kx = keys.get(r)[1];
                int t0 = b.tapCount();
                for (int o = 0; o < g.f(); o++) {
                    if (!feeds[block[0]][o]) continue;
                    // key entries: phase, then each valid tap with its step back (in output rows or columns)
                    for (int a = 1; a < ky.size(); a += 2)
                        for (int c = 1; c < kx.size(); c += 2)
                            b.tap(o * g.oh() * g.ow() - ky.get(a + 1) * g.ow() - kx.get(c + 1), o * g.c() * g.kh() * g.kw() + ky.get(a) * g.kw() + kx.get(c));
                }
                b.job(block[0], g.h() * g.w(), g.kh() * g.kw(), block[1], t0, spans.get(r)[0], spans.get(r)[1]);
            }
        return b.build();
    }

    /**
     * For each input coordinate {@code v} along an axis: with {@code v + pad = stride a + phase}, tap k
     * reaches it from output {@code a - m} when {@code k = phase + stride m} and that output exists.
     * Coordinates are grouped by {@code [phase, k0, m0, k1, m1, ...]}; each entry is {@code {v, a}}.
     * Coordinates no tap reaches are left out (their gradient is 0).
     */
    private static Map<List<Integer>, List<int[]>> phases(int size, int pad, int stride, int k, int outputs) {
        Map<List<Integer>, List<int[]>> out = new LinkedHashMap<>();
        for (int v = 0; v < size; v++) {
            int a = Math.floorDiv(v + pad, stride), phase = Math.floorMod(v + pad, stride);
            List<Integer> key = new ArrayList<>(List.of(phase));
            for (int tap = phase; tap < k; tap += stride) {
                int m = (tap - phase) / stride;
                if (a - m >= 0 && a - m < outputs) {
                    key.add(tap);
                    key.add(m);
                }
            }
            if (key.size() > 1) out.computeIfAbsent(List.copyOf(key), x -> new ArrayList<>()).add(new int[] {v, a});
        }
        return out;
    }

    /**
     * How one sample's conv runs vectorized along image rows (stride 1 across): a vector holds
     * {@code lanes} consecutive columns, and rows are copied into scratch rows with zero columns
     * around them, so a tap is one offset for every lane.
     *
     * @param vectors  vectors per output row ({@code ow} rounded up)
     * @param inWidth  a scratch row of the input: the image's columns from {@code padLeft}, zeros around
     * @param outWidth a row of the output, or of its scratch when {@code ow} is not whole vectors
     * @param dxVectors vectors per row of dx ({@code w} rounded up)
     * @param dyWidth  a scratch row of dy for the input gradient: its columns from {@code kw - 1 - padLeft}
     * @param dxWidth  a row of dx, or of its scratch
     */
    public record Sample(int lanes, int vectors, int inWidth, int outWidth, int dxVectors, int dyWidth, int dxWidth) {
        public static Sample of(Geometry g, int lanes) {
            int vectors = (g.ow() + lanes - 1) / lanes, dxVectors = (g.w() + lanes - 1) / lanes;
            return new Sample(lanes, vectors, vectors * lanes + g.kw() - 1, vectors * lanes, dxVectors, dxVectors * lanes + g.kw() - 1, dxVectors * lanes);
        }

        /** Whether a row of the output is whole vectors: then the output buffer is written directly. */
        public boolean outputInPlace(Geometry g) {
            return outWidth == g.ow();
        }

        public boolean dxInPlace(Geometry g) {
            return dxWidth == g.w();
        }
    }

    /**
     * One sample's forward plan (also its kernel gradient's): positions are vectors of output
     * columns, {@code (y, v)}, reading the scratch input from row {@code y strideY - padTop}; regions
     * are rows with the same taps inside the image (columns have them all: the scratch's zeros).
     */
    public static ConvPlan sampleForward(int[] pairs, Geometry g, Sample s) {
        boolean[][] reads = new boolean[g.f()][g.c()];
        for (int p = 0; p < pairs.length; p += 2) reads[pairs[p + 1]][pairs[p]] = true;
        Builder b = new Builder();
        List<int[]> regions = new ArrayList<>();
        ranges(g.oh(), y -> y * g.strideY() - g.padTop(), g.kh(), g.h()).forEach((ky, ys) -> {
            int p0 = b.positionCount();
            for (int y : ys)
                for (int v = 0; v < s.vectors(); v++) b.position((y * g.strideY() - g.padTop()) * s.inWidth() + v * s.lanes(), y * s.outWidth() + v * s.lanes());
            regions.add(new int[] {p0, b.positionCount(), ky.get(0), ky.get(1)});
        });
        for (int[] block : blocks(reads, BLOCK))
            for (int[] r : regions) {
                int t0 = b.tapCount();
                for (int i = 0; i < g.c(); i++) {
                    if (!reads[block[0]][i]) continue;
                    for (int ky = r[2]; ky < r[3]; ky++)
                        for (int kx = 0; kx < g.kw(); kx++) b.tap((i * g.h() + ky) * s.inWidth() + kx, (i * g.kh() + ky) * g.kw() + kx);
                }
                b.job(block[0], g.oh() * s.outWidth(), g.c() * g.kh() * g.kw(), block[1], t0, r[0], r[1]);
            }
        return b.build();
    }

    /**
     * One sample's input-gradient plan: positions are vectors of dx columns {@code (y, u)}; dy is read
     * from a scratch whose row puts column {@code ox} at {@code ox + kw - 1 - padLeft}, so tap kx reads
     * it at offset {@code kw - 1 - kx}; regions are rows of the same phase and taps inside dy.
     */
    public static ConvPlan sampleInputGradient(int[] pairs, Geometry g, Sample s) {
        boolean[][] feeds = new boolean[g.c()][g.f()];
        for (int p = 0; p < pairs.length; p += 2) feeds[pairs[p]][pairs[p + 1]] = true;
        Builder b = new Builder();
        List<List<Integer>> keys = new ArrayList<>();
        List<int[]> spans = new ArrayList<>();
        phases(g.h(), g.padTop(), g.strideY(), g.kh(), g.oh()).forEach((ky, ys) -> {
            int p0 = b.positionCount();
            for (int[] y : ys)
                for (int u = 0; u < s.dxVectors(); u++) b.position(y[1] * s.dyWidth() + u * s.lanes(), y[0] * s.dxWidth() + u * s.lanes());
            keys.add(ky);
            spans.add(new int[] {p0, b.positionCount()});
        });
        for (int[] block : blocks(feeds, BLOCK))
            for (int r = 0; r < keys.size(); r++) {
                List<Integer> ky = keys.get(r);
                int t0 = b.tapCount();
                for (int o = 0; o < g.f(); o++) {
                    if (!feeds[block[0]][o]) continue;
                    for (int a = 1; a < ky.size(); a += 2)
                        for (int kx = 0; kx < g.kw(); kx++)
                            b.tap((o * g.oh() - ky.get(a + 1)) * s.dyWidth() + g.kw() - 1 - kx, o * g.c() * g.kh() * g.kw() + ky.get(a) * g.kw() + kx);
                }
                b.job(block[0], g.h() * s.dxWidth(), g.kh() * g.kw(), block[1], t0, spans.get(r)[0], spans.get(r)[1]);
            }
        return b.build();
    }

    /** A one-sample plan, what a generated constructor calls: as {@link #of}, with the lanes of a vector. */
    public static ConvPlan ofSample(int[] pairs, int[] sizes, boolean forward, int lanes) {
        Geometry g = geometry(sizes);
        Sample s = Sample.of(g, lanes);
        return forward ? sampleForward(pairs, g, s) : sampleInputGradient(pairs, g, s);
    }

    /** Which scratch array of a one-sample conv: its input, its output, dy for the input gradient, dx, dy for the kernel gradient. */
    public static final int IN = 0, OUT = 1, DY = 2, DX = 3, DY_ROWS = 4;

    /**
     * The scratch arrays of one sample's conv, by their sizes (empty where the buffer itself serves):
     * zeros wherever the plans read padding, and kernels copy only the image into them.
     */
    public static float[][] sampleScratch(int[] sizes, int lanes) {
        Geometry g = geometry(sizes);
        Sample s = Sample.of(g, lanes);
        int out = s.outputInPlace(g) ? 0 : g.f() * g.oh() * s.outWidth();
        return new float[][] {new float[g.c() * g.h() * s.inWidth()], new float[out], new float[g.f() * g.oh() * s.dyWidth()],
                new float[s.dxInPlace(g) ? 0 : g.c() * g.h() * s.dxWidth()], new float[out]};
    }

    private static Geometry geometry(int[] sizes) {
        return new Geometry(sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5], sizes[6], sizes[7], sizes[8], sizes[9], sizes[10], sizes[11]);
    }

    /** Runs of consecutive channels with the same row of {@code uses} (not empty), at most {@code max} long: {first, length}. */
    private static List<int[]> blocks(boolean[][] uses, int max) {
        List<int[]> out = new ArrayList<>();
        for (int first = 0; first < uses.length; ) {
            int len = 1;
            while (first + len < uses.length && len < max && Arrays.equals(uses[first + len], uses[first])) len++;
            boolean any = false;
            for (boolean u : uses[first]) any |= u;
            if (any) out.add(new int[] {first, len});
            first += len;
        }
        return out;
    }

    private static final class Builder {
        private int[] jobs = new int[JOB * 8], taps = new int[64], positions = new int[64];
        private int nJobs, nTaps, nPositions;

        int tapCount() {
            return nTaps / 2;
        }

        int positionCount() {
            return nPositions / 2;
        }

        void tap(int offset, int weight) {
            if (nTaps + 2 > taps.length) taps = Arrays.copyOf(taps, taps.length * 2);
            taps[nTaps++] = offset;
            taps[nTaps++] = weight;
        }

        void position(int base, int at) {
            if (nPositions + 2 > positions.length) positions = Arrays.copyOf(positions, positions.length * 2);
            positions[nPositions++] = base;
            positions[nPositions++] = at;
        }

        /**
         * A job of the block from {@code channel} over the taps added since {@code t0}; its channels
         * {@code dstStride} rows and {@code wStride} weights apart. One with no taps or no positions does
         * nothing and is left out.
         */
        void job(int channel, int dstStride, int wStride, int block, int t0, int p0, int p1) {
            if (t0 == tapCount() || p0 == p1) return;
            if (nJobs + JOB > jobs.length) jobs = Arrays.copyOf(jobs, jobs.length * 2);
            int[] j = {channel * dstStride, dstStride, channel * wStride, wStride, block, t0, tapCount(), p0, p1};
            System.arraycopy(j, 0, jobs, nJobs, JOB);
            nJobs += JOB;
        }

        ConvPlan build() {
            return new ConvPlan(Arrays.copyOf(jobs, nJobs), Arrays.copyOf(taps, nTaps), Arrays.copyOf(positions, nPositions));
        }
    }
}
