package nnet.emit;

import nnet.lower.Tiling;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.GeneratorAdapter;
import org.objectweb.asm.commons.Method;

/**
 * The micro-kernels of {@link VectorClass}: each a method of its class with its accumulators in
 * locals and one bounded loop, written once per shape and shared by the kernels that need it.
 */
final class ContractionMicroKernels {
    private static final Type F1 = Fields.FLOATS, F2 = Fields.ROWS, I1 = Fields.INTS;

    private final ClassBuilder c;

    ContractionMicroKernels(ClassBuilder c) {
        this.c = c;
    }

    /**
     * The dense input gradient: {@code dx[xRow + i0 + u][lanes] += sum over j in [j0, j1) of W[i0 + u][j] dz[zRow + j][lanes]}
     * for u below {@code width}: weights broadcast from rows indexed by the loop, a row of dz loaded.
     */
    Method inputGradientBlock(int width) {
        Method method = new Method("inputGradient" + width + "x2", "([[F[[F[[FIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int w = m.argument("w", F2), dz = m.argument("dz", F2), dx = m.argument("dx", F2);
        int zRow = m.argument("zRow", Type.INT_TYPE), xRow = m.argument("xRow", Type.INT_TYPE), i0 = m.argument("i0", Type.INT_TYPE),
                j0 = m.argument("j0", Type.INT_TYPE), j1 = m.argument("j1", Type.INT_TYPE), lane = m.argument("lane", Type.INT_TYPE);
        VectorOps v = new VectorOps(m);
        int[] dxRows = new int[width], wRows = new int[width], bv = new int[width];
        int[][] acc = new int[width][2];
        for (int u = 0; u < width; u++) {
            dxRows[u] = m.local("dx" + u, F1);
            wRows[u] = m.local("w" + u, F1);
            m.rowOf(dx, m.sum(m.value(xRow), m.at(i0, u)), dxRows[u]);
            m.rowOf(w, m.at(i0, u), wRows[u]);
            for (int c = 0; c < 2; c++) acc[u][c] = v.local("acc" + u + "_" + c, v.load(dxRows[u], v.lane(lane, c)));
            bv[u] = v.newLocal("b" + u);
        }
        int j = m.local("j", Type.INT_TYPE), row = m.local("dzRow", F1);
        int[] dzV = {v.newLocal("dz0"), v.newLocal("dz1")};
        m.forLoop(j, m.value(j0), m.value(j1), () -> {
            m.rowOf(dz, m.sum(m.value(zRow), m.value(j)), row);
            for (int c = 0; c < 2; c++) v.set(dzV[c], v.load(row, v.lane(lane, c)));
            for (int u = 0; u < width; u++) {
                v.set(bv[u], v.broadcast(m.elementOf(wRows[u], j)));
                for (int c = 0; c < 2; c++) v.set(acc[u][c], v.fma(bv[u], dzV[c], acc[u][c]));
            }
        });
        for (int u = 0; u < width; u++) for (int c = 0; c < 2; c++) v.store(acc[u][c], dxRows[u], v.lane(lane, c));
        m.end();
        return method;
    }

    /**
     * The dense forward pass in the tile's own layout: {@code z[zRow + j0 + u][lanes] (+)= sum over i in [i0, i1) of
     * W[i][j0 + u] x[xRow + i][lanes]} for u below {@code width}, over 2 vectors of lanes from {@code lane}; per input,
     * its row of x loaded and the block's weights broadcast from one row of W. {@code fresh}: {@code =} (the first
     * chunk of inputs), so z need not be zeroed first. Nothing is transposed: the sample-major form this replaces
     * copied x in and z out at every step (a sixth of the lstm's train step with the weight gradient's copy).
     * {@code panels}: W is the block's run of {@link Fields#panels}, from {@code panel}: input i's weights at
     * {@code panel + i width}, one stream, not a part of a line from each row.
     */
    Method forwardBlock(int width, boolean fresh, boolean panels) {
        Method method = new Method("forward" + width + "x2" + (fresh ? "Fresh" : "") + (panels ? "Panel" : ""), panels ? "([F[[F[[FIIIIIII)V" : "([[F[[F[[FIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int w = m.argument("w", panels ? F1 : F2), x = m.argument("x", F2), z = m.argument("z", F2);
        int xRow = m.argument("xRow", Type.INT_TYPE), zRow = m.argument("zRow", Type.INT_TYPE), j0 = m.argument("j0", Type.INT_TYPE),
                i0 = m.argument("i0", Type.INT_TYPE), i1 = m.argument("i1", Type.INT_TYPE), lane = m.argument("lane", Type.INT_TYPE);
        int panel = panels ? m.argument("panel", Type.INT_TYPE) : -1;
        LaneBlocks.firstWhenWhole(m, lane, 2);
        VectorOps v = new VectorOps(m);
        int[] zRows = new int[width], bv = new int[width];
        int[][] acc = new int[width][2];
        for (int u = 0; u < width; u++) {
            zRows[u] = m.local("z" + u, F1);
            m.rowOf(z, m.sum(m.value(zRow), m.at(j0, u)), zRows[u]);
            for (int c = 0; c < 2; c++) acc[u][c] = v.local("acc" + u + "_" + c, fresh ? v.zero() : v.load(zRows[u], v.lane(lane, c)));
            bv[u] = v.newLocal("b" + u);
        }
        int i = m.local("i", Type.INT_TYPE), wRow = panels ? w : m.local("wRow", F1), at = m.local("at", Type.INT_TYPE), xr = m.local("xRow", F1);
        int[] xv = {v.newLocal("x0"), v.newLocal("x1")};
        if (!panels) m.set(at, m.value(j0)); // the block's weights in each row of W
        m.forLoop(i, m.value(i0), m.value(i1), () -> {
            m.rowOf(x, m.sum(m.value(xRow), m.value(i)), xr);
            for (int c = 0; c < 2; c++) v.set(xv[c], v.load(xr, v.lane(lane, c)));
            if (panels) m.set(at, m.sum(m.value(panel), m.scaled(i, width, 0)));
            else m.rowOf(w, m.value(i), wRow);
            for (int u = 0; u < width; u++) {
                v.set(bv[u], v.broadcast(m.elementOf(wRow, m.at(at, u))));
                for (int c = 0; c < 2; c++) v.set(acc[u][c], v.fma(bv[u], xv[c], acc[u][c]));
            }
        });
        for (int u = 0; u < width; u++) for (int c = 0; c < 2; c++) v.store(acc[u][c], zRows[u], v.lane(lane, c));
        m.end();
        return method;
    }

    /**
     * {@code G[i0 + u][j0 + c V ..] += sum over lanes s of x[xRow + i0 + u][s] dzT[s stride + j0 + c V ..]}, u below
     * {@code inputs}, c below {@code vectors}; one method per stride, which is a constant in its loads' offsets.
     * {@code fresh}: {@code =} (the sums from zero, G not read), for a gradient the first tile of a batch's part sets.
     */
    Method weightBlock(int inputs, int vectors, int stride, boolean fresh) {
        Method method = new Method("weightGradient" + inputs + "x" + vectors + "w" + stride + (fresh ? "Fresh" : ""), "([[F[[F[FIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int grad = m.argument("grad", F2), x = m.argument("x", F2), dzT = m.argument("dzT", F1);
        int xRow = m.argument("xRow", Type.INT_TYPE), i0 = m.argument("i0", Type.INT_TYPE), j0 = m.argument("j0", Type.INT_TYPE);
        VectorOps v = new VectorOps(m);
        int[] gRows = new int[inputs], xRows = new int[inputs], bv = new int[inputs];
        int[][] acc = new int[inputs][vectors];
        for (int u = 0; u < inputs; u++) {
            gRows[u] = m.local("g" + u, F1);
            xRows[u] = m.local("x" + u, F1);
            m.rowOf(grad, m.at(i0, u), gRows[u]);
            m.rowOf(x, m.sum(m.value(xRow), m.at(i0, u)), xRows[u]);
            for (int c = 0; c < vectors; c++) acc[u][c] = v.local("acc" + u + "_" + c, fresh ? v.zero() : v.load(gRows[u], v.lane(j0, c)));
            bv[u] = v.newLocal("b" + u);
        }
        int s = m.local("s", Type.INT_TYPE);
        int[] dv = new int[vectors];
        for (int c = 0; c < vectors; c++) dv[c] = v.newLocal("dz" + c);
        m.forLoop(s, 0, Tiling.SIZE, () -> {
            for (int c = 0; c < vectors; c++) v.set(dv[c], v.load(dzT, m.sum(m.scaled(s, stride, 0), v.lane(j0, c))));
            for (int u = 0; u < inputs; u++) {
                v.set(bv[u], v.broadcast(m.elementOf(xRows[u], s)));
                for (int c = 0; c < vectors; c++) v.set(acc[u][c], v.fma(bv[u], dv[c], acc[u][c]));
            }
        });
        for (int u = 0; u < inputs; u++) for (int c = 0; c < vectors; c++) v.store(acc[u][c], gRows[u], v.lane(j0, c));
        m.end();
        return method;
    }

    /**
     * {@code out[outRow + o][lanes] += sum over k in [k0, k1) of values[(position[k])] in[inRow + index[k]][lanes]}
     * over {@code laneVectors} vectors of lanes from {@code lane}; {@code fresh}: {@code =} (from zero, the first
     * chunk of a unit's connections, zeros for a unit without any), so the output need not be zeroed first.
     */
    Method gather(boolean positioned, int laneVectors, boolean fresh) {
        Method method = new Method((positioned ? "gatherByInput" : "gatherByUnit") + laneVectors + (fresh ? "Fresh" : ""), positioned ? "([F[I[I[[F[[FIIIIII)V" : "([F[I[[F[[FIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int values = m.argument("values", F1), index = m.argument("index", I1), position = positioned ? m.argument("position", I1) : -1;
        int in = m.argument("in", F2), out = m.argument("out", F2);
        int inRow = m.argument("inRow", Type.INT_TYPE), outRow = m.argument("outRow", Type.INT_TYPE), o = m.argument("o", Type.INT_TYPE),
                k0 = m.argument("k0", Type.INT_TYPE), k1 = m.argument("k1", Type.INT_TYPE), lane = m.argument("lane", Type.INT_TYPE);
        LaneBlocks.firstWhenWhole(m, lane, laneVectors);
        VectorOps v = new VectorOps(m);
        int target = m.local("target", F1);
        m.rowOf(out, m.sum(m.value(outRow), m.value(o)), target);
        int[] acc = new int[laneVectors];
        for (int c = 0; c < laneVectors; c++) acc[c] = v.local("acc" + c, fresh ? v.zero() : v.load(target, v.lane(lane, c)));
        int k = m.local("k", Type.INT_TYPE), row = m.local("row", F1), bv = v.newLocal("b");
        m.forLoop(k, m.value(k0), m.value(k1), () -> {
            v.set(bv, v.broadcast(m.elementOf(values, positioned ? m.elementOf(position, k) : m.value(k))));
            m.rowOf(in, m.sum(m.value(inRow), m.elementOf(index, k)), row);
            for (int c = 0; c < laneVectors; c++) v.set(acc[c], v.fma(bv, v.load(row, v.lane(lane, c)), acc[c]));
        });
        for (int c = 0; c < laneVectors; c++) v.store(acc[c], target, v.lane(lane, c));
        m.end();
        return method;
    }

    /**
     * {@link #gather} by unit for output o and its twin of the same inputs, whose values sit {@code toTwin} after
     * o's: each input row loaded once for both outputs' sums.
     */
    Method gatherPair(int laneVectors, boolean fresh) {
        Method method = new Method("gatherPairByUnit" + laneVectors + (fresh ? "Fresh" : ""), "([F[I[[F[[FIIIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int values = m.argument("values", F1), index = m.argument("index", I1), in = m.argument("in", F2), out = m.argument("out", F2);
        int inRow = m.argument("inRow", Type.INT_TYPE), outRow = m.argument("outRow", Type.INT_TYPE), o = m.argument("o", Type.INT_TYPE), twin = m.argument("twin", Type.INT_TYPE),
                toTwin = m.argument("toTwin", Type.INT_TYPE), k0 = m.argument("k0", Type.INT_TYPE), k1 = m.argument("k1", Type.INT_TYPE), lane = m.argument("lane", Type.INT_TYPE);
        LaneBlocks.firstWhenWhole(m, lane, laneVectors);
        VectorOps v = new VectorOps(m);
        int[] target = {m.local("target", F1), m.local("twinTarget", F1)}, unit = {o, twin};
        int[][] acc = new int[2][laneVectors];
        for (int u = 0; u < 2; u++) {
            m.rowOf(out, m.sum(m.value(outRow), m.value(unit[u])), target[u]);
            for (int c = 0; c < laneVectors; c++) acc[u][c] = v.local("acc" + u + "_" + c, fresh ? v.zero() : v.load(target[u], v.lane(lane, c)));
        }
        int k = m.local("k", Type.INT_TYPE), row = m.local("row", F1), xv = v.newLocal("x");
        int[] b = {v.newLocal("b"), v.newLocal("twinB")};
        m.forLoop(k, m.value(k0), m.value(k1), () -> {
            v.set(b[0], v.broadcast(m.elementOf(values, k)));
            v.set(b[1], v.broadcast(m.elementOf(values, m.sum(m.value(k), m.value(toTwin)))));
            m.rowOf(in, m.sum(m.value(inRow), m.elementOf(index, k)), row);
            for (int c = 0; c < laneVectors; c++) {
                v.set(xv, v.load(row, v.lane(lane, c)));
                for (int u = 0; u < 2; u++) v.set(acc[u][c], v.fma(b[u], m.value(xv), acc[u][c]));
            }
        });
        for (int u = 0; u < 2; u++)
            for (int c = 0; c < laneVectors; c++) v.store(acc[u][c], target[u], v.lane(lane, c));
        m.end();
        return method;
    }

    /**
     * The input gradient by unit, scattered: {@code dx[xRow + index[k]][lanes] += values[k] dz[zRow + o][lanes]} for k in
     * [k0, k1), and with {@code paired} the same for o's twin of the same inputs ({@code values[k + toTwin] dz[zRow + twin]}):
     * the units' rows of dz stay in registers, and each input's row is loaded and stored once for two units' terms,
     * where the sums by input load a row of dz for every term.
     */
    Method scatter(boolean paired, int laneVectors) {
        Method method = new Method((paired ? "scatterPairByUnit" : "scatterByUnit") + laneVectors, "([F[I[[F[[FIIIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int values = m.argument("values", F1), index = m.argument("index", I1), dz = m.argument("dz", F2), dx = m.argument("dx", F2);
        int zRow = m.argument("zRow", Type.INT_TYPE), xRow = m.argument("xRow", Type.INT_TYPE), o = m.argument("o", Type.INT_TYPE), twin = m.argument("twin", Type.INT_TYPE),
                toTwin = m.argument("toTwin", Type.INT_TYPE), k0 = m.argument("k0", Type.INT_TYPE), k1 = m.argument("k1", Type.INT_TYPE), lane = m.argument("lane", Type.INT_TYPE);
        LaneBlocks.firstWhenWhole(m, lane, laneVectors);
        VectorOps v = new VectorOps(m);
        int units = paired ? 2 : 1;
        int[] unit = {o, twin}, b = new int[units];
        int[][] dzV = new int[units][laneVectors];
        int dzRow = m.local("dzRow", F1);
        for (int u = 0; u < units; u++) {
            m.rowOf(dz, m.sum(m.value(zRow), m.value(unit[u])), dzRow);
            for (int c = 0; c < laneVectors; c++) dzV[u][c] = v.local("dz" + u + "_" + c, v.load(dzRow, v.lane(lane, c)));
            b[u] = v.newLocal("b" + u);
        }
        int k = m.local("k", Type.INT_TYPE), row = m.local("row", F1), acc = v.newLocal("acc");
        m.forLoop(k, m.value(k0), m.value(k1), () -> {
            v.set(b[0], v.broadcast(m.elementOf(values, k)));
            if (paired) v.set(b[1], v.broadcast(m.elementOf(values, m.sum(m.value(k), m.value(toTwin)))));
            m.rowOf(dx, m.sum(m.value(xRow), m.elementOf(index, k)), row);
            for (int c = 0; c < laneVectors; c++) {
                v.set(acc, v.load(row, v.lane(lane, c)));
                for (int u = 0; u < units; u++) v.set(acc, v.fma(b[u], dzV[u][c], acc));
                v.store(acc, row, v.lane(lane, c));
            }
        });
        m.end();
        return method;
    }

    /**
     * {@code grad[k] += sum over lanes of x[xRow + input[k]][lanes] dz[zRow + j][lanes]} for k in [k0, k1): unit j's
     * connections, over {@code laneVectors} vectors of lanes from {@code lane} (one sum of lanes per connection and call).
     */
    Method sparseWeightBlock(int laneVectors) {
        Method method = new Method("sparseWeightGradient" + laneVectors, "([F[I[[F[[FIIIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int grad = m.argument("grad", F1), input = m.argument("input", I1), x = m.argument("x", F2), dz = m.argument("dz", F2);
        int xRow = m.argument("xRow", Type.INT_TYPE), zRow = m.argument("zRow", Type.INT_TYPE), j = m.argument("j", Type.INT_TYPE),
                k0 = m.argument("k0", Type.INT_TYPE), k1 = m.argument("k1", Type.INT_TYPE), lane = m.argument("lane", Type.INT_TYPE);
        LaneBlocks.firstWhenWhole(m, lane, laneVectors);
        VectorOps v = new VectorOps(m);
        int dzRow = m.local("dzRow", F1);
        m.rowOf(dz, m.sum(m.value(zRow), m.value(j)), dzRow);
        int[] d = new int[laneVectors];
        for (int c = 0; c < laneVectors; c++) d[c] = v.local("dz" + c, v.load(dzRow, v.lane(lane, c)));
        int k = m.local("k", Type.INT_TYPE), row = m.local("xRow", F1), p = v.newLocal("p");
        m.forLoop(k, m.value(k0), m.value(k1), () -> {
            m.rowOf(x, m.sum(m.value(xRow), m.elementOf(input, k)), row);
            v.set(p, v.mul(d[0], v.load(row, v.lane(lane, 0))));
            for (int c = 1; c < laneVectors; c++) v.set(p, v.fma(d[c], v.load(row, v.lane(lane, c)), p));
            m.addToElement(grad, m.value(k), v.sumOfLanes(p));
        });
        m.end();
        return method;
    }

    /**
     * {@code to[at + q SIZE ..] = rows[first + q width][..]} for the chunk's {@code steps} steps q: one input's (or
     * unit's) steps copied into scratch, a vector at a time, in one call per input. With a {@code System.arraycopy}
     * of 32 floats per step, the copy stub was 9.6% of the masked lstm's train step (one thread, AVX-512), and the
     * copies with their drivers 16.9%; 15.3% this way (bench/profile).
     */
    Method copySteps() {
        Method method = new Method("copySteps", "([[F[FIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int rows = m.argument("rows", F2), to = m.argument("to", F1), first = m.argument("first", Type.INT_TYPE), width = m.argument("width", Type.INT_TYPE);
        int at = m.argument("at", Type.INT_TYPE), steps = m.argument("steps", Type.INT_TYPE);
        VectorOps v = new VectorOps(m);
        int q = m.local("q", Type.INT_TYPE), lane = m.local("lane", Type.INT_TYPE), row = m.local("row", F1);
        m.forLoop(q, m.constant(0), m.value(steps), () -> {
            m.rowOf(rows, m.sum(m.value(first), () -> {
                m.loadLocal(q);
                m.loadLocal(width);
                m.math(GeneratorAdapter.MUL, Type.INT_TYPE);
            }), row);
            // LENGTH is a constant to C2: the 2 (AVX-512) or 4 (AVX2) vectors of a row, unrolled
            m.forLoopBy(lane, m.constant(0), m.constant(Tiling.SIZE), () -> m.getStatic(Fields.LENGTH),
                    () -> v.store(v.load(row, m.value(lane)), to, m.sum(m.sum(m.value(at), m.scaled(q, Tiling.SIZE, 0)), m.value(lane))));
        });
        m.end();
        return method;
    }

    /**
     * Over a chunk of {@code rows} steps copied to scratch ({@link Fields#stepInputs}): {@code grad[k + c] += sum
     * over the steps and lanes of xs[input[k + c]][step][lanes] ds[step][lanes]} for {@code connections}
     * connections of a unit from k, over {@code laneVectors} vectors of lanes from {@code lane}; with 2 units
     * (a unit and its twin of the same inputs, whose connections sit {@code toTwin} after), each input loaded
     * once for both, the twin's dz after the unit's in {@code ds}. The sums stay in vectors over the steps and
     * are summed across lanes once a call; every load is from one array at an offset the loop counter moves.
     */
    Method sparseWeightOverSteps(int units, int connections, int laneVectors) {
        Method method = new Method("sparseWeightGradientSteps" + units + "x" + connections + "x" + laneVectors, "([F[I[F[FIIII)V");
        MethodBuilder m = c.helper(method);
        if (m == null) return method;
        int grad = m.argument("grad", F1), input = m.argument("input", I1), xs = m.argument("xs", F1), ds = m.argument("ds", F1);
        int k = m.argument("k", Type.INT_TYPE), toTwin = m.argument("toTwin", Type.INT_TYPE), rows = m.argument("rows", Type.INT_TYPE), lane = m.argument("lane", Type.INT_TYPE);
        VectorOps v = new VectorOps(m);
        int stride = Fields.stepStride();
        int[] in = new int[connections];
        int[][][] acc = new int[units][connections][laneVectors];
        for (int q = 0; q < connections; q++) {
            in[q] = m.local("input" + q, Type.INT_TYPE);
            m.set(in[q], m.sum(m.scaled(m.elementOf(input, m.at(k, q)), stride), m.value(lane)));
            for (int u = 0; u < units; u++)
                for (int c = 0; c < laneVectors; c++) acc[u][q][c] = v.local("acc" + u + "_" + q + "_" + c, v.zero());
        }
        int step = m.local("step", Type.INT_TYPE), at = m.local("at", Type.INT_TYPE), xv = v.newLocal("x");
        int[][] d = new int[units][laneVectors];
        for (int u = 0; u < units; u++)
            for (int c = 0; c < laneVectors; c++) d[u][c] = v.newLocal("dz" + u + "_" + c);
        m.forLoop(step, m.constant(0), m.value(rows), () -> {
            m.set(at, m.scaled(step, nnet.lower.Tiling.SIZE, 0));
            for (int u = 0; u < units; u++)
                for (int c = 0; c < laneVectors; c++) v.set(d[u][c], v.load(ds, m.sum(m.sum(m.value(at), v.lane(lane, c)), m.constant(u * stride))));
            for (int q = 0; q < connections; q++)
                for (int c = 0; c < laneVectors; c++) {
                    v.set(xv, v.load(xs, m.sum(v.lane(in[q], c), m.value(at))));
                    for (int u = 0; u < units; u++) v.set(acc[u][q][c], v.fma(d[u][c], m.value(xv), acc[u][q][c]));
                }
        });
        for (int u = 0; u < units; u++)
            for (int q = 0; q < connections; q++) {
                for (int c = 1; c < laneVectors; c++) v.set(acc[u][q][0], v.add(acc[u][q][0], m.value(acc[u][q][c])));
                m.addToElement(grad, u == 0 ? m.at(k, q) : m.sum(m.value(toTwin), m.at(k, q)), v.sumOfLanes(acc[u][q][0]));
            }
        m.end();
        return method;
    }
}
