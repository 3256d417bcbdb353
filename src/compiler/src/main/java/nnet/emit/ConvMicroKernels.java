package nnet.emit;

import org.objectweb.asm.Type;
import org.objectweb.asm.commons.Method;

/**
 * The Vector API micro-kernels of convolutions and pools over tile rows (see {@link nnet.runtime.math.ConvPlan}
 * for the lists they walk): each a method with its accumulators in locals and one bounded loop,
 * over {@code laneVectors} vectors of lanes from {@code lane}, written once per shape and shared by the kernels
 * of a network. How many channels, positions and taps a call takes, and how many vectors of lanes
 * (2 or 4: 32 lanes are 2 vectors of AVX-512 and 4 of AVX2), is the {@link VectorShape}'s:
 * accumulators, the vectors loaded per step and the broadcasts stay within its register file.
 */
final class ConvMicroKernels {
    private static final Type F1 = Fields.FLOATS, F2 = Fields.ROWS, I1 = Fields.INTS, INT = Type.INT_TYPE;
    private final ClassBuilder c;
    /** Vector registers of the machines the class is for. */
    private final int registers;

    ConvMicroKernels(ClassBuilder c, int registers) {
        this.c = c;
        this.registers = registers;
    }

    /**
     * A product over taps {@code [t0, t1)} for {@code channels} channels of a block and {@code count}
     * positions from {@code p}: {@code dst[dst0 + q dstStride + pos[2(p + r) + 1]] += sum over t of
     * w[w0 + q wStride + taps[2t + 1]] * src[pos[2(p + r)] + taps[2t]]}. A step loads a row of lanes for
     * each position and broadcasts each channel's weight: the forward pass, and the input gradient
     * over its own plan. Each loaded vector is used at once by every channel's multiply-add (a single
     * channel's folds the load into its multiply-add), so one vector of x is live at a time.
     */
    Method product(int channels, int count, int laneVectors) {
        Method method = new Method("convProduct" + channels + "x" + count + "x" + laneVectors, "([[F[[F[F[I[IIIIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int src = m.argument("src", F2), dst = m.argument("dst", F2), w = m.argument("w", F1), taps = m.argument("taps", I1), pos = m.argument("positions", I1);
        int t0 = m.argument("t0", INT), t1 = m.argument("t1", INT), p = m.argument("p", INT), dst0 = m.argument("dst0", INT), dstStride = m.argument("dstStride", INT),
                w0 = m.argument("w0", INT), wStride = m.argument("wStride", INT), lane = m.argument("lane", INT);
        LaneBlocks.firstWhenWhole(m, lane, laneVectors);
        VectorOps v = new VectorOps(m);
        int[] base = new int[count];
        int[][] rows = new int[channels][count];
        int[][][] acc = new int[channels][count][laneVectors];
        for (int r = 0; r < count; r++) {
            base[r] = m.local("base" + r, INT);
            m.set(base[r], m.elementOf(pos, m.scaled(p, 2, 2 * r)));
        }
        for (int q = 0; q < channels; q++)
            for (int r = 0; r < count; r++) {
                int at = r;
                rows[q][r] = m.local("dst" + q + "_" + r, F1);
                m.rowOf(dst, m.sum(m.sum(m.value(dst0), m.scaled(dstStride, q, 0)), m.elementOf(pos, m.scaled(p, 2, 2 * at + 1))), rows[q][r]);
                for (int c = 0; c < laneVectors; c++) acc[q][r][c] = v.local("acc" + q + "_" + r + "_" + c, v.load(rows[q][r], v.lane(lane, c)));
            }
        int t = m.local("t", INT), off = m.local("offset", INT), wi = m.local("wi", INT), row = m.local("row", F1), x = v.newLocal("x");
        int[] b = new int[channels];
        for (int q = 0; q < channels; q++) b[q] = v.newLocal("b" + q);
        m.forLoop(t, m.value(t0), m.value(t1), () -> {
            m.set(off, m.elementOf(taps, m.scaled(t, 2, 0)));
            m.set(wi, m.sum(m.value(w0), m.elementOf(taps, m.scaled(t, 2, 1))));
            for (int q = 0; q < channels; q++) v.set(b[q], v.broadcast(m.elementOf(w, m.sum(m.value(wi), m.scaled(wStride, q, 0)))));
            for (int r = 0; r < count; r++) {
                m.rowOf(src, m.sum(m.value(base[r]), m.value(off)), row);
                for (int c = 0; c < laneVectors; c++) {
                    v.set(x, v.load(row, v.lane(lane, c)));
                    for (int q = 0; q < channels; q++) v.set(acc[q][r][c], v.fma(b[q], x, acc[q][r][c]));
                }
            }
        });
        for (int q = 0; q < channels; q++) for (int r = 0; r < count; r++) for (int c = 0; c < laneVectors; c++) v.store(acc[q][r][c], rows[q][r], v.lane(lane, c));
        m.end();
        return method;
    }

    /**
     * The kernel gradient of {@code channels} filters of a block at {@code count} taps from {@code t},
     * summed over positions {@code [p0, p1)} and the lanes: {@code grad[g0 + q gStride + taps[2u + 1]] +=
     * sum over p of dy[dy0 + q dyStride + pos[2p + 1]] . x[pos[2p] + taps[2u]]}. Each step loads the
     * block's rows of dy and the taps' rows of x, whole rows where the registers hold them.
     */
    Method kernelGradient(int channels, int count, int laneVectors) {
        Method method = new Method("convKernelGradient" + channels + "x" + count + "x" + laneVectors, "([[F[[F[F[I[IIIIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int x = m.argument("x", F2), dy = m.argument("dy", F2), grad = m.argument("grad", F1), taps = m.argument("taps", I1), pos = m.argument("positions", I1);
        int t = m.argument("t", INT), p0 = m.argument("p0", INT), p1 = m.argument("p1", INT), dy0 = m.argument("dy0", INT), dyStride = m.argument("dyStride", INT),
                g0 = m.argument("g0", INT), gStride = m.argument("gStride", INT), lane = m.argument("lane", INT);
        LaneBlocks.firstWhenWhole(m, lane, laneVectors);
        VectorOps v = new VectorOps(m);
        int[] off = new int[count];
        for (int u = 0; u < count; u++) {
            off[u] = m.local("offset" + u, INT);
            m.set(off[u], m.elementOf(taps, m.scaled(t, 2, 2 * u)));
        }
        int[][] acc = new int[channels][count];
        for (int q = 0; q < channels; q++) for (int u = 0; u < count; u++) acc[q][u] = v.local("acc" + q + "_" + u, v.zero());
        int p = m.local("p", INT), base = m.local("base", INT), at = m.local("at", INT);
        GradientStep g = new GradientStep(m, v, x, dy, acc, off, laneVectors, base, at, dyStride, lane);
        Runnable step = channels * laneVectors + laneVectors + channels * count < registers ? g.wholeRows() : g.vectorByVector();
        m.forLoop(p, m.value(p0), m.value(p1), () -> {
            m.set(base, m.elementOf(pos, m.scaled(p, 2, 0)));
            m.set(at, m.sum(m.value(dy0), m.elementOf(pos, m.scaled(p, 2, 1))));
            step.run();
        });
        for (int q = 0; q < channels; q++)
            for (int u = 0; u < count; u++) {
                int tap = u, channel = q;
                m.addToElement(grad, m.sum(m.sum(m.value(g0), m.scaled(gStride, channel, 0)), m.elementOf(taps, m.scaled(t, 2, 2 * tap + 1))), v.sumOfLanes(acc[q][u]));
            }
        m.end();
        return method;
    }

    /**
     * A step of the kernel gradient's loop over positions, at position {@code base} of x and row {@code at}
     * of dy: {@code acc[q][u] += dy[at + q dyStride] . x[base + off[u]]} over {@code laneVectors} vectors of lanes from {@code lane}.
     */
    private record GradientStep(MethodBuilder m, VectorOps v, int x, int dy, int[][] acc, int[] off, int laneVectors, int base, int at, int dyStride, int lane) {
        /** Where the block's dy and a tap's x, whole rows of lanes, fit beside the accumulators: each loaded once a step. */
        Runnable wholeRows() {
            int channels = acc.length, count = off.length;
            int[][] d = new int[channels][laneVectors];
            for (int q = 0; q < channels; q++) for (int c = 0; c < laneVectors; c++) d[q][c] = v.newLocal("dy" + q + "_" + c);
            int[] xv = new int[laneVectors];
            for (int c = 0; c < laneVectors; c++) xv[c] = v.newLocal("x" + c);
            int row = m.local("row", F1);
            return () -> {
                for (int q = 0; q < channels; q++) {
                    m.rowOf(dy, m.sum(m.value(at), m.scaled(dyStride, q, 0)), row);
                    for (int c = 0; c < laneVectors; c++) v.set(d[q][c], v.load(row, v.lane(lane, c)));
                }
                for (int u = 0; u < count; u++) {
                    m.rowOf(x, m.sum(m.value(base), m.value(off[u])), row);
                    for (int c = 0; c < laneVectors; c++) v.set(xv[c], v.load(row, v.lane(lane, c)));
                    for (int q = 0; q < channels; q++) for (int c = 0; c < laneVectors; c++) v.set(acc[q][u], v.fma(d[q][c], xv[c], acc[q][u]));
                }
            };
        }

        /** Where whole rows would not fit (AVX2's 16 registers, 4 lane vectors): the rows found once, then per vector of lanes the channels' dy and one tap's x at a time. */
        Runnable vectorByVector() {
            int channels = acc.length, count = off.length;
            int[] d = new int[channels], dyRows = new int[channels], xRows = new int[count];
            for (int q = 0; q < channels; q++) {
                d[q] = v.newLocal("dy" + q);
                dyRows[q] = m.local("dyRow" + q, F1);
            }
            for (int u = 0; u < count; u++) xRows[u] = m.local("xRow" + u, F1);
            int xv = v.newLocal("x");
            return () -> {
                for (int q = 0; q < channels; q++) m.rowOf(dy, m.sum(m.value(at), m.scaled(dyStride, q, 0)), dyRows[q]);
                for (int u = 0; u < count; u++) m.rowOf(x, m.sum(m.value(base), m.value(off[u])), xRows[u]);
                for (int c = 0; c < laneVectors; c++) {
                    for (int q = 0; q < channels; q++) v.set(d[q], v.load(dyRows[q], v.lane(lane, c)));
                    for (int u = 0; u < count; u++) {
                        v.set(xv, v.load(xRows[u], v.lane(lane, c)));
                        for (int q = 0; q < channels; q++) v.set(acc[q][u], v.fma(d[q], xv, acc[q][u]));
                    }
                }
            };
        }
    }

    /**
     * One sample's product (see {@link nnet.runtime.math.ConvPlan#sampleForward}): as {@link #product}, but a
     * position is one vector of columns of flat arrays, {@code src[pos[2p] + taps[2t] + lane]} and
     * {@code dst[dst0 + q dstStride + pos[2p + 1] + lane]}; {@code count} positions, 4 per channel of 4.
     */
    Method sampleProduct(int channels, int count) {
        Method method = new Method("sampleProduct" + channels + "x" + count, "([F[F[F[I[IIIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int src = m.argument("src", F1), dst = m.argument("dst", F1), w = m.argument("w", F1), taps = m.argument("taps", I1), pos = m.argument("positions", I1);
        int t0 = m.argument("t0", INT), t1 = m.argument("t1", INT), p = m.argument("p", INT), dst0 = m.argument("dst0", INT), dstStride = m.argument("dstStride", INT),
                w0 = m.argument("w0", INT), wStride = m.argument("wStride", INT);
        VectorOps v = new VectorOps(m);
        int[] base = new int[count];
        int[][] at = new int[channels][count], acc = new int[channels][count];
        for (int r = 0; r < count; r++) {
            base[r] = m.local("base" + r, INT);
            m.set(base[r], m.elementOf(pos, m.scaled(p, 2, 2 * r)));
        }
        for (int q = 0; q < channels; q++)
            for (int r = 0; r < count; r++) {
                at[q][r] = m.local("at" + q + "_" + r, INT);
                m.set(at[q][r], m.sum(m.sum(m.value(dst0), m.scaled(dstStride, q, 0)), m.elementOf(pos, m.scaled(p, 2, 2 * r + 1))));
                acc[q][r] = v.local("acc" + q + "_" + r, v.load(dst, m.value(at[q][r])));
            }
        int t = m.local("t", INT), off = m.local("offset", INT), wi = m.local("wi", INT), x = v.newLocal("x"), b = v.newLocal("b");
        int[] bq = new int[channels];
        for (int q = 0; q < channels; q++) bq[q] = q == 0 ? b : v.newLocal("b" + q);
        m.forLoop(t, m.value(t0), m.value(t1), () -> {
            m.set(off, m.elementOf(taps, m.scaled(t, 2, 0)));
            m.set(wi, m.sum(m.value(w0), m.elementOf(taps, m.scaled(t, 2, 1))));
            for (int q = 0; q < channels; q++) v.set(bq[q], v.broadcast(m.elementOf(w, m.sum(m.value(wi), m.scaled(wStride, q, 0)))));
            for (int r = 0; r < count; r++) {
                v.set(x, v.load(src, m.sum(m.value(base[r]), m.value(off))));
                for (int q = 0; q < channels; q++) v.set(acc[q][r], v.fma(bq[q], x, acc[q][r]));
            }
        });
        for (int q = 0; q < channels; q++) for (int r = 0; r < count; r++) v.store(acc[q][r], dst, m.value(at[q][r]));
        m.end();
        return method;
    }

    /**
     * One sample's kernel gradient: as {@link #kernelGradient}, a position one vector of columns of
     * flat arrays ({@code x[pos[2p] + taps[2u] + lane]}, {@code dy[dy0 + q dyStride + pos[2p + 1] + lane]}).
     */
    Method sampleKernelGradient(int channels, int count) {
        Method method = new Method("sampleKernelGradient" + channels + "x" + count, "([F[F[F[I[IIIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int x = m.argument("x", F1), dy = m.argument("dy", F1), grad = m.argument("grad", F1), taps = m.argument("taps", I1), pos = m.argument("positions", I1);
        int t = m.argument("t", INT), p0 = m.argument("p0", INT), p1 = m.argument("p1", INT), dy0 = m.argument("dy0", INT), dyStride = m.argument("dyStride", INT),
                g0 = m.argument("g0", INT), gStride = m.argument("gStride", INT);
        VectorOps v = new VectorOps(m);
        int[] off = new int[count];
        for (int u = 0; u < count; u++) {
            off[u] = m.local("offset" + u, INT);
            m.set(off[u], m.elementOf(taps, m.scaled(t, 2, 2 * u)));
        }
        int[][] acc = new int[channels][count];
        for (int q = 0; q < channels; q++) for (int u = 0; u < count; u++) acc[q][u] = v.local("acc" + q + "_" + u, v.zero());
        int[] d = new int[channels];
        for (int q = 0; q < channels; q++) d[q] = v.newLocal("dy" + q);
        int xv = v.newLocal("x"), p = m.local("p", INT), base = m.local("base", INT), at = m.local("at", INT);
        m.forLoop(p, m.value(p0), m.value(p1), () -> {
            m.set(base, m.elementOf(pos, m.scaled(p, 2, 0)));
            m.set(at, m.sum(m.value(dy0), m.elementOf(pos, m.scaled(p, 2, 1))));
            for (int q = 0; q < channels; q++) v.set(d[q], v.load(dy, m.sum(m.value(at), m.scaled(dyStride, q, 0))));
            for (int u = 0; u < count; u++) {
                v.set(xv, v.load(x, m.sum(m.value(base), m.value(off[u]))));
                for (int q = 0; q < channels; q++) v.set(acc[q][u], v.fma(d[q], xv, acc[q][u]));
            }
        });
        for (int q = 0; q < channels; q++)
            for (int u = 0; u < count; u++) {
                int tap = u, channel = q;
                m.addToElement(grad, m.sum(m.sum(m.value(g0), m.scaled(gStride, channel, 0)), m.elementOf(taps, m.scaled(t, 2, 2 * tap + 1))), v.sumOfLanes(acc[q][u]));
            }
        m.end();
        return method;
    }

    /**
     * The maxpool gradient along one output row of {@code count} windows of {@code k x k}, for one
     * vector of lanes (a window's steps are many: two vectors per call would outgrow what the JIT
     * inlines): window x starts at row {@code b0 + x stride} of the image ({@code width} rows to a
     * line) and its dy is row {@code d0 + x}. Per lane, dy goes to the first element equal to the
     * window's maximum (as the forward pass found it): walking the window in order, each element
     * takes what is left of dy where it equals the maximum, and leaves 0 there for the rest.
     */
    Method maxPoolGradient(int k) {
        Method method = new Method("maxPoolGradient" + k, "([[F[[F[[FIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int xs = m.argument("x", F2), dy = m.argument("dy", F2), dx = m.argument("dx", F2);
        int b0 = m.argument("b0", INT), d0 = m.argument("d0", INT), count = m.argument("count", INT), stride = m.argument("stride", INT),
                width = m.argument("width", INT), lane = m.argument("lane", INT);
        VectorOps v = new VectorOps(m);
        int zero = v.local("zero", v.zero()), max = v.newLocal("max"), rest = v.newLocal("rest"), element = v.newLocal("element"), taken = v.newLocal("taken");
        int hit = m.local("hit", VectorOps.MASK);
        int x = m.local("x", INT), base = m.local("base", INT), row = m.local("row", F1), dxRow = m.local("dxRow", F1);
        MethodBuilder.Body[] at = new MethodBuilder.Body[k * k];
        for (int e = 0; e < at.length; e++) at[e] = m.sum(m.value(base), m.sum(m.scaled(width, e / k, 0), m.constant(e % k)));
        MethodBuilder.Body lanes = m.value(lane);
        m.forLoop(x, m.constant(0), m.value(count), () -> {
            m.set(base, m.sum(m.value(b0), () -> {
                m.loadLocal(x);
                m.loadLocal(stride);
                m.math(org.objectweb.asm.commons.GeneratorAdapter.MUL, INT);
            }));
            m.rowOf(xs, at[0], row);
            v.set(max, v.load(row, lanes));
            for (int e = 1; e < at.length; e++) {
                m.rowOf(xs, at[e], row);
                v.set(max, v.max(max, v.load(row, lanes)));
            }
            m.rowOf(dy, m.sum(m.value(d0), m.value(x)), row);
            v.set(rest, v.load(row, lanes));
            for (MethodBuilder.Body e : at) {
                m.rowOf(xs, e, row);
                v.set(element, v.load(row, lanes));
                m.set(hit, v.eq(element, () -> m.loadLocal(max)));
                v.set(taken, v.blend(zero, rest, hit));
                v.set(rest, v.blend(rest, zero, hit));
                m.rowOf(dx, e, dxRow);
                v.store(v.add(taken, v.load(dxRow, lanes)), dxRow, lanes);
            }
        });
        m.end();
        return method;
    }
}
