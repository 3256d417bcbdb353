package nnet.runtime.math;

import nnet.runtime.math.ConvPlan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The plans a conv2d's tile kernels walk, applied by the loop their documentation gives, against
 * the convolution written directly (as the interpreter does), over random geometries: strides,
 * padding, rectangular kernels, channel tables, dense products. And what they must never do:
 * visit an absent channel pair or a position outside the image.
 */
class ConvPlanTest {
    private static final int CASES = 400;

    @Test
    void plansComputeTheConvolutionAndItsGradients() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int n = 0; n < CASES; n++) {
            Case k = Case.random(rnd);
            int block = n % 2 == 0 ? ConvPlan.BLOCK : 6; // the blocks of the kernels for 32 registers and for 16
            ConvPlan fw = ConvPlan.forward(k.pairs, k.g, block), bw = ConvPlan.inputGradient(k.pairs, k.g, block);
            double[] x = random(rnd, k.g.c() * k.g.h() * k.g.w()), dy = random(rnd, k.g.f() * k.g.oh() * k.g.ow());
            double[] out = new double[dy.length];
            walk(fw, (dst, w, src) -> out[dst] += k.weights[w] * x[src]);
            assertClose(k.forward(x), out, k + " forward");
            // the kernel gradient walks the forward plan with its factors exchanged
            double[] dk = new double[k.weights.length];
            walk(fw, (dst, w, src) -> dk[w] += dy[dst] * x[src]);
            assertClose(k.kernelGradient(x, dy), dk, k + " kernel gradient");
            double[] dx = new double[x.length];
            walk(bw, (dst, w, src) -> dx[dst] += k.weights[w] * dy[src]);
            assertClose(k.inputGradient(dy), dx, k + " input gradient");
        }
    }

    /**
     * One sample's plans (horizontal stride 1) walked vector by vector as the generated kernels do,
     * with scratch rows laid out as {@link ConvPlan.Sample} says, for vectors of 8 and 16 lanes.
     */
    @Test
    void samplePlansComputeTheConvolutionAndItsGradients() {
        SplittableRandom rnd = new SplittableRandom(17);
        for (int n = 0; n < CASES; n++) {
            Case k = Case.random(rnd);
            ConvPlan.Geometry g = k.g;
            if (g.strideX() != 1) continue;
            for (int lanes : new int[] {8, 16}) {
                ConvPlan.Sample s = ConvPlan.Sample.of(g, lanes);
                ConvPlan fw = ConvPlan.sampleForward(k.pairs, g, s), bw = ConvPlan.sampleInputGradient(k.pairs, g, s);
                double[] x = random(rnd, g.c() * g.h() * g.w()), dy = random(rnd, g.f() * g.oh() * g.ow());
                double[] xs = new double[g.c() * g.h() * s.inWidth()], dyRows = new double[g.f() * g.oh() * s.outWidth()], dyPadded = new double[g.f() * g.oh() * s.dyWidth()];
                for (int r = 0; r < g.c() * g.h(); r++) System.arraycopy(x, r * g.w(), xs, r * s.inWidth() + g.padLeft(), g.w());
                for (int r = 0; r < g.f() * g.oh(); r++) {
                    System.arraycopy(dy, r * g.ow(), dyRows, r * s.outWidth(), g.ow());
                    System.arraycopy(dy, r * g.ow(), dyPadded, r * s.dyWidth() + g.kw() - 1 - g.padLeft(), g.ow());
                }
                double[] outRows = new double[g.f() * g.oh() * s.outWidth()], dk = new double[k.weights.length], dxRows = new double[g.c() * g.h() * s.dxWidth()];
                walk(fw, lanes, (dst, w, src) -> outRows[dst] += k.weights[w] * xs[src]);
                walk(fw, lanes, (dst, w, src) -> dk[w] += dyRows[dst] * xs[src]);
                walk(bw, lanes, (dst, w, src) -> dxRows[dst] += k.weights[w] * dyPadded[src]);
                double[] out = new double[dy.length], dx = new double[x.length];
                for (int r = 0; r < g.f() * g.oh(); r++) System.arraycopy(outRows, r * s.outWidth(), out, r * g.ow(), g.ow());
                for (int r = 0; r < g.c() * g.h(); r++) System.arraycopy(dxRows, r * s.dxWidth(), dx, r * g.w(), g.w());
                assertClose(k.forward(x), out, k + " forward, " + lanes + " lanes");
                assertClose(k.kernelGradient(x, dy), dk, k + " kernel gradient, " + lanes + " lanes");
                assertClose(k.inputGradient(dy), dx, k + " input gradient, " + lanes + " lanes");
            }
        }
    }

    /** A one-sample plan's loop: each position is {@code lanes} consecutive elements on both sides. */
    private static void walk(ConvPlan plan, int lanes, Step step) {
        walk(plan, (dst, w, src) -> {
            for (int l = 0; l < lanes; l++) step.apply(dst + l, w, src + l);
        });
    }

    @Test
    void aDenseProductIsOnePositionInBlocksOfEight() {
        ConvPlan.Geometry g = new ConvPlan.Geometry(16, 5, 5, 120, 1, 1, 5, 5, 1, 1, 0, 0);
        ConvPlan fw = ConvPlan.forward(Case.fullTable(16, 120), g);
        assertEquals(2, fw.positions.length, "one position");
        assertArrayEquals(new int[] {8}, fw.blockSizes());
        assertEquals(15 * 400, fw.taps.length / 2, "15 blocks of the 400 taps of a filter");
    }

    @Test
    void blocksGroupFiltersThatReadTheSameChannels() {
        // LeNet's C3: every filter reads its own set of maps, so every block is one filter
        int[][] table = {
                {1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1}, {1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1},
                {1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1}, {0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1},
                {0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1}, {0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1}};
        List<Integer> pairs = new ArrayList<>();
        for (int o = 0; o < 16; o++) for (int i = 0; i < 6; i++) if (table[i][o] == 1) {
            pairs.add(i);
            pairs.add(o);
        }
        ConvPlan.Geometry g = new ConvPlan.Geometry(6, 14, 14, 16, 10, 10, 5, 5, 1, 1, 0, 0);
        ConvPlan fw = ConvPlan.forward(pairs.stream().mapToInt(Integer::intValue).toArray(), g);
        assertArrayEquals(new int[] {1}, fw.blockSizes());
        assertEquals(60 * 25, fw.taps.length / 2, "the 60 present pairs' taps, every position inside");
        ConvPlan full = ConvPlan.forward(Case.fullTable(16, 32), new ConvPlan.Geometry(16, 16, 16, 32, 16, 16, 3, 3, 1, 1, 1, 1));
        assertArrayEquals(new int[] {4}, full.blockSizes());
        assertEquals(16 * 16, full.positions.length / 2, "every position once, in its region");
        assertEquals(8 * 9, full.jobs.length / ConvPlan.JOB, "8 blocks of 4 filters over 9 regions (corners, edges, inside)");
        ConvPlan sixes = ConvPlan.forward(Case.fullTable(16, 32), new ConvPlan.Geometry(16, 16, 16, 32, 16, 16, 3, 3, 1, 1, 1, 1), 6);
        assertArrayEquals(new int[] {2, 6}, sixes.blockSizes(), "32 filters in blocks of at most 6: five of 6 and one of 2");
    }

    interface Step {
        void apply(int dst, int w, int src);
    }

    /** The loop of ConvPlan's documentation. */
    private static void walk(ConvPlan plan, Step step) {
        for (int j = 0; j < plan.jobs.length; j += ConvPlan.JOB) {
            int dst0 = plan.jobs[j], dstStride = plan.jobs[j + 1], w0 = plan.jobs[j + 2], wStride = plan.jobs[j + 3], block = plan.jobs[j + 4];
            for (int q = 0; q < block; q++)
                for (int t = plan.jobs[j + 5]; t < plan.jobs[j + 6]; t++)
                    for (int p = plan.jobs[j + 7]; p < plan.jobs[j + 8]; p++)
                        step.apply(dst0 + q * dstStride + plan.positions[2 * p + 1], w0 + q * wStride + plan.taps[2 * t + 1], plan.positions[2 * p] + plan.taps[2 * t]);
        }
    }

    private static double[] random(SplittableRandom rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextDouble(-1, 1);
        return v;
    }

    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertTrue(Math.abs(want[i] - got[i]) < 1e-9, what + " [" + i + "]: " + want[i] + " vs " + got[i]);
    }

    /** A random conv: geometry, present pairs, weights (garbage at absent pairs: the plans must not read them). */
    private record Case(ConvPlan.Geometry g, boolean[][] present, int[] pairs, double[] weights) {
        static int[] fullTable(int c, int f) {
            int[] pairs = new int[2 * c * f];
            for (int o = 0, n = 0; o < f; o++) for (int i = 0; i < c; i++) {
                pairs[n++] = i;
                pairs[n++] = o;
            }
            return pairs;
        }

        static Case random(SplittableRandom rnd) {
            int c = rnd.nextInt(1, 5), f = rnd.nextInt(1, 10), h = rnd.nextInt(1, 9), w = rnd.nextInt(1, 9);
            boolean dense = rnd.nextInt(6) == 0, same = !dense && rnd.nextBoolean();
            int kh = dense ? h : rnd.nextInt(1, same ? 6 : h + 1), kw = dense ? w : rnd.nextInt(1, same ? 6 : w + 1);
            int sy = dense ? 1 : rnd.nextInt(1, 4), sx = dense ? 1 : rnd.nextInt(1, 4);
            int oh, ow, pt = 0, pl = 0;
            if (same) {
                oh = (h + sy - 1) / sy;
                ow = (w + sx - 1) / sx;
                pt = Math.max((oh - 1) * sy + kh - h, 0) / 2;
                pl = Math.max((ow - 1) * sx + kw - w, 0) / 2;
            } else {
                oh = (h - kh) / sy + 1;
                ow = (w - kw) / sx + 1;
            }
            boolean[][] present = new boolean[c][f];
            List<Integer> pairs = new ArrayList<>();
            boolean table = rnd.nextBoolean();
            for (int o = 0; o < f; o++)
                for (int i = 0; i < c; i++) {
                    present[i][o] = !table || rnd.nextDouble() < 0.6;
                    if (present[i][o]) {
                        pairs.add(i);
                        pairs.add(o);
                    }
                }
            double[] weights = new double[f * c * kh * kw];
            for (int k = 0; k < weights.length; k++) weights[k] = rnd.nextDouble(-1, 1);
            return new Case(new ConvPlan.Geometry(c, h, w, f, oh, ow, kh, kw, sy, sx, pt, pl), present, pairs.stream().mapToInt(Integer::intValue).toArray(), weights);
        }

        /** Whether (i, o, ky, kx) at output (y, x) reads inside the image: then its input index, else -1. */
        private int input(int i, int o, int y, int x, int ky, int kx) {
            int iy = y * g.strideY() + ky - g.padTop(), ix = x * g.strideX() + kx - g.padLeft();
            if (!present[i][o] || iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) return -1;
            return (i * g.h() + iy) * g.w() + ix;
        }

        interface Visit {
            void at(int out, int weight, int in);
        }

        private void each(Visit v) {
            for (int o = 0; o < g.f(); o++)
                for (int y = 0; y < g.oh(); y++)
                    for (int x = 0; x < g.ow(); x++)
                        for (int i = 0; i < g.c(); i++)
                            for (int ky = 0; ky < g.kh(); ky++)
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int in = input(i, o, y, x, ky, kx);
                                    if (in >= 0) v.at((o * g.oh() + y) * g.ow() + x, ((o * g.c() + i) * g.kh() + ky) * g.kw() + kx, in);
                                }
        }

        double[] forward(double[] x) {
            double[] out = new double[g.f() * g.oh() * g.ow()];
            each((o, k, in) -> out[o] += weights[k] * x[in]);
            return out;
        }

        double[] kernelGradient(double[] x, double[] dy) {
            double[] dk = new double[weights.length];
            each((o, k, in) -> dk[k] += dy[o] * x[in]);
            return dk;
        }

        double[] inputGradient(double[] dy) {
            double[] dx = new double[g.c() * g.h() * g.w()];
            each((o, k, in) -> dx[in] += weights[k] * dy[o]);
            return dx;
        }
    }
}
